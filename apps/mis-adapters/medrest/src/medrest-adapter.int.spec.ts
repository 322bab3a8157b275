import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@medbus/config';
import { AllEvents, Topics, type BookSlot, type CancelAppointment } from '@medbus/contracts';
import { AvroCodec, EventPublisher, adapterTopicOf, adapterTopicsOf, deleteNamespaceTopics, ensureTopics, type OutgoingEvent } from '@medbus/kafka';
import {
  collectTopic,
  freePort,
  stackAddresses,
  stackKafkaEnv,
  startProcess,
  testConnection,
  uniqueName,
  waitFor,
  waitForHttp,
  type RawRecord,
  type ServiceProcess,
} from '@medbus/testing';
import { DataSource } from 'typeorm';
import { medRestAdapterConfigSchema } from './medrest.config';
import { MedRestAdapter } from './medrest-adapter.module';

const root = join(__dirname, '..', '..', '..', '..');
const adminToken = 'medrestsim-admin-token-test';
const misApiKey = 'medrest-int-test-key-0001';
const webhookSecret = 'medrest-int-test-webhook-secret-0001';
const patientApiKey = 'booking-service-test-key-0001';

interface SimOrganisation {
  readonly idLpu: number;
  readonly oid: string;
  readonly notifies: boolean;
}

interface SimDoctor {
  readonly idLpu: number;
  readonly idDoc: string;
  readonly specialtyCode: string;
}

/** A slot as the shared admin API shows it, with MedREST's view of it merged in. */
interface SimSlot {
  readonly id: string;
  readonly idDoc: string;
  readonly start: string;
  readonly state: string;
  readonly booking: { readonly idPat: string } | null;
}

interface SimPatient {
  readonly idPat: string;
  readonly policyNumber: string;
}

/** The real publisher, remembering what this adapter instance sent. */
class RecordingPublisher extends EventPublisher {
  readonly sent: OutgoingEvent[] = [];

  override async publishAll(events: readonly OutgoingEvent[]): Promise<string[]> {
    const ids = await super.publishAll(events);
    this.sent.push(...events);
    return ids;
  }

  schedule(): Array<{ type: string; key: string; status?: unknown; organisationOid?: unknown }> {
    return this.sent
      .filter((e) => e.event.topic !== Topics.adapterHeartbeat)
      .map((e) => {
        const value = e.value as { status?: unknown; organisationOid?: unknown };
        return { type: e.event.name, key: e.key, status: value.status, organisationOid: value.organisationOid };
      });
  }
}

