import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Topics } from '@medbus/contracts';
import { adapterTopicsOf, deleteNamespaceTopics, ensureTopics } from '@medbus/kafka';
import { collectTopic, dropSchemas, stackAddresses, stackKafkaEnv, testConnection, uniqueName, waitFor } from '@medbus/testing';
import { startBusApp } from './__fixtures__/bus.app';
import { BusPublisher, aHeartbeat, anAppointment, anOffer, anOrganisation, blockedSlot, hour, removedSlot } from './__fixtures__/bus-events';
import { OrganisationDirectory } from '../appeals/organisation-directory.client';
import { DistrictWarningService } from './district-warning.service';

const namespace = uniqueName('cc-bus-it');
const schema = `cc_bus_it_${uniqueName('s').replace(/[^a-z0-9]/g, '')}`.slice(0, 60);
const adapterId = 'clinics-vendor';
const otherAdapter = 'other-vendor';

const operatorKey = `mbk.00000000000000c1.${'o'.repeat(43)}`;
const callers: Record<string, { clientId: string; role: string; channel: string; branch: string | null }> = {
  [operatorKey]: { clientId: 'operator-it', role: 'OPERATOR', channel: 'CONTACT_CENTRE', branch: null },
};

describe('what the contact centre hears on the bus', () => {
  const registered = new Map<string, string>();
  const bus = new BusPublisher(namespace, registered, adapterId);
  let booking: Server;
  let app: INestApplication;
  let db: DataSource;
  let baseUrl: string;

  async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${operatorKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  const rows = <R>(sql: string, parameters: unknown[] = []): Promise<R[]> => db.query(sql, parameters);
  const tasksOf = (appointmentOrOffer: string) =>
    rows<{ id: string; kind: string; status: string; outcome: string | null; district_id: string | null }>(
      `SELECT id, kind, status, outcome, district_id FROM patient_task WHERE appointment_id = $1 OR offer_id = $1 ORDER BY created_at`,
      [appointmentOrOffer],
    );

  beforeAll(async () => {
    booking = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/adapters') {
        const adapters = new Map<string, string[]>();
        for (const [oid, adapter] of registered) adapters.set(adapter, [...(adapters.get(adapter) ?? []), oid]);
        return res.end(JSON.stringify({ items: [...adapters].map(([id, organisations]) => ({ adapterId: id, organisations })) }));
      }
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const caller = callers[(JSON.parse(body) as { credential: string }).credential];
        res.end(JSON.stringify(caller ? { active: true, ...caller, expiresAt: null } : { active: false }));
      });
    });
    await new Promise<void>((resolve) => booking.listen(0, '127.0.0.1', resolve));
    await ensureTopics({ ...testConnection(), namespace }, [Topics.appointment, Topics.waitlist, ...adapterTopicsOf(adapterId), ...adapterTopicsOf(otherAdapter)], 2);
    const stack = stackAddresses();
    app = await startBusApp({
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      ...stackKafkaEnv(),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      KAFKA_NAMESPACE: namespace,
      DATABASE_URL: stack.databaseUrl,
      HTTP_PORT: '8080',
      OTEL_SDK_DISABLED: 'true',
      CC_DATABASE_SCHEMA: schema,
      CC_CONSUMER_GROUP: uniqueName('cc-bus-it'),
      CC_HEARTBEAT_CHECK_MS: '0',
      BOOKING_URL: `http://127.0.0.1:${(booking.address() as AddressInfo).port}`,
      CC_BOOKING_API_KEY: `mbk.0123456789abcdef.${'A'.repeat(43)}`,
    });
    db = app.get<DataSource>(getDataSourceToken());
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => (booking ? booking.close(() => resolve()) : resolve()));
    await bus.close();
    await dropSchemas(schema);
    await deleteNamespaceTopics(testConnection(), namespace).catch(() => undefined);
  });

  it("shows a booked then cancelled appointment in the patient's history, with its organisation's name", async () => {
    const clinic = anOrganisation();
    await bus.mis('OrganisationPublished', clinic);
    const booked = anAppointment(clinic);
    await bus.booking('AppointmentBooked', booked);
    await bus.booking('AppointmentCancelled', { appointmentId: booked.appointmentId, patientId: booked.patientId, organisationOid: clinic.organisationOid, slotId: booked.slotId, occurredAt: Date.now() });

    const history = await waitFor(async () => {
      const { body } = await api<{ items: { appointmentId: string; status: string; organisationShortName: string | null }[] }>('GET', `/v1/patients/${booked.patientId}/appointments`);
      return body.items.length === 1 && body.items[0].status === 'CANCELLED' && body.items[0].organisationShortName !== null && body.items;
    }, 'the cancelled appointment in the history');
    expect(history).toEqual([expect.objectContaining({ appointmentId: booked.appointmentId, status: 'CANCELLED', organisationShortName: clinic.shortName, slotId: booked.slotId })]);
  });

  it('tells appeals the district of an organisation it has heard of, and nothing of one it has not', async () => {
    const clinic = anOrganisation({ districtId: '9', districtName: 'Прикубанский' });
    await bus.mis('OrganisationPublished', clinic);
    const directory = app.get(OrganisationDirectory);
    expect(await waitFor(() => directory.districtOf(clinic.organisationOid), 'the organisation')).toEqual({ districtId: '9', districtName: 'Прикубанский' });
    expect(await directory.districtOf(anOrganisation().organisationOid)).toBeNull();
  });

  it('makes a task of a waitlist offer that expires with the offer, and refuses to close it afterwards', async () => {
    const clinic = anOrganisation({ districtId: '11', districtName: 'Западный' });
    await bus.mis('OrganisationPublished', clinic);
    const offer = anOffer(clinic);
    await bus.booking('WaitlistSlotOffered', offer, offer.waitlistEntryId);
    const [task] = await waitFor(async () => (await tasksOf(offer.offerId)).length === 1 && tasksOf(offer.offerId), 'the offer task');
    expect(task).toEqual(expect.objectContaining({ kind: 'WAITLIST_OFFER', status: 'OPEN', district_id: '11' }));
    const { body: open } = await api<{ items: { id: string; dueBy: string }[] }>('GET', '/v1/patient-tasks?status=OPEN&kind=WAITLIST_OFFER&limit=500');
    expect(open.items).toContainEqual(expect.objectContaining({ id: task.id, dueBy: new Date(offer.reservedUntil).toISOString() }));

    await bus.booking('WaitlistOfferExpired', { offerId: offer.offerId, waitlistEntryId: offer.waitlistEntryId, slotId: offer.slotId, occurredAt: offer.reservedUntil }, offer.waitlistEntryId);
    await waitFor(async () => (await tasksOf(offer.offerId))[0]?.status === 'EXPIRED', 'the task expired');
    expect((await api('POST', `/v1/patient-tasks/${task.id}/done`, { outcome: 'INFORMED' })).status).toBe(409);
  });

  it('closes an offer task by itself when the patient books the offered slot, even when the booking arrives first', async () => {
    const clinic = anOrganisation();
    const offer = anOffer(clinic);
    const booked = anAppointment(clinic, { patientId: offer.patientId, slotId: offer.slotId, resourceId: offer.resourceId });
    await bus.booking('AppointmentBooked', booked);
    await waitFor(async () => (await rows(`SELECT 1 FROM patient_appointment WHERE appointment_id = $1`, [booked.appointmentId])).length === 1, 'the booking');
    await bus.booking('WaitlistSlotOffered', offer, offer.waitlistEntryId);
    const [task] = await waitFor(async () => (await tasksOf(offer.offerId)).length === 1 && tasksOf(offer.offerId), 'the offer task');
    expect(task).toEqual(expect.objectContaining({ status: 'DONE', outcome: 'PATIENT_BOOKED' }));
  });

  it.each([
    ['the slot removed first', 'slot-first'],
    ['the appointment booked first', 'booking-first'],
  ] as const)('makes exactly one SLOT_WITHDRAWN task for a slot removed under a booked appointment, %s', async (_name, order) => {
    const clinic = anOrganisation();
    await bus.mis('OrganisationPublished', clinic);
    const booked = anAppointment(clinic);
    const removal = removedSlot(booked, 2);
    if (order === 'slot-first') {
      await bus.mis('SlotRemoved', removal);
      await waitFor(async () => (await rows(`SELECT 1 FROM withdrawn_slot WHERE slot_id = $1`, [booked.slotId])).length === 1, 'the withdrawn slot');
      await bus.booking('AppointmentBooked', booked);
    } else {
      await bus.booking('AppointmentBooked', booked);
      await waitFor(async () => (await rows(`SELECT 1 FROM patient_appointment WHERE appointment_id = $1`, [booked.appointmentId])).length === 1, 'the booking');
      await bus.mis('SlotRemoved', removal);
    }
    await waitFor(async () => (await tasksOf(booked.appointmentId)).length > 0, 'the SLOT_WITHDRAWN task');

    // The same withdrawal again and its doctor removed too, each followed by a marker on the same topic and key.
    await bus.mis('SlotRemoved', removal);
    await bus.mis('SlotChanged', blockedSlot(booked, 3));
    await bus.mis('ResourceRemoved', { resourceId: booked.resourceId, organisationOid: clinic.organisationOid, sourceVersion: 9, occurredAt: Date.now() });
    await waitFor(async () => (await rows<{ v: string }>(`SELECT source_version AS v FROM withdrawn_slot WHERE slot_id = $1`, [booked.slotId]))[0]?.v === '3', 'the slot marker');
    await waitFor(async () => (await rows(`SELECT 1 FROM withdrawn_resource WHERE resource_id = $1`, [booked.resourceId])).length === 1, 'the removed doctor');
    const tasks = await tasksOf(booked.appointmentId);
    expect(tasks).toEqual([expect.objectContaining({ kind: 'SLOT_WITHDRAWN', status: 'OPEN' })]);

    expect((await api('POST', `/v1/patient-tasks/${tasks[0].id}/done`, { outcome: 'REBOOKED' })).status).toBe(204);
    expect(await tasksOf(booked.appointmentId)).toEqual([expect.objectContaining({ status: 'DONE', outcome: 'REBOOKED' })]);
  });

  it("raises a warning for a stale heartbeat's organisations in their district and clears it with a fresh one", async () => {
    const clinic = anOrganisation({ districtId: '42', districtName: 'Карасунский' });
    await bus.mis('OrganisationPublished', clinic);
    await bus.heartbeat(aHeartbeat(adapterId, [clinic.organisationOid], { misReachable: false }));
    const warnings = () => api<{ items: { organisationOid: string; reason: string; districtName: string; open: boolean }[] }>('GET', '/v1/warnings?district=42&open=true');
    const raised = await waitFor(async () => (await warnings()).body.items.find((w) => w.organisationOid === clinic.organisationOid), 'the warning');
    expect(raised).toEqual(expect.objectContaining({ reason: 'MIS_UNREACHABLE', districtName: 'Карасунский', open: true }));

    await bus.heartbeat(aHeartbeat(adapterId, [clinic.organisationOid]));
    await waitFor(async () => (await warnings()).body.items.every((w) => w.organisationOid !== clinic.organisationOid), 'the warning cleared');
    const all = await api<{ items: { organisationOid: string; open: boolean }[] }>('GET', '/v1/warnings?district=42');
    expect(all.body.items.filter((w) => w.organisationOid === clinic.organisationOid)).toEqual([expect.objectContaining({ open: false })]);
  });

  it('warns of the organisations of an adapter whose heartbeats stopped for three intervals, not before', async () => {
    const clinic = anOrganisation({ districtId: '43' });
    await bus.mis('OrganisationPublished', clinic);
    const last = aHeartbeat(adapterId, [clinic.organisationOid], { heartbeatIntervalMs: 1_000 });
    await bus.heartbeat(last);
    await waitFor(async () => (await rows(`SELECT 1 FROM adapter_heartbeat WHERE heartbeat_at = $1`, [new Date(last.occurredAt)])).length === 1, 'the heartbeat');
    const warnings = app.get(DistrictWarningService);
    expect(await warnings.raiseForSilentAdapters(new Date(last.occurredAt + 3_000))).toEqual([]);
    expect(await warnings.raiseForSilentAdapters(new Date(last.occurredAt + 3_001))).toContain(clinic.organisationOid);
    expect(await rows(`SELECT reason, district_id FROM district_warning WHERE organisation_oid = $1 AND cleared_at IS NULL`, [clinic.organisationOid])).toEqual([
      { reason: 'HEARTBEAT_MISSING', district_id: '43' },
    ]);
  });

  it('dead-letters what an adapter publishes for an organisation not registered to it, and applies none of it', async () => {
    const dlq = await collectTopic(`${namespace}.dlq.${Topics.slot}.${otherAdapter}`);
    try {
      const clinic = anOrganisation();
      await bus.mis('OrganisationPublished', clinic);
      const booked = anAppointment(clinic);
      await bus.booking('AppointmentBooked', booked);
      await bus.mis('SlotRemoved', removedSlot(booked, 2), undefined, otherAdapter);
      const letter = await waitFor(async () => dlq.records.find((record) => record.key === booked.slotId), 'the dead letter');
      expect(letter.headers).toEqual(expect.objectContaining({ 'dlq-error-code': 'MIS.ORGANISATION_NOT_SERVED' }));
      expect(await rows(`SELECT 1 FROM withdrawn_slot WHERE slot_id = $1`, [booked.slotId])).toEqual([]);
      expect(await tasksOf(booked.appointmentId)).toEqual([]);
    } finally {
      await dlq.stop();
    }
  });

  it('changes nothing when a batch is delivered again', async () => {
    const clinic = anOrganisation();
    await bus.mis('OrganisationPublished', clinic);
    const booked = anAppointment(clinic, { startsAt: Date.now() + 48 * hour });
    const bookedId = await bus.booking('AppointmentBooked', booked);
    const cancelledId = await bus.booking('AppointmentCancelled', { appointmentId: booked.appointmentId, patientId: booked.patientId, organisationOid: clinic.organisationOid, slotId: booked.slotId, occurredAt: Date.now() });
    const offer = anOffer(clinic);
    const offerId = await bus.booking('WaitlistSlotOffered', offer, offer.waitlistEntryId);
    const [task] = await waitFor(async () => (await tasksOf(offer.offerId)).length === 1 && tasksOf(offer.offerId), 'the offer task');
    expect((await api('POST', `/v1/patient-tasks/${task.id}/done`, { outcome: 'DECLINED' })).status).toBe(204);
    await waitFor(async () => (await rows<{ status: string }>(`SELECT status FROM patient_appointment WHERE appointment_id = $1`, [booked.appointmentId]))[0]?.status === 'CANCELLED', 'the cancellation');

    await bus.booking('AppointmentBooked', booked, undefined, bookedId);
    await bus.booking('AppointmentCancelled', { appointmentId: booked.appointmentId, patientId: booked.patientId, organisationOid: clinic.organisationOid, slotId: booked.slotId, occurredAt: 0 }, undefined, cancelledId);
    await bus.booking('WaitlistSlotOffered', offer, offer.waitlistEntryId, offerId);
    // Markers on the same keys, published last: once both are applied, so is everything before them.
    const markerOffer = anOffer(clinic);
    await bus.booking('WaitlistSlotOffered', markerOffer, offer.waitlistEntryId);
    const markerBooking = anAppointment(clinic);
    await bus.booking('AppointmentBooked', markerBooking, booked.appointmentId);
    await waitFor(async () => (await tasksOf(markerOffer.offerId)).length === 1, 'the marker offer');
    await waitFor(async () => (await rows(`SELECT 1 FROM patient_appointment WHERE appointment_id = $1`, [markerBooking.appointmentId])).length === 1, 'the marker booking');

    expect(await tasksOf(offer.offerId)).toEqual([expect.objectContaining({ id: task.id, status: 'DONE', outcome: 'DECLINED' })]);
    expect(await rows(`SELECT status, cancelled_at IS NOT NULL AND cancelled_at > 'epoch' AS cancelled FROM patient_appointment WHERE appointment_id = $1`, [booked.appointmentId])).toEqual([
      { status: 'CANCELLED', cancelled: true },
    ]);
  });
});
