import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AllEvents, Topics, type EventName, type EventOf } from '@medbus/contracts';
import { EventPublisher, adapterTopicsOf, deleteNamespaceTopics, ensureTopics } from '@medbus/kafka';
import { dropSchemas, stackAddresses, stackKafkaEnv, testConnection, uniqueName, waitFor } from '@medbus/testing';
import { startBookingApp } from '../app.module';
import { ClientsService, registerAdapter } from '../clients/clients.service';
import { ReservationsService } from './reservations.service';

let apiKey = '';
const adapterKey = `adapter-key-${randomUUID()}`;
const run = uniqueName('run').replace(/[^a-z0-9]/g, '');
// A bus of the run's own: the adapter's topics are read from their start.
const namespace = uniqueName('reservation-expiry-it');
const day0 = Date.UTC(2031, 6, 1, 6, 0);
const minutes = (n: number) => n * 60_000;
const adapterId = `identify-only-${run}`.slice(0, 40);
const organisationOid = `8.${run}.2`;

interface EntryView {
  entryId: string;
  status: string;
  offer: { offerId: string; slotId: string } | null;
}

let slotSeq = 0;

/**
 * A waitlist reservation that lapses ends the same way whichever path notices it first: the
 * entry waits again (or the slot goes to the next in line) and WaitlistOfferExpired is published
 * once. The sweeper is kept from running so that the other paths are the ones that notice.
 */
