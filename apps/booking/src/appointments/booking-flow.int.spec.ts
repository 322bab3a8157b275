import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AllEvents, Topics, type EventName, type EventOf } from '@medbus/contracts';
import { EventConsumer, EventPublisher, Headers, adapterTopicOf, adapterTopicsOf, deadLetterTopicOf, deleteNamespaceTopics, ensureTopics, type ConsumedEvent } from '@medbus/kafka';
import { collectTopic, dropSchemas, stackAddresses, stackKafkaEnv, testConnection, uniqueName, waitFor } from '@medbus/testing';
import { startBookingApp } from '../app.module';
import { ClientsService, registerAdapter } from '../clients/clients.service';
import type { SlotPage } from '../inventory/slots.query';
import type { AppointmentView } from './appointment.mapper';
import { PendingExpiryPoller } from './pending-expiry.poller';

let apiKey = '';
const adapterKey = `adapter-key-${randomUUID()}`;
const run = uniqueName('run').replace(/[^a-z0-9]/g, '');
// A bus of the run's own: the adapters' topics are read from their start.
const namespace = uniqueName('booking-flow-it');
const day0 = Date.UTC(2031, 4, 12, 6, 0);
const minutes = (n: number) => n * 60_000;
const adapterId = `scripted-adapter-${run}`;
const organisationOid = `8.${run}.1`;
/** Another vendor's adapter, registered for a clinic of its own only. */
const intruderId = `intruder-${run}`.slice(0, 40);

type Behaviour = 'confirm' | 'taken' | 'silent';

/**
 * The MIS side, scripted: answers patient look-ups over HTTP and booking commands over Kafka the
 * way an adapter does, per slot. The real adapter is exercised by the end-to-end tests.
 */
class ScriptedAdapter {
  readonly behaviour = new Map<string, Behaviour>();
  readonly commands: ConsumedEvent[] = [];
  readonly silenced: EventOf<'BookSlot'>[] = [];
  private server?: Server;
  private consumer?: EventConsumer;
  url = '';

  constructor(private readonly publisher: EventPublisher) {}