describe('the MedREST adapter against the simulator, Kafka and Postgres', () => {
  const codec = new AvroCodec(stackAddresses().schemaRegistryUrl);
  const adapterId = uniqueName('medrest-test');
  const namespace = uniqueName('medrest-adapter');
  const schema = `mis_adapter_it_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
  const collectors: Array<{ records: RawRecord[]; stop: () => Promise<void> }> = [];
  let slotRecords: RawRecord[];
  let outcomes: RawRecord[];
  let heartbeats: RawRecord[];
  let simulator: ServiceProcess;
  let simUrl: string;
  let adapterPort: number;
  let organisations: SimOrganisation[];
  let doctors: SimDoctor[];
  let publisher: RecordingPublisher;
  let commands: EventPublisher;
  let adapter: MedRestAdapter;

  async function admin<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${simUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`admin ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  /** The vendor's own API, as the adapter reads it. */
  async function mis<T>(path: string): Promise<T> {
    const res = await fetch(`${simUrl}/api/v2${path}`, { headers: { 'x-api-key': misApiKey } });
    if (!res.ok) throw new Error(`MedREST ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  const oidOf = (idLpu: number) => organisations.find((o) => o.idLpu === idLpu)?.oid ?? '';
  const inScope = () => organisations.slice(0, 3);
  const outOfScope = () => organisations[3] as SimOrganisation;
  const notifying = () => inScope().find((o) => o.notifies) as SimOrganisation;
  const silent = () => inScope().find((o) => !o.notifies) as SimOrganisation;
  const doctorOf = (specialtyCode: string) => {
    const doctor = doctors.find((d) => d.specialtyCode === specialtyCode && inScope().some((o) => o.idLpu === d.idLpu));
    if (!doctor) throw new Error(`the simulated region has no ${specialtyCode} doctor in scope`);
    return doctor;
  };
  /** A doctor of a facility that sends no webhooks, whose specialty restricts no one. */
  const anyoneDoctor = () => doctors.find((d) => d.idLpu === silent().idLpu && ['KAR', 'HIR', 'NEV', 'LOR', 'OFT'].includes(d.specialtyCode)) as SimDoctor;
  const taken = new Set<string>();
  /** A free slot of the doctor from tomorrow on, not used by another test yet. */
  async function freeSlot(doctor: SimDoctor): Promise<SimSlot> {
    const free = await admin<SimSlot[]>(`/admin/slots?idLpu=${doctor.idLpu}&idDoc=${doctor.idDoc}&state=free`);
    const slot = free.reverse().find((s) => !taken.has(s.id));
    if (!slot) throw new Error('no free slot left');
    taken.add(slot.id);
    return slot;
  }
  const modelIdOf = (slot: SimSlot) => slot.id.replace(/^slt-/, '');
  const slotIdOf = (doctor: SimDoctor, slot: SimSlot) => `${oidOf(doctor.idLpu)}:${slot.id}`;
  const slotState = (slot: SimSlot) => admin<SimSlot>(`/admin/slots?slotId=${modelIdOf(slot)}`);
  const aPatient = (idLpu: number, extra: Record<string, unknown> = {}) => admin<SimPatient>('/admin/patients', { idLpu, ...extra });
  const misPatientIdOf = (idLpu: number, patient: SimPatient) => `pat-${idLpu}-${patient.idPat}`;

  /** Values on mis.slot under `key` with `event-type` `type`, observed at or after `since`. */
  async function slotEvents(key: string, type: string, since: number): Promise<Array<Record<string, unknown>>> {
    const values = [];
    for (const record of slotRecords.filter((r) => r.key === key && r.headers['event-type'] === type)) {
      const value = (await codec.decode(record.value)).value as Record<string, unknown>;
      if (Number(value.occurredAt) >= since) values.push(value);
    }
    return values;
  }
  const arrivesOnKafka = (key: string, type: string, since: number, status: string, timeoutMs = 10_000) =>
    waitFor(async () => (await slotEvents(key, type, since)).find((v) => v.status === status), `${type} ${status} of ${key} on mis.slot`, timeoutMs);

  function bookSlot(doctor: SimDoctor, slot: Pick<SimSlot, 'id'>, misPatientId: string, overrides: Partial<BookSlot> = {}): BookSlot {
    const oid = oidOf(doctor.idLpu);
    return {
      commandId: randomUUID(),
      appointmentId: randomUUID(),
      slotId: `${oid}:${slot.id}`,
      localSlotId: slot.id,
      organisationOid: oid,
      resourceId: `${oid}:prc-${doctor.idLpu}-${doctor.idDoc}`,
      localResourceId: `prc-${doctor.idLpu}-${doctor.idDoc}`,
      misPatientId,
      requestedBy: 'CONTACT_CENTRE',
      requestedAt: Date.now(),
      deadline: Date.now() + 20_000,
      replacesMisAppointmentId: null,
      ...overrides,
    };
  }

  function cancelOf(booking: BookSlot, misAppointmentId: string): CancelAppointment {
    const { appointmentId, organisationOid, slotId, localSlotId, misPatientId } = booking;
    return { commandId: randomUUID(), appointmentId, organisationOid, slotId, localSlotId, misAppointmentId, misPatientId, requestedBy: 'CONTACT_CENTRE', requestedAt: Date.now() };
  }

  async function send(command: BookSlot | CancelAppointment): Promise<void> {
    const event = 'deadline' in command ? AllEvents.BookSlot : AllEvents.CancelAppointment;
    await commands.publish({ event, key: command.appointmentId, value: command, adapterId });
  }

  async function outcomesOf(commandId: string): Promise<Array<{ type: string; value: Record<string, unknown> }>> {
    const found = [];
    for (const record of outcomes) {
      const value = (await codec.decode(record.value)).value as Record<string, unknown>;
      if (value.commandId === commandId) found.push({ type: record.headers['event-type'] ?? '', value });
    }
    return found;
  }
  const outcomeOf = (commandId: string) => waitFor(async () => (await outcomesOf(commandId))[0], `the outcome of command ${commandId}`, 30_000);

  const identify = (body: unknown) =>
    fetch(`http://127.0.0.1:${adapterPort}/v1/patients/identify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${patientApiKey}` },
      body: JSON.stringify(body),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));

  /** The simulator's request log from line `from` on: one JSON line per API request (route and status, never ids). */
  const requestLog = (from = 0) =>
    readFileSync(simulator.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"msg":"request"'))
      .slice(from)
      .map((line) => JSON.parse(line) as { route: string | null; status: number });

  beforeAll(async () => {
    await ensureTopics({ ...testConnection(), namespace }, adapterTopicsOf(adapterId), 3);
    for (const topic of [Topics.slot, Topics.bookingCommandOutcome, Topics.adapterHeartbeat]) collectors.push(await collectTopic(adapterTopicOf(topic, adapterId, namespace)));
    [slotRecords, outcomes, heartbeats] = collectors.map((c) => c.records);

    const simPort = await freePort();
    adapterPort = await freePort();
    simUrl = `http://127.0.0.1:${simPort}`;
    simulator = startProcess({
      name: 'medrest-sim',
      command: join(root, 'node_modules', '.bin', 'tsx'),
      args: [
        '--tsconfig',
        'tsconfig.base.json',
        'tools/simulators/medrest/simulator.cli.ts',
        ...['--port', String(simPort), '--organisations', '4', '--doctors-per-org', '4', '--horizon-days', '3', '--admin-token', adminToken, '--api-key', misApiKey],
        ...['--walkin-rate', '0', '--cancel-rate', '0', '--sick-per-day', '0', '--day-length', '0'],
        ...['--webhook-url', `http://127.0.0.1:${adapterPort}/webhooks/medrest`, '--webhook-share', '0.5', '--webhook-secret', webhookSecret],
        // Organisations of our own OID root: no other test's adapter publishes for them.
        ...['--oid-root', `1.2.643.5.1.13.13.12.2.97.${Date.now() % 1_000_000_000}`, '--log-requests', 'true'],
      ],
      env: { ...process.env },
      cwd: root,
      logFile: join(root, '.medbus', 'logs', `${adapterId}-sim.log`),
    });
    await waitForHttp(`${simUrl}/health`, simulator, 60_000);
    organisations = await admin<SimOrganisation[]>('/admin/organisations');
    doctors = (await admin<{ doctors: SimDoctor[] }>('/admin/code-map')).doctors;
    expect(inScope().some((o) => o.notifies) && inScope().some((o) => !o.notifies)).toBe(true);

    const { brokers, schemaRegistryUrl, sasl, ssl } = testConnection();
    const config = loadConfig(medRestAdapterConfigSchema, {
      KAFKA_BROKERS: brokers.join(','),
      ...stackKafkaEnv(),
      KAFKA_CLIENT_ID: adapterId,
      KAFKA_NAMESPACE: namespace,
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
      OTEL_SERVICE_NAME: 'mis-adapter-medrest-test',
      OTEL_SDK_DISABLED: 'true',
      MEDREST_BASE_URL: `${simUrl}/api/v2`,
      MEDREST_API_KEY: misApiKey,
      MEDREST_WEBHOOK_SECRET: webhookSecret,
      MEDREST_CHANGES_INTERVAL_MS: '300',
      ADAPTER_ID: adapterId,
      HTTP_PORT: String(adapterPort),
      ADAPTER_ORGANISATIONS: inScope()
        .map((o) => o.oid)
        .join(','),
      POLL_INTERVAL_MS: '600000',
      HEARTBEAT_INTERVAL_MS: '500',
      BREAKER_OPEN_MS: '300',
      HORIZON_DAYS: '3',
      DATABASE_URL: stackAddresses().databaseUrl,
      ADAPTER_DATABASE_SCHEMA: schema,
      COMMAND_RETRY_MAX_MS: '500',
      COMMAND_VERIFY_WINDOW_MS: '5000',
      ADAPTER_API_KEYS: patientApiKey,
    });
    publisher = new RecordingPublisher({ brokers, clientId: adapterId, schemaRegistryUrl, namespace, sasl, ssl }, { origin: adapterId });
    commands = new EventPublisher({ ...testConnection(uniqueName('booking-service')), namespace });
    adapter = new MedRestAdapter(config, { publisher, httpHost: '127.0.0.1' });
    await adapter.start();
    await waitFor(async () => adapter.health().lastSuccessfulSyncAt !== null, 'the first pass', 60_000);
  }, 180_000);

  afterAll(async () => {
    await adapter?.stop();
    await publisher?.close();
    await commands?.close();
    await simulator?.stop();
    for (const collector of collectors) await collector.stop();
    const dataSource = new DataSource({ type: 'postgres', url: stackAddresses().databaseUrl });
    await dataSource.initialize();
    await dataSource.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await dataSource.destroy();
    await deleteNamespaceTopics(testConnection(), namespace).catch(() => undefined);
  });

  describe('reading the schedule', () => {
    it('publishes the organisations it serves, their practitioners and every slot with its status on the first pass, each once', async () => {
      const sent = publisher.schedule();
      expect(sent.filter((e) => e.type === 'OrganisationPublished').map((e) => e.key).sort()).toEqual(inScope().map((o) => o.oid).sort());
      expect(sent.filter((e) => e.type === 'ResourcePublished')).toHaveLength(12);
      const slots = sent.filter((e) => e.type.startsWith('Slot'));
      expect(slots.every((e) => e.type === 'SlotPublished')).toBe(true);
      expect(new Set(slots.map((e) => e.status))).toEqual(new Set(['FREE', 'BOOKED']));
      expect(new Set(slots.map((e) => e.key)).size).toBe(slots.length);
      const sample = slots[slots.length - 1] as { key: string };
      await waitFor(async () => (await slotEvents(sample.key, 'SlotPublished', 0)).length > 0, 'a slot on mis.slot');
    });

    it('reads an unchanged MIS again at the cost of a 304 per listing and publishes nothing', async () => {
      const before = publisher.schedule().length;
      const from = requestLog().length;
      await adapter.dialect.sync({ reassert: false });
      // Specialties, facilities, 3 practitioner listings, 12 slot listings; the simulator logs each request just after answering it.
      const listings = () => requestLog(from).filter((r) => r.route !== null && r.route.startsWith('GET') && r.route !== 'GET /api/v2/slots/changes');
      const pass = await waitFor(async () => listings().length >= 1 + 1 + 3 + 12 && listings(), 'the pass in the simulator’s request log');
      expect(pass.filter((r) => r.status !== 304)).toEqual([]);
      expect(publisher.schedule()).toHaveLength(before);
    });

    it('never publishes anything of an organisation the simulator lists but ADAPTER_ORGANISATIONS does not name, and says so in health', async () => {
      const foreign = outOfScope();
      const doctor = doctors.find((d) => d.idLpu === foreign.idLpu) as SimDoctor;
      await admin('/admin/walk-in', { slotId: modelIdOf(await freeSlot(doctor)) });
      // Barrier: a later change of a served facility, read through the same feed, has reached Kafka.
      const marker = anyoneDoctor();
      const markerSlot = await freeSlot(marker);
      const since = Date.now();
      await admin('/admin/walk-in', { slotId: modelIdOf(markerSlot) });
      await arrivesOnKafka(slotIdOf(marker, markerSlot), 'SlotChanged', since, 'BOOKED');

      expect(publisher.schedule().filter((e) => e.organisationOid === foreign.oid || e.key.startsWith(`${foreign.oid}:`) || e.key === foreign.oid)).toEqual([]);
      expect(adapter.health().outOfScope.organisations).toEqual([foreign.oid]);
    });

    it('turns a walk-in at a facility that sends webhooks into SlotChanged BOOKED on Kafka, through the signed webhook', async () => {
      const doctor = doctors.find((d) => d.idLpu === notifying().idLpu) as SimDoctor;
      const slot = await freeSlot(doctor);
      const acceptedBefore = adapter.health().webhooks?.accepted ?? 0;
      const since = Date.now();
      await admin('/admin/walk-in', { slotId: modelIdOf(slot) });
      await arrivesOnKafka(slotIdOf(doctor, slot), 'SlotChanged', since, 'BOOKED');
      await waitFor(async () => (adapter.health().webhooks?.accepted ?? 0) > acceptedBefore, 'the webhook taken');
    });

    it('turns a sick day at a facility that sends no webhooks into its slots BLOCKED on Kafka, through the change feed', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const changesBefore = adapter.health().changeFeed.changes;
      const since = Date.now();
      await admin('/admin/sick-day', { doctorId: doctor.idDoc, idLpu: doctor.idLpu, date: slot.start.slice(0, 10) });
      await arrivesOnKafka(slotIdOf(doctor, slot), 'SlotChanged', since, 'BLOCKED');
      expect(adapter.health().changeFeed.changes).toBeGreaterThan(changesBefore);
    });

    it('refuses an unsigned or forged webhook with 401 WEBHOOK.INVALID_SIGNATURE and counts it', async () => {
      const body = JSON.stringify({ id: 'evt-forged', type: 'schedule.changed', occurred_at: new Date().toISOString(), data: { facility_id: 'fac-1', practitioner_id: 'prc-1-D0101', date: '2026-12-01' } });
      const post = (signature?: string) =>
        fetch(`http://127.0.0.1:${adapterPort}/webhooks/medrest`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-medrest-signature': signature } : {}) }, body });
      const before = adapter.health().webhooks?.badSignature ?? 0;
      const unsigned = await post();
      const forged = await post(`t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}`);
      expect([unsigned.status, forged.status]).toEqual([401, 401]);
      expect(await forged.json()).toMatchObject({ code: 'WEBHOOK.INVALID_SIGNATURE' });
      expect(adapter.health().webhooks?.badSignature).toBe(before + 2);
    });

    it.each(['broken-json', 'wrong-types', 'html', 'huge'])(
      'counts a %s answer, publishes nothing from it and stays up',
      async (mode) => {
        const rejectedBefore = Object.values(adapter.health().rejectedResponses).reduce((a, b) => a + b, 0);
        const sentBefore = publisher.schedule().length;
        await admin('/admin/faults', { malformed: mode });
        try {
          await expect(adapter.dialect.sync({ reassert: true })).rejects.toMatchObject({ code: 'MIS.RESPONSE_REJECTED' });
        } finally {
          await admin('/admin/faults', { malformed: 'none' });
        }
        expect(Object.values(adapter.health().rejectedResponses).reduce((a, b) => a + b, 0)).toBeGreaterThan(rejectedBefore);
        expect(publisher.schedule()).toHaveLength(sentBefore);
        expect(adapter.health().misReachable).toBe(true);
      },
      30_000,
    );

    it('reports the MIS unreachable during an outage, and catches up by itself when it returns', async () => {
      const outageAt = Date.now();
      await admin('/admin/outage', { on: true });
      const doctor = anyoneDoctor();
      const missed = await freeSlot(doctor);
      try {
        for (let i = 0; i < 2; i++) await expect(adapter.dialect.sync({ reassert: false })).rejects.toMatchObject({ kind: 'unavailable' });
        expect(adapter.health().misReachable).toBe(false);
        const heartbeat = await waitFor(async () => {
          for (const record of heartbeats.filter((r) => r.key === adapterId)) {
            const value = (await codec.decode(record.value)).value as { misReachable: boolean; occurredAt: number };
            if (value.misReachable === false && Number(value.occurredAt) >= outageAt) return value;
          }
          return undefined;
        }, 'a heartbeat saying the MIS is unreachable');
        expect(heartbeat).toMatchObject({ adapterId, misReachable: false });
        await admin('/admin/walk-in', { slotId: modelIdOf(missed) });
      } finally {
        await admin('/admin/outage', { on: false });
      }
      await arrivesOnKafka(slotIdOf(doctor, missed), 'SlotChanged', outageAt, 'BOOKED', 20_000);
      await waitFor(async () => adapter.health().misReachable, 'the MIS reachable again');
    }, 60_000);
  });

  describe('booking commands', () => {
    it('books at the MIS and answers SlotBookingConfirmed with the MIS’s appointment id, and the slot goes BOOKED on Kafka', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const command = bookSlot(doctor, slot, misPatientIdOf(doctor.idLpu, patient));
      const since = Date.now();

      await send(command);

      const outcome = await outcomeOf(command.commandId);
      expect(outcome).toEqual({ type: 'SlotBookingConfirmed', value: expect.objectContaining({ appointmentId: command.appointmentId, misAppointmentId: expect.stringMatching(/^apt-/) }) });
      expect(await slotState(slot)).toMatchObject({ state: 'booked', booking: { idPat: patient.idPat } });
      await arrivesOnKafka(command.slotId, 'SlotChanged', since, 'BOOKED');
    });

    it('books once when the MIS’s answer is lost: the retry with the same idempotency key is answered with the first booking', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const misPatientId = misPatientIdOf(doctor.idLpu, patient);
      const command = bookSlot(doctor, slot, misPatientId);
      await admin('/admin/faults', { dropAnswers: 1 });

      await send(command);

      const outcome = await outcomeOf(command.commandId);
      const booked = await mis<{ data: Array<{ id: string; slot_id: string }> }>(`/patients/${misPatientId}/appointments?status=booked`);
      expect(booked.data).toEqual([expect.objectContaining({ slot_id: slot.id })]);
      expect(outcome).toMatchObject({ type: 'SlotBookingConfirmed', value: { misAppointmentId: booked.data[0]?.id } });
    });

    it('refuses SLOT_TAKEN (slot_unavailable) when the front desk took the slot', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      await admin('/admin/walk-in', { slotId: modelIdOf(slot) });
      const command = bookSlot(doctor, slot, misPatientIdOf(doctor.idLpu, patient));

      await send(command);

      const outcome = await outcomeOf(command.commandId);
      expect(outcome).toEqual({ type: 'SlotBookingRejected', value: expect.objectContaining({ reason: 'SLOT_TAKEN', misErrorCode: 'slot_unavailable' }) });
      expect(JSON.stringify(outcome.value)).not.toContain(patient.idPat);
    });

    it('passes on the MIS’s eligibility refusal of a man at the gynaecologist, whose restriction it published', async () => {
      const gynaecologist = doctorOf('GIN');
      const man = await aPatient(gynaecologist.idLpu, { sex: 'MALE' });
      const command = bookSlot(gynaecologist, await freeSlot(gynaecologist), misPatientIdOf(gynaecologist.idLpu, man));

      await send(command);

      expect(await outcomeOf(command.commandId)).toMatchObject({ type: 'SlotBookingRejected', value: { reason: 'PATIENT_NOT_ELIGIBLE', misErrorCode: 'sex_restricted' } });
      const resource = publisher.sent.find((e) => e.event.name === 'ResourcePublished' && e.key === command.resourceId)?.value;
      expect(resource).toMatchObject({ patientSex: 'FEMALE' });
    });

    it('moves a booking on reschedule in one MIS operation, then cancels it: the slot is free again', async () => {
      const doctor = anyoneDoctor();
      const [first, second] = [await freeSlot(doctor), await freeSlot(doctor)];
      const patient = await aPatient(doctor.idLpu);
      const misPatientId = misPatientIdOf(doctor.idLpu, patient);
      const booking = bookSlot(doctor, first, misPatientId);
      await send(booking);
      const booked = await outcomeOf(booking.commandId);
      const firstAppointment = String(booked.value.misAppointmentId);

      const move = bookSlot(doctor, second, misPatientId, { replacesMisAppointmentId: firstAppointment });
      await send(move);
      const moved = await outcomeOf(move.commandId);
      expect(moved).toMatchObject({ type: 'SlotBookingConfirmed' });
      expect(await slotState(first)).toMatchObject({ state: 'free' });
      expect(await slotState(second)).toMatchObject({ state: 'booked', booking: { idPat: patient.idPat } });

      const cancel = cancelOf(move, String(moved.value.misAppointmentId));
      await send(cancel);
      expect(await outcomeOf(cancel.commandId)).toMatchObject({ type: 'AppointmentCancellationConfirmed', value: { appointmentId: move.appointmentId } });
      expect(await slotState(second)).toMatchObject({ state: 'free', booking: null });

      const unknown = cancelOf(move, 'apt-999999');
      await send(unknown);
      expect(await outcomeOf(unknown.commandId)).toMatchObject({ type: 'AppointmentCancellationRejected', value: { reason: 'APPOINTMENT_NOT_FOUND', misErrorCode: 'appointment_not_found' } });
    }, 60_000);
  });

  describe('POST /v1/patients/identify', () => {
    it('finds a patient by policy number or by SNILS, with the attachment the MIS reports', async () => {
      const patient = await aPatient(1, { snils: '112-233-445 95', attached: false });
      const organisationOid = oidOf(1);
      expect(await identify({ organisationOid, policyNumber: patient.policyNumber })).toEqual({
        status: 200,
        body: { misPatientId: misPatientIdOf(1, patient), registered: false, attached: false },
      });
      expect((await identify({ organisationOid, snils: '112-233-445 95' })).body).toMatchObject({ misPatientId: misPatientIdOf(1, patient) });
    });

    it('registers a patient it does not find when asked to (attached, as the MIS files them), who can then book the district therapist', async () => {
      const therapist = doctorOf('TER');
      const body = { organisationOid: oidOf(therapist.idLpu), surname: 'Новикова', firstName: 'Елена', patronymic: 'Сергеевна', birthDate: '1979-02-03', phone: '+7 918 000-00-00' };
      expect(await identify(body)).toEqual({ status: 404, body: { code: 'PATIENT.NOT_FOUND', message: expect.any(String) } });

      const registered = await identify({ ...body, register: true });
      expect(registered).toEqual({ status: 200, body: { misPatientId: expect.stringMatching(/^pat-/), registered: true, attached: true } });
      expect((await identify(body)).body).toEqual({ misPatientId: registered.body.misPatientId, registered: false, attached: true });

      const command = bookSlot(therapist, await freeSlot(therapist), String(registered.body.misPatientId));
      await send(command);
      expect(await outcomeOf(command.commandId)).toMatchObject({ type: 'SlotBookingConfirmed' });
    });

    it('answers 409 PATIENT.AMBIGUOUS when name and birth date match two patients, and 404 for an organisation it does not serve', async () => {
      const twin = { surname: 'Смирнов', firstName: 'Олег', birthDate: '1990-09-09' };
      await aPatient(2, twin);
      await aPatient(2, twin);
      expect(await identify({ organisationOid: oidOf(2), ...twin })).toEqual({ status: 409, body: { code: 'PATIENT.AMBIGUOUS', message: expect.any(String) } });
      expect(await identify({ organisationOid: outOfScope().oid, policyNumber: '2300000000000001' })).toEqual({
        status: 404,
        body: { code: 'ORGANISATION.NOT_SERVED', message: expect.any(String) },
      });
    });
  });
});