describe('an expired waitlist reservation, noticed by whoever wants its slot next', () => {
  const group = uniqueName('reservation-expiry-it');
  const schema = `reservation_expiry_${run}`.slice(0, 60);
  let app: INestApplication;
  let dataSource: DataSource;
  let baseUrl: string;
  let publisher: EventPublisher;
  let identify: Server;

  const therapist: EventOf<'ResourcePublished'> = {
    resourceId: `${organisationOid}:doc-t`,
    organisationOid,
    localResourceId: 'doc-t',
    federalPractitionerId: null,
    practitionerSnils: null,
    displayName: 'Терапевт Б. Б.',
    specialty: { nsiCode: '76', misCode: 'T', misName: 'Терапия' },
    position: null,
    departmentOid: null,
    departmentName: null,
    room: '1',
    active: true,
    sourceVersion: 1,
    occurredAt: Date.now(),
    patientSex: null,
    minPatientAgeYears: null,
    maxPatientAgeYears: null,
    attachmentRequired: false,
  };

  function aSlot(startsAt: number): EventOf<'SlotPublished'> {
    const localSlotId = `r${++slotSeq}`;
    return {
      slotId: `${organisationOid}:${localSlotId}`,
      localSlotId,
      organisationOid,
      resourceId: therapist.resourceId,
      localResourceId: therapist.localResourceId,
      startsAt,
      endsAt: startsAt + minutes(15),
      status: 'FREE',
      bookingChannels: ['CONTACT_CENTRE'],
      room: null,
      sourceVersion: 1,
      occurredAt: Date.now(),
    };
  }

  async function publish<N extends EventName>(name: N, key: string, value: EventOf<N>): Promise<void> {
    await publisher.publish({ event: AllEvents[name], key, value });
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : undefined) as { error?: unknown } | undefined;
    return { status: response.status, body: (parsed?.error ?? parsed) as T };
  }

  /** Answers once the adapter's heartbeat (published in beforeAll) has reached the inventory. */
  async function patient(policy: string): Promise<string> {
    return waitFor(async () => {
      const { status, body } = await call<{ patientId: string }>('POST', '/v1/patients/identify', { organisationOid, policyNumber: policy });
      return status === 200 && body.patientId;
    }, `patient ${policy} identified`);
  }

  async function waitlist(patientId: string, slot: EventOf<'SlotPublished'>): Promise<string> {
    const { status, body } = await call<EntryView>('POST', '/v1/waitlist', {
      patientId,
      organisationOid,
      resourceId: therapist.resourceId,
      preferredIntervals: [{ from: new Date(slot.startsAt - minutes(5)).toISOString(), to: new Date(slot.endsAt).toISOString() }],
    });
    if (status !== 201) throw new Error(`waitlist answered ${status}: ${JSON.stringify(body)}`);
    return body.entryId;
  }

  const entry = async (entryId: string) => (await call<EntryView>('GET', `/v1/waitlist/${entryId}`)).body;

  async function offeredTo(entryId: string, slotId: string): Promise<string> {
    const offer = await waitFor(async () => {
      const view = await entry(entryId);
      return view.status === 'OFFERED' && view.offer?.slotId === slotId && view.offer;
    }, `the offer of ${slotId}`);
    return offer.offerId;
  }

  /** The reservation's time has passed (instead of waiting WAITLIST_RESERVATION_MS); no sweeper runs here. */
  async function lapse(offerId: string): Promise<void> {
    await dataSource.query(`UPDATE booking_hold SET expires_at = now() - interval '1 second' WHERE hold_id = $1`, [offerId]);
  }

  async function offersExpiredOf(entryId: string): Promise<number> {
    const rows: { n: string }[] = await dataSource.query(
      `SELECT count(*) AS n FROM medbus_outbox WHERE event_type = 'WaitlistOfferExpired' AND message_key = $1`,
      [entryId],
    );
    return Number(rows[0].n);
  }

  async function offeredWithoutActiveReservation(): Promise<string[]> {
    const rows: { entry_id: string }[] = await dataSource.query(
      `SELECT e.entry_id FROM booking_waitlist_entry e
       WHERE e.organisation_oid = $1 AND e.status = 'OFFERED'
         AND NOT EXISTS (SELECT 1 FROM booking_hold h WHERE h.hold_id = e.offer_hold_id AND h.released_at IS NULL)`,
      [organisationOid],
    );
    return rows.map((row) => row.entry_id);
  }

  beforeAll(async () => {
    await ensureTopics({ ...testConnection(), namespace }, [Topics.appointment, Topics.waitlist, ...adapterTopicsOf(adapterId)], 3);
    publisher = new EventPublisher({ ...testConnection(), namespace }, { origin: adapterId });
    identify = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { policyNumber?: string };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ misPatientId: `P-${body.policyNumber}`, registered: false, attached: true }));
      });
    });
    await new Promise<void>((resolve) => identify.listen(0, '127.0.0.1', resolve));
    const stack = stackAddresses();
    app = await startBookingApp(
      {
        KAFKA_BROKERS: stack.kafkaBrokers.join(','),
        ...stackKafkaEnv(),
        SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
        KAFKA_NAMESPACE: namespace,
        DATABASE_URL: stack.databaseUrl,
        HTTP_PORT: '8080',
        OTEL_SDK_DISABLED: 'true',
        BOOKING_CONSUMER_GROUP: group,
        BOOKING_DATABASE_SCHEMA: schema,
        BOOKING_RESPONSE_TIMEOUT_MS: '300',
        BOOKING_SWEEP_INTERVAL_MS: String(60 * 60_000),
        WAITLIST_RESERVATION_MS: '60000',
        BOOKING_MIS_ADAPTERS: `${adapterId}=http://127.0.0.1:${(identify.address() as AddressInfo).port}`,
        BOOKING_MIS_ADAPTER_API_KEY: adapterKey,
      },
      { port: 0, logger: false },
    );
    dataSource = app.get<DataSource>(getDataSourceToken());
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    apiKey = (await app.get(ClientsService).issue({ clientId: `operator-${run}`.slice(0, 60), role: 'OPERATOR' })).secret;
    await registerAdapter(dataSource, adapterId, [organisationOid]);
    await publish('OrganisationPublished', organisationOid, {
      organisationOid,
      fullName: 'Поликлиника №2',
      shortName: 'П-2',
      districtId: `d-${run}`,
      districtName: 'Центральный',
      misVendor: 'scripted',
      timeZone: 'Europe/Moscow',
      active: true,
      address: null,
      sourceVersion: 1,
      occurredAt: Date.now(),
    });
    await publish('ResourcePublished', therapist.resourceId, therapist);
    await publish('AdapterHeartbeatRecorded', adapterId, {
      adapterId,
      misVendor: 'scripted',
      adapterVersion: '1',
      organisationOids: [organisationOid],
      misReachable: true,
      lastSuccessfulSyncAt: Date.now(),
      syncLagMs: 0,
      heartbeatIntervalMs: 60_000,
      occurredAt: Date.now(),
      lastReassertedAt: null,
    });
    // Barrier: the practitioner and the heartbeat are applied before any slot (their partitions are consumed
    // concurrently, and a slot seen before its practitioner is offered to nobody waiting).
    await waitFor(async () => {
      const rows: unknown[] = await dataSource.query(
        `SELECT 1 FROM inventory_practitioner p JOIN inventory_organisation_heartbeat h ON h.organisation_oid = p.organisation_oid WHERE p.resource_id = $1`,
        [therapist.resourceId],
      );
      return rows.length > 0;
    }, 'the practitioner and the heartbeat in the inventory');
  });

  afterAll(async () => {
    await app?.close();
    await dropSchemas(schema);
    await new Promise((resolve) => identify?.close(resolve));
    await publisher?.close();
    await deleteNamespaceTopics(testConnection(), namespace).catch(() => undefined);
  });

  it('when the MIS re-states the slot free, ends the lapsed offer (WaitlistOfferExpired once) and offers the slot to the next in line', async () => {
    const slot = aSlot(day0);
    const alice = await waitlist(await patient('1100000000000001'), slot);
    const bob = await waitlist(await patient('1100000000000002'), slot);
    await publish('SlotPublished', slot.slotId, slot);
    const aliceOffer = await offeredTo(alice, slot.slotId);
    await lapse(aliceOffer);

    await publish('SlotChanged', slot.slotId, { ...slot, sourceVersion: 2, occurredAt: Date.now() });
    await offeredTo(bob, slot.slotId);

    expect((await entry(alice)).status).toBe('WAITING');
    expect(await offersExpiredOf(alice)).toBe(1);
    expect(await offeredWithoutActiveReservation()).toEqual([]);
  });

  it('when an operator holds the slot, ends the lapsed offer as the sweeper does (WaitlistOfferExpired once)', async () => {
    const slot = aSlot(day0 + minutes(60));
    const carol = await waitlist(await patient('1100000000000003'), slot);
    await publish('SlotPublished', slot.slotId, slot);
    const carolOffer = await offeredTo(carol, slot.slotId);
    await lapse(carolOffer);

    const hold = await call<{ holdId: string }>('POST', '/v1/holds', { slotId: slot.slotId });
    expect(hold.status).toBe(201);

    expect((await entry(carol)).status).toBe('WAITING');
    expect(await offersExpiredOf(carol)).toBe(1);
    expect(await offeredWithoutActiveReservation()).toEqual([]);
  });

  it('when another patient books the slot, ends the lapsed offer first (WaitlistOfferExpired once) and books', async () => {
    const slot = aSlot(day0 + minutes(120));
    const dan = await waitlist(await patient('1100000000000004'), slot);
    const erin = await patient('1100000000000005');
    await publish('SlotPublished', slot.slotId, slot);
    await lapse(await offeredTo(dan, slot.slotId));

    // No adapter serves this organisation's commands: the booking stays PENDING (202), holding the slot.
    const booked = await call<{ status: string }>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: erin });
    expect(booked).toMatchObject({ status: 202, body: { status: 'PENDING' } });

    expect((await entry(dan)).status).toBe('WAITING');
    expect(await offersExpiredOf(dan)).toBe(1);
    expect(await offeredWithoutActiveReservation()).toEqual([]);
  });

  it('when the sweeper finds it, ends the lapsed offer the same way and offers the slot to the next in line', async () => {
    const slot = aSlot(day0 + minutes(180));
    const fay = await waitlist(await patient('1100000000000006'), slot);
    const gus = await waitlist(await patient('1100000000000007'), slot);
    await publish('SlotPublished', slot.slotId, slot);
    await lapse(await offeredTo(fay, slot.slotId));

    expect(await app.get(ReservationsService).sweep()).toBeGreaterThanOrEqual(1);

    expect((await entry(fay)).status).toBe('WAITING');
    expect((await entry(gus)).status).toBe('OFFERED');
    expect(await offersExpiredOf(fay)).toBe(1);
    expect(await offeredWithoutActiveReservation()).toEqual([]);
  });
});