  async start(group: string): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.headers.authorization !== `Bearer ${adapterKey}`) {
          res.writeHead(401).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { policyNumber?: string; register?: boolean };
        if (body.policyNumber?.startsWith('9999')) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'PATIENT.NOT_FOUND', message: 'Пациент не найден' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ misPatientId: `P-${body.policyNumber}`, registered: false, attached: !body.policyNumber?.startsWith('0000') }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.consumer = new EventConsumer({
      connection: { ...testConnection(), namespace },
      groupId: group,
      topics: [adapterTopicOf(Topics.bookingCommand, adapterId)],
      deadLetters: this.publisher,
      handle: (event) => this.onCommand(event),
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  commandsFor(appointmentId: string): ConsumedEvent[] {
    return this.commands.filter((c) => (c.value as { appointmentId: string }).appointmentId === appointmentId);
  }

  async confirm(command: EventOf<'BookSlot'>, eventId = `outcome-${command.commandId}`): Promise<void> {
    await this.publisher.publish({
      event: AllEvents.SlotBookingConfirmed,
      key: command.appointmentId,
      eventId,
      value: {
        commandId: command.commandId,
        appointmentId: command.appointmentId,
        organisationOid: command.organisationOid,
        slotId: command.slotId,
        misAppointmentId: command.localSlotId,
        occurredAt: Date.now(),
      },
    });
  }

  private async onCommand(event: ConsumedEvent): Promise<void> {
    const command = event.value as { organisationOid: string; appointmentId: string };
    if (command.organisationOid !== organisationOid) return;
    this.commands.push(event);
    if (event.eventType === 'CancelAppointment') {
      const cancel = event.value as EventOf<'CancelAppointment'>;
      await this.publisher.publish({
        event: AllEvents.AppointmentCancellationConfirmed,
        key: cancel.appointmentId,
        value: { commandId: cancel.commandId, appointmentId: cancel.appointmentId, organisationOid, slotId: cancel.slotId, occurredAt: Date.now() },
      });
      return;
    }
    const book = event.value as EventOf<'BookSlot'>;
    const behaviour = this.behaviour.get(book.slotId) ?? 'confirm';
    if (behaviour === 'silent') {
      this.silenced.push(book);
      return;
    }
    if (behaviour === 'confirm') {
      await this.confirm(book);
      return;
    }
    await this.publisher.publish({
      event: AllEvents.SlotBookingRejected,
      key: book.appointmentId,
      value: {
        commandId: book.commandId,
        appointmentId: book.appointmentId,
        organisationOid,
        slotId: book.slotId,
        reason: 'SLOT_TAKEN',
        misErrorCode: '308',
        message: 'Время уже занято',
        occurredAt: Date.now(),
      },
    });
  }
}

let slotSeq = 0;

describe('the booking flow: hold, book at the MIS, cancel, reschedule, waitlist', () => {
  const group = uniqueName('booking-flow-it');
  const schema = `booking_flow_${run}`.slice(0, 60);
  let app: INestApplication;
  let baseUrl: string;
  let publisher: EventPublisher;
  let adapter: ScriptedAdapter;

  const therapist: EventOf<'ResourcePublished'> = {
    resourceId: `${organisationOid}:doc-t`,
    organisationOid,
    localResourceId: 'doc-t',
    federalPractitionerId: null,
    practitionerSnils: null,
    displayName: 'Терапевт А. А.',
    specialty: { nsiCode: '76', misCode: 'T', misName: 'Терапия' },
    position: null,
    departmentOid: null,
    departmentName: null,
    room: '1',
    active: true,
    sourceVersion: 1,
    occurredAt: Date.now(),
    patientSex: null,
    minPatientAgeYears: 18,
    maxPatientAgeYears: null,
    attachmentRequired: true,
  };
  const gynaecologist: EventOf<'ResourcePublished'> = {
    ...therapist,
    resourceId: `${organisationOid}:doc-g`,
    localResourceId: 'doc-g',
    specialty: { nsiCode: '2', misCode: 'G', misName: 'Гинекология' },
    patientSex: 'FEMALE',
    minPatientAgeYears: null,
    attachmentRequired: false,
  };

  function aSlot(resource: EventOf<'ResourcePublished'>, startsAt: number): EventOf<'SlotPublished'> {
    const localSlotId = `s${++slotSeq}`;
    return {
      slotId: `${organisationOid}:${localSlotId}`,
      localSlotId,
      organisationOid,
      resourceId: resource.resourceId,
      localResourceId: resource.localResourceId,
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

  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : undefined) as { error?: unknown } | undefined;
    // Errors come as { error: { code, message, details } }.
    return { status: response.status, body: (parsed?.error ?? parsed) as T };
  }

  async function patient(policy: string, extra: Record<string, unknown> = {}): Promise<string> {
    const { status, body } = await call<{ patientId: string }>('POST', '/v1/patients/identify', { organisationOid, policyNumber: policy, ...extra });
    if (status !== 200) throw new Error(`identify answered ${status}: ${JSON.stringify(body)}`);
    return body.patientId;
  }

  async function freeSlots(resourceId: string): Promise<string[]> {
    const { body } = await call<SlotPage>('GET', `/v1/slots?practitioner=${encodeURIComponent(resourceId)}&freeOnly=true&limit=200&from=2031-01-01T00:00:00Z`);
    return body.items.map((s) => s.slotId);
  }

  async function publishedSlot(resource: EventOf<'ResourcePublished'>, startsAt: number): Promise<EventOf<'SlotPublished'>> {
    const slot = aSlot(resource, startsAt);
    await publish('SlotPublished', slot.slotId, slot);
    await waitFor(async () => (await freeSlots(resource.resourceId)).includes(slot.slotId), `slot ${slot.slotId} in the inventory`);
    return slot;
  }

  async function activeAppointmentsOn(slotId: string): Promise<number> {
    const rows: { n: string }[] = await app
      .get<DataSource>(getDataSourceToken())
      .query(`SELECT count(*) AS n FROM booking_appointment WHERE slot_id = $1 AND status IN ('PENDING', 'CONFIRMED', 'CANCELLING')`, [slotId]);
    return Number(rows[0].n);
  }

  beforeAll(async () => {
    await ensureTopics({ ...testConnection(), namespace }, [Topics.appointment, Topics.waitlist, ...adapterTopicsOf(adapterId), ...adapterTopicsOf(intruderId)], 3);
    publisher = new EventPublisher({ ...testConnection(), namespace }, { origin: adapterId });
    adapter = new ScriptedAdapter(publisher);
    await adapter.start(uniqueName('scripted-adapter'));
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
        BOOKING_RESPONSE_TIMEOUT_MS: '2000',
        BOOKING_HOLD_TTL_MS: '1500',
        BOOKING_SWEEP_INTERVAL_MS: '200',
        WAITLIST_RESERVATION_MS: '60000',
        BOOKING_MIS_ADAPTERS: `${adapterId}=${adapter.url}`,
        BOOKING_MIS_ADAPTER_API_KEY: adapterKey,
        BOOKING_DATA_KEYS: `int1=${randomBytes(32).toString('base64')}`,
        // Some forty identifications in a minute: the rate limit is not what this test is about.
        BOOKING_IDENTIFY_PER_MINUTE: '1000',
      },
      { port: 0, logger: false },
    );
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    apiKey = (await app.get(ClientsService).issue({ clientId: `operator-${run}`.slice(0, 60), role: 'OPERATOR' })).secret;
    await registerAdapter(app.get<DataSource>(getDataSourceToken()), adapterId, [organisationOid]);
    await registerAdapter(app.get<DataSource>(getDataSourceToken()), intruderId, [`8.${run}.2`]);
    await publish('OrganisationPublished', organisationOid, {
      organisationOid,
      fullName: 'Поликлиника №1',
      shortName: 'П-1',
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
    await publish('ResourcePublished', gynaecologist.resourceId, gynaecologist);
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
  });

  afterAll(async () => {
    await app?.close();
    await dropSchemas(schema);
    await adapter?.stop();
    await publisher?.close();
    await deleteNamespaceTopics(testConnection(), namespace).catch(() => undefined);
  });

  it('books an identified patient into a free slot at the MIS, and the slot leaves free search', async () => {
    const slot = await publishedSlot(therapist, day0);
    const alice = await patient('1000000000000001');
    const { status, body } = await call<AppointmentView>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: alice });
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: 'CONFIRMED', slotId: slot.slotId, patientId: alice, misAppointmentId: slot.localSlotId });
    expect(await freeSlots(therapist.resourceId)).not.toContain(slot.slotId);
    const command = adapter.commandsFor(body.appointmentId)[0].value as EventOf<'BookSlot'>;
    expect(command).toMatchObject({ misPatientId: 'P-1000000000000001', localSlotId: slot.localSlotId, replacesMisAppointmentId: null });
    const history = await call<{ items: AppointmentView[] }>('GET', `/v1/appointments?patientId=${alice}`);
    expect(history.body.items.map((a) => a.appointmentId)).toEqual([body.appointmentId]);
  });

  it('lets only one of twenty concurrent callers book a slot, and sends the MIS one command', async () => {
    const slot = await publishedSlot(therapist, day0 + minutes(60));
    const patients = await Promise.all(Array.from({ length: 20 }, (_, i) => patient(`20000000000000${String(i).padStart(2, '0')}`)));
    const answers = await Promise.all(patients.map((p) => call<{ code?: string }>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: p })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status !== 201).every((a) => a.status === 409 && a.body.code === 'BOOKING.SLOT_TAKEN')).toBe(true);
    expect(await activeAppointmentsOn(slot.slotId)).toBe(1);
    expect(adapter.commands.filter((c) => (c.value as { slotId: string }).slotId === slot.slotId)).toHaveLength(1);
  });

  it('answers the MIS refusal of a slot taken at the front desk with 308 semantics and shows the slot taken', async () => {
    const slot = await publishedSlot(therapist, day0 + minutes(120));
    adapter.behaviour.set(slot.slotId, 'taken');
    const bob = await patient('3000000000000001');
    const { status, body } = await call<{ code: string; details: { appointmentId: string } }>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: bob });
    expect(status).toBe(409);
    expect(body.code).toBe('BOOKING.SLOT_TAKEN');
    const appointment = await call<AppointmentView>('GET', `/v1/appointments/${body.details.appointmentId}`);
    expect(appointment.body).toMatchObject({ status: 'REJECTED', rejection: { code: 'BOOKING.SLOT_TAKEN' } });
    const page = await call<SlotPage>('GET', `/v1/slots?practitioner=${encodeURIComponent(therapist.resourceId)}&from=2031-01-01T00:00:00Z&limit=200`);
    expect(page.body.items.find((s) => s.slotId === slot.slotId)?.status).toBe('BOOKED');
    expect(await activeAppointmentsOn(slot.slotId)).toBe(0);
  });

  it('answers PENDING when the MIS is slow, and applies its late answer once', async () => {
    const slot = await publishedSlot(therapist, day0 + minutes(180));
    adapter.behaviour.set(slot.slotId, 'silent');
    const carol = await patient('4000000000000001');
    const started = Date.now();
    const { status, body } = await call<AppointmentView>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: carol });
    expect(status).toBe(202);
    expect(body.status).toBe('PENDING');
    expect(Date.now() - started).toBeLessThan(4_000);
    const command = await waitFor(async () => adapter.silenced.find((c) => c.appointmentId === body.appointmentId), 'the command at the adapter');
    await adapter.confirm(command);
    await adapter.confirm(command);
    await adapter.confirm(command, `another-delivery-${randomUUID()}`);
    await waitFor(async () => (await call<AppointmentView>('GET', `/v1/appointments/${body.appointmentId}`)).body.status === 'CONFIRMED', 'the late confirmation');
    await new Promise((r) => setTimeout(r, 500));
    const rows: { n: string }[] = await app
      .get<DataSource>(getDataSourceToken())
      .query(`SELECT count(*) AS n FROM medbus_outbox WHERE event_type = 'AppointmentBooked' AND message_key = $1`, [body.appointmentId]);
    expect(Number(rows[0].n)).toBe(1);
  });

  it("refuses an outcome from an adapter the command was not sent to, and applies the adapter of record's", async () => {
    const slot = await publishedSlot(therapist, day0 + minutes(195));
    adapter.behaviour.set(slot.slotId, 'silent');
    const dave = await patient('4200000000000001');
    const { body } = await call<AppointmentView>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: dave });
    const command = await waitFor(async () => adapter.silenced.find((c) => c.appointmentId === body.appointmentId), 'the command at the adapter');
    const intruder = new EventPublisher({ ...testConnection(), namespace }, { origin: intruderId });
    const deadLetters = await collectTopic(deadLetterTopicOf(adapterTopicOf(Topics.bookingCommandOutcome, intruderId, namespace), namespace));
    try {
      await intruder.publish({
        event: AllEvents.SlotBookingRejected,
        key: command.appointmentId,
        value: { commandId: command.commandId, appointmentId: command.appointmentId, organisationOid, slotId: command.slotId, reason: 'SLOT_TAKEN', misErrorCode: '308', message: 'forged', occurredAt: Date.now() },
      });
      // Barrier: the forged outcome is dead-lettered once the outcome consumer has dealt with it.
      const [letter] = await waitFor(async () => deadLetters.records.length > 0 && deadLetters.records, 'the forged outcome dead-lettered');
      expect(letter.headers[Headers.deadLetterCode]).toBe('MIS.ORGANISATION_NOT_SERVED');
      expect((await call<AppointmentView>('GET', `/v1/appointments/${body.appointmentId}`)).body.status).toBe('PENDING');
      const audit: unknown[] = await app
        .get<DataSource>(getDataSourceToken())
        .query(`SELECT 1 FROM audit_event WHERE action = 'mis.outcome' AND outcome = 'REFUSED' AND client_id = $1 AND resource_id = $2`, [intruderId, body.appointmentId]);
      expect(audit).toHaveLength(1);
    } finally {
      await deadLetters.stop();
      await intruder.close();
    }
    await adapter.confirm(command);
    await waitFor(async () => (await call<AppointmentView>('GET', `/v1/appointments/${body.appointmentId}`)).body.status === 'CONFIRMED', "the adapter of record's confirmation");
  });

  it('refuses a booking no adapter answered by its deadline, frees the slot, and cancels a confirmation that comes after', async () => {
    const slot = await publishedSlot(therapist, day0 + minutes(210));
    adapter.behaviour.set(slot.slotId, 'silent');
    const olga = await patient('4100000000000001');
    const { status, body } = await call<AppointmentView>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: olga });
    expect(status).toBe(202);
    const command = await waitFor(async () => adapter.silenced.find((c) => c.appointmentId === body.appointmentId), 'the command at the adapter');
    const dataSource = app.get<DataSource>(getDataSourceToken());
    // The deadline and its grace have passed (instead of waiting BOOKING_PENDING_GRACE_MS).
    await dataSource.query(`UPDATE booking_appointment SET deadline = now() - interval '1 hour' WHERE appointment_id = $1`, [body.appointmentId]);
    // This call, or the poller's own run (every 200 ms here) if it comes first, refuses it.
    await app.get(PendingExpiryPoller).expire();
    expect((await call<AppointmentView>('GET', `/v1/appointments/${body.appointmentId}`)).body).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 'BOOKING.MIS_DEADLINE_EXCEEDED' },
    });
    expect(await freeSlots(therapist.resourceId)).toContain(slot.slotId);
    await adapter.confirm(command);
    await waitFor(async () => adapter.commandsFor(body.appointmentId).some((c) => c.eventType === 'CancelAppointment'), 'the compensating cancellation');
    expect((await call<AppointmentView>('GET', `/v1/appointments/${body.appointmentId}`)).body.status).toBe('REJECTED');
  });

  it('returns the same appointment for a repeated Idempotency-Key and refuses the key with another body', async () => {
    const slot = await publishedSlot(therapist, day0 + minutes(240));
    const other = await publishedSlot(therapist, day0 + minutes(255));
    const dave = await patient('5000000000000001');
    const key = `key-${randomUUID()}`;
    const first = await call<AppointmentView>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: dave }, { 'idempotency-key': key });
    const again = await call<AppointmentView>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: dave }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.appointmentId).toBe(first.body.appointmentId);
    expect(adapter.commandsFor(first.body.appointmentId)).toHaveLength(1);
    const reused = await call<{ code: string }>('POST', '/v1/appointments', { slotId: other.slotId, patientId: dave }, { 'idempotency-key': key });
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('BOOKING.IDEMPOTENCY_KEY_REUSED');
  });

  it('keeps a held slot from other callers, lets its holder book it, and releases an expired hold', async () => {
    const slot = await publishedSlot(therapist, day0 + minutes(300));
    const erin = await patient('6000000000000001');
    const frank = await patient('6000000000000002');
    const hold = await call<{ holdId: string }>('POST', '/v1/holds', { slotId: slot.slotId });
    expect(hold.status).toBe(201);
    expect(await freeSlots(therapist.resourceId)).not.toContain(slot.slotId);
    const stolen = await call<{ code: string }>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: frank });
    expect(stolen.body.code).toBe('BOOKING.SLOT_HELD');
    const booked = await call<AppointmentView>('POST', '/v1/appointments', { slotId: slot.slotId, patientId: erin, holdId: hold.body.holdId });
    expect(booked.status).toBe(201);

    const lapsing = await publishedSlot(therapist, day0 + minutes(315));
    const expiring = await call<{ holdId: string }>('POST', '/v1/holds', { slotId: lapsing.slotId });
    expect(expiring.status).toBe(201);
    await waitFor(async () => (await freeSlots(therapist.resourceId)).includes(lapsing.slotId), 'the expired hold released');
    const late = await call<{ code: string }>('POST', '/v1/appointments', { slotId: lapsing.slotId, patientId: frank, holdId: expiring.body.holdId });
    expect(late.status).toBe(201);
  });

  it('refuses by the rules with stable codes: past slot, sex, attachment, same doctor the same day, specialty', async () => {
    const past = aSlot(therapist, Date.now() - minutes(60));
    await publish('SlotPublished', past.slotId, past);
    const gyn = await publishedSlot(gynaecologist, day0 + minutes(360));
    const t1 = await publishedSlot(therapist, day0 + minutes(375));
    const t2 = await publishedSlot(therapist, day0 + minutes(390));
    const man = await patient('7000000000000001', { sex: 'MALE', birthDate: '1980-01-01' });
    const detached = await patient('0000000000000071');
    await waitFor(async () => {
      const rows: unknown[] = await app.get<DataSource>(getDataSourceToken()).query(`SELECT 1 FROM inventory_slot WHERE slot_id = $1`, [past.slotId]);
      return rows.length > 0;
    }, 'the past slot');
    const codeOf = async (slotId: string, patientId: string, extra: object = {}) =>
      (await call<{ code: string }>('POST', '/v1/appointments', { slotId, patientId, ...extra })).body.code;
    expect(await codeOf(past.slotId, man)).toBe('BOOKING.SLOT_IN_PAST');
    expect(await codeOf(gyn.slotId, man)).toBe('BOOKING.PATIENT_NOT_ELIGIBLE');
    expect(await codeOf(t1.slotId, detached)).toBe('BOOKING.PATIENT_NOT_ATTACHED');
    expect(await codeOf(t1.slotId, man, { specialtyCode: '2' })).toBe('BOOKING.SPECIALTY_NOT_PROVIDED');
    expect((await call<AppointmentView>('POST', '/v1/appointments', { slotId: t1.slotId, patientId: man, specialtyCode: '76' })).status).toBe(201);
    expect(await codeOf(t2.slotId, man)).toBe('BOOKING.PATIENT_ALREADY_BOOKED');
    expect(await activeAppointmentsOn(t2.slotId)).toBe(0);
  });

  it('reschedules in one MIS command, cancels, and offers the freed slot to the waitlisted patient first', async () => {
    const first = await publishedSlot(therapist, day0 + minutes(24 * 60));
    const second = await publishedSlot(therapist, day0 + minutes(24 * 60 + 15));
    const grace = await patient('8000000000000001');
    const heidi = await patient('8000000000000002');
    const ivan = await patient('8000000000000003');
    const booked = await call<AppointmentView>('POST', '/v1/appointments', { slotId: first.slotId, patientId: grace });
    const moved = await call<AppointmentView>('POST', `/v1/appointments/${booked.body.appointmentId}/reschedule`, { slotId: second.slotId });
    expect(moved.status).toBe(201);
    expect(moved.body).toMatchObject({ status: 'CONFIRMED', slotId: second.slotId, replacesAppointmentId: booked.body.appointmentId });
    expect((adapter.commandsFor(moved.body.appointmentId)[0].value as EventOf<'BookSlot'>).replacesMisAppointmentId).toBe(first.localSlotId);
    expect((await call<AppointmentView>('GET', `/v1/appointments/${booked.body.appointmentId}`)).body.status).toBe('RESCHEDULED');
    expect(await freeSlots(therapist.resourceId)).toContain(first.slotId);

    const entry = await call<{ entryId: string; status: string }>('POST', '/v1/waitlist', {
      patientId: heidi,
      organisationOid,
      resourceId: therapist.resourceId,
      preferredIntervals: [{ from: new Date(day0 + minutes(24 * 60 + 10)).toISOString(), to: new Date(day0 + minutes(24 * 60 + 20)).toISOString() }],
      contactPhone: '+7 900 000-00-00',
    });
    expect(entry.status).toBe(201);
    expect(entry.body.status).toBe('WAITING');
    const stored: { contact_phone: string }[] = await app
      .get<DataSource>(getDataSourceToken())
      .query(`SELECT contact_phone FROM booking_waitlist_entry WHERE entry_id = $1`, [entry.body.entryId]);
    expect(stored[0].contact_phone).toMatch(/^v1:int1:/);
    expect(stored[0].contact_phone).not.toContain('900 000-00-00');
    expect((await call<{ contactPhone: string }>('GET', `/v1/waitlist/${entry.body.entryId}`)).body.contactPhone).toBe('+7 900 000-00-00');
    const cancelled = await call<AppointmentView>('POST', `/v1/appointments/${moved.body.appointmentId}/cancel`, {});
    expect(cancelled.body.status).toBe('CANCELLED');
    const offered = await call<{ status: string; offer: { offerId: string; slotId: string } }>('GET', `/v1/waitlist/${entry.body.entryId}`);
    expect(offered.body).toMatchObject({ status: 'OFFERED', offer: { slotId: second.slotId } });
    expect(await freeSlots(therapist.resourceId)).not.toContain(second.slotId);
    const someoneElse = await call<{ code: string }>('POST', '/v1/appointments', { slotId: second.slotId, patientId: ivan });
    expect(someoneElse.body.code).toBe('BOOKING.SLOT_RESERVED');
    const taken = await call<AppointmentView>('POST', '/v1/appointments', { slotId: second.slotId, patientId: heidi, holdId: offered.body.offer.offerId });
    expect(taken.status).toBe(201);
    expect((await call<{ status: string; contactPhone: string | null }>('GET', `/v1/waitlist/${entry.body.entryId}`)).body).toMatchObject({
      status: 'BOOKED',
      contactPhone: null,
    });
  });

  it('offers a slot of a newly opened day to the waitlisted patient, and gives it to everyone when the offer is withdrawn', async () => {
    const judy = await patient('8100000000000001');
    const kate = await patient('8100000000000002');
    const newDay = day0 + minutes(3 * 24 * 60);
    const entry = await call<{ entryId: string }>('POST', '/v1/waitlist', {
      patientId: judy,
      organisationOid,
      specialtyCode: '2',
      preferredIntervals: [{ from: new Date(newDay).toISOString(), to: new Date(newDay + minutes(60)).toISOString() }],
    });
    expect(entry.status).toBe(201);
    const opened = aSlot(gynaecologist, newDay + minutes(15));
    await publish('SlotPublished', opened.slotId, opened);
    const offered = await waitFor(async () => {
      const { body } = await call<{ status: string; offer: { slotId: string } | null }>('GET', `/v1/waitlist/${entry.body.entryId}`);
      return body.status === 'OFFERED' && body.offer;
    }, 'the offer of the new day');
    expect(offered.slotId).toBe(opened.slotId);
    expect(await freeSlots(gynaecologist.resourceId)).not.toContain(opened.slotId);
    expect((await call<{ code: string }>('POST', '/v1/appointments', { slotId: opened.slotId, patientId: kate })).body.code).toBe('BOOKING.SLOT_RESERVED');
    const withdrawn = await call<{ status: string }>('DELETE', `/v1/waitlist/${entry.body.entryId}`);
    expect(withdrawn.body.status).toBe('CANCELLED');
    expect((await call<AppointmentView>('POST', '/v1/appointments', { slotId: opened.slotId, patientId: kate })).status).toBe(201);
  });

  it('refuses unknown patients, bad bodies and missing keys with stable codes', async () => {
    expect((await call<{ code: string }>('POST', '/v1/patients/identify', { organisationOid, policyNumber: '9999000000000000' })).body.code).toBe('PATIENT.NOT_FOUND');
    expect((await call<{ code: string }>('POST', '/v1/appointments', { slotId: 1, patientId: 'x' })).body.code).toBe('BOOKING.INVALID_REQUEST');
    expect((await call<{ code: string }>('POST', '/v1/appointments', { slotId: 'a', patientId: randomUUID() })).body.code).toBe('BOOKING.PATIENT_NOT_FOUND');
    for (const path of ['/v1/appointments/not-a-uuid', '/v1/holds/not-a-uuid', '/v1/waitlist/not-a-uuid']) {
      const answer = await call<{ code: string }>('GET', path);
      expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 400, code: 'BOOKING.INVALID_REQUEST' });
    }
    expect((await call<{ code: string }>('DELETE', '/v1/holds/not-a-uuid')).status).toBe(400);
    const broken = await fetch(`${baseUrl}/v1/patients/identify`, {
      method: 'POST',
      body: '{"organisationOid": ',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('HTTP.400');
    const anonymous = await fetch(`${baseUrl}/v1/appointments`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(anonymous.status).toBe(401);
  });
});
