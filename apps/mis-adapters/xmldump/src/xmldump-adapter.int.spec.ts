import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { DataSource } from 'typeorm';
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
import { hostKeyFingerprint } from './dump-source.client';
import { xmlDumpAdapterConfigSchema, type XmlDumpAdapterConfig } from './xmldump.config';
import { XmlDumpAdapter } from './xmldump-adapter.module';

const root = join(__dirname, '..', '..', '..', '..');
const adminToken = 'xmldump-test-admin-token';
const login = 'medbus-test';
const password = 'xmldump-test-password';
const apiKey = 'booking-service-test-key-0001';

interface SimSlot {
  readonly ticketId: string;
  readonly idDoc: string;
  readonly state: string;
  readonly booking: { readonly idPat: string } | null;
}

interface SimPatient {
  readonly idPat: string;
  readonly policyNumber: string;
  readonly surname: string;
  readonly firstName: string;
  readonly birthDate: string;
  readonly bookings: ReadonlyArray<{ readonly idAppointment: string }>;
}

/** The real publisher, remembering what this adapter instance sent. */
class RecordingPublisher extends EventPublisher {
  readonly sent: OutgoingEvent[] = [];

  override async publishAll(events: readonly OutgoingEvent[]): Promise<string[]> {
    const ids = await super.publishAll(events);
    this.sent.push(...events);
    return ids;
  }

  schedule(): Array<{ type: string; key: string; status?: unknown }> {
    return this.sent
      .filter((e) => e.event.topic !== Topics.adapterHeartbeat)
      .map((e) => ({ type: e.event.name, key: e.key, status: (e.value as { status?: unknown }).status }));
  }
}

describe('the XMLDump adapter against the simulator, the real Kafka and Postgres', () => {
  const codec = new AvroCodec(stackAddresses().schemaRegistryUrl);
  const adapterId = uniqueName('xmldump-test');
  const namespace = uniqueName('xmldump-adapter');
  const schema = `mis_adapter_xmldump_it_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
  const collectors: Array<{ records: RawRecord[]; stop: () => Promise<void> }> = [];
  let slotRecords: RawRecord[];
  let outcomes: RawRecord[];
  let simulator: ServiceProcess;
  let simUrl: string;
  let sftpPort: number;
  let oids: Map<number, string>;
  let served: string[];
  let doctors: Array<{ idLpu: number; idDoc: string; specialtyCode: string }>;
  let configOf: (id: string, port: number, overrides?: Record<string, string>) => XmlDumpAdapterConfig;
  let publisher: RecordingPublisher;
  let commands: EventPublisher;
  let adapter: XmlDumpAdapter;
  let adapterUrl: string;

  async function admin<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${simUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`admin ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  /** A dump now, and the adapter's next pass (as the conformance kit's publishChanges does); resolves with its seq. */
  async function dumpNow(kind: 'full' | 'partial' = 'partial'): Promise<number> {
    const { seq } = await admin<{ seq: number }>('/admin/dump', { kind });
    adapter.requestSync();
    return seq;
  }

  const applied = (seq: number, instance = adapter) => waitFor(async () => (instance.dumps.lastApplied?.seq ?? 0) >= seq, `dump ${seq} applied`, 30_000);

  /** Values on Kafka under `key` with `event-type` `type`, observed at or after `since`. */
  async function arrived(records: RawRecord[], key: string, type: string, since: number): Promise<Array<Record<string, unknown>>> {
    const values = [];
    for (const record of records.filter((r) => r.key === key && r.headers['event-type'] === type)) {
      const value = (await codec.decode(record.value)).value as Record<string, unknown>;
      if (Number(value.occurredAt) >= since) values.push(value);
    }
    return values;
  }

  /** A doctor with no sex, age or attachment rule at the MIS. */
  const anyoneDoctor = (idLpu = 1) =>
    doctors.find((d) => ['HIR', 'NEV', 'OFT', 'LOR', 'KAR', 'END'].includes(d.specialtyCode) && d.idLpu === idLpu) ?? doctors.find((d) => d.idLpu === idLpu) ?? doctors[0];
  const taken = new Set<string>();
  /** A free ticket of the doctor not used by another test yet, a later day first. */
  async function freeTicket(doctor: { idLpu: number; idDoc: string }): Promise<SimSlot> {
    const free = await admin<SimSlot[]>(`/admin/slots?idLpu=${doctor.idLpu}&idDoc=${doctor.idDoc}&state=free`);
    const slot = free.reverse().find((s) => !taken.has(s.ticketId));
    if (!slot) throw new Error('no free ticket left');
    taken.add(slot.ticketId);
    return slot;
  }
  const slotIdOf = (idLpu: number, ticketId: string) => `${oids.get(idLpu)}:${ticketId}`;

  beforeAll(async () => {
    await ensureTopics({ ...testConnection(), namespace }, adapterTopicsOf(adapterId), 3);
    for (const topic of [Topics.slot, Topics.bookingCommandOutcome]) collectors.push(await collectTopic(adapterTopicOf(topic, adapterId, namespace)));
    [slotRecords, outcomes] = collectors.map((c) => c.records);

    const simPort = await freePort();
    simUrl = `http://127.0.0.1:${simPort}`;
    simulator = startProcess({
      name: 'xmldump-sim',
      command: join(root, 'node_modules', '.bin', 'tsx'),
      args: ['--tsconfig', 'tsconfig.base.json', 'tools/simulators/xmldump/main.ts', '--port', String(simPort), '--sftp-port', '0'],
      // Organisations of our own OID root; no random front-desk life; dumps only when the test asks.
      env: {
        ...process.env,
        XMLDUMPSIM_ORGANISATIONS: '3',
        XMLDUMPSIM_DOCTORS_PER_ORG: '8',
        XMLDUMPSIM_HORIZON_DAYS: '3',
        XMLDUMPSIM_PARTIAL_INTERVAL: '0',
        XMLDUMPSIM_OID_ROOT: `1.2.643.5.1.13.13.12.2.924.${Date.now() % 1_000_000_000}`,
        XMLDUMPSIM_ADMIN_TOKEN: adminToken,
        XMLDUMPSIM_LOGIN: login,
        XMLDUMPSIM_PASSWORD: password,
        XMLDUMPSIM_LOG_REQUESTS: 'false',
      },
      cwd: root,
      logFile: join(root, '.medbus', 'logs', `${adapterId}-sim.log`),
    });
    await waitForHttp(`${simUrl}/health`, simulator, 60_000);
    sftpPort = (await admin<{ sftpPort: number }>('/admin/state')).sftpPort;
    oids = new Map((await admin<Array<{ idLpu: number; oid: string }>>('/admin/organisations')).map((o) => [o.idLpu, o.oid]));
    // The third organisation is the simulator's but not registered to this adapter.
    served = [oids.get(1) ?? '', oids.get(2) ?? ''];
    doctors = (await admin<{ doctors: Array<{ idLpu: number; idDoc: string; specialtyCode: string }> }>('/admin/code-map')).doctors;

    const { brokers, schemaRegistryUrl } = testConnection();
    configOf = (id, port, overrides = {}) =>
      loadConfig(xmlDumpAdapterConfigSchema, {
        KAFKA_BROKERS: brokers.join(','),
        ...stackKafkaEnv(),
        KAFKA_CLIENT_ID: id,
        KAFKA_NAMESPACE: namespace,
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        OTEL_SERVICE_NAME: 'mis-adapter-xmldump-test',
        OTEL_SDK_DISABLED: 'true',
        DUMP_URL: `${simUrl}/dumps/`,
        MIS_LOGIN: login,
        MIS_PASSWORD: password,
        ADAPTER_ID: id,
        HTTP_PORT: String(port),
        ADAPTER_ORGANISATIONS: served.join(','),
        DUMP_POLL_INTERVAL_MS: '600000',
        DUMP_RETRY_INITIAL_MS: '200',
        DUMP_RETRY_MAX_MS: '400',
        HEARTBEAT_INTERVAL_MS: '5000',
        BREAKER_OPEN_MS: '300',
        HORIZON_DAYS: '3',
        DATABASE_URL: stackAddresses().databaseUrl,
        ADAPTER_DATABASE_SCHEMA: schema,
        COMMAND_RETRY_MAX_MS: '500',
        COMMAND_VERIFY_WINDOW_MS: '5000',
        ADAPTER_API_KEYS: apiKey,
        ...overrides,
      });
    publisher = new RecordingPublisher({ ...testConnection(adapterId), namespace }, { origin: adapterId });
    commands = new EventPublisher({ ...testConnection(uniqueName('booking-service')), namespace });
    const port = await freePort();
    adapterUrl = `http://127.0.0.1:${port}`;
    adapter = new XmlDumpAdapter(configOf(adapterId, port), { publisher, httpHost: '127.0.0.1' });
    await adapter.start();
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

  describe('reading the dumps', () => {
    it('publishes the organisations it serves, their doctors and every ticket of the first full dump, each once, and nothing of the organisation it does not serve', async () => {
      const startedAt = Date.now() - 60_000;
      await waitFor(async () => adapter.health().lastSuccessfulSyncAt !== null, 'the first full dump applied', 60_000);
      const sent = publisher.schedule();
      expect(sent.filter((e) => e.type === 'OrganisationPublished').map((e) => e.key).sort()).toEqual([...served].sort());
      expect(sent.filter((e) => e.type === 'ResourcePublished')).toHaveLength(16);
      const slots = sent.filter((e) => e.type.startsWith('Slot'));
      expect(slots.every((e) => e.type === 'SlotPublished')).toBe(true);
      expect(new Set(slots.map((e) => e.key)).size).toBe(slots.length);
      const simSlots = [...(await admin<SimSlot[]>('/admin/slots?idLpu=1')), ...(await admin<SimSlot[]>('/admin/slots?idLpu=2'))];
      expect(slots).toHaveLength(simSlots.length);
      expect(new Set(slots.map((e) => e.status))).toEqual(new Set(['FREE', 'BOOKED']));
      expect(sent.some((e) => e.key.startsWith(oids.get(3) ?? '-'))).toBe(false);
      expect(adapter.health().outOfScope.organisations).toEqual([oids.get(3)]);

      const sample = slots[slots.length - 1];
      await waitFor(async () => (await arrived(slotRecords, sample.key, 'SlotPublished', startedAt)).length > 0, 'a slot on mis.slot');
      expect(adapter.health()).toMatchObject({ misReachable: true, transport: 'http', dumps: { applied: 1, rejected: 0 } });
    }, 90_000);

    it('turns a walk-in and a sick day at the MIS into SlotChanged on Kafka through the next partial dump, and nothing else', async () => {
      const doctor = anyoneDoctor(2);
      const ticket = await freeTicket(doctor);
      const before = publisher.schedule().length;
      const walkedInAt = Date.now();
      await admin('/admin/walk-in', { slotId: ticket.ticketId });
      const sick = doctors.find((d) => d.idLpu === 1 && d.idDoc !== anyoneDoctor(1).idDoc) ?? doctors[0];
      const lastDay = (await admin<{ lastDay: string }>('/admin/state')).lastDay;
      const { blockedSlots } = await admin<{ blockedSlots: number }>('/admin/sick-day', { doctorId: sick.idDoc, idLpu: 1, date: lastDay });
      await applied(await dumpNow());

      const [changed] = await waitFor(async () => {
        const values = await arrived(slotRecords, slotIdOf(2, ticket.ticketId), 'SlotChanged', walkedInAt);
        return values.length > 0 && values;
      }, 'SlotChanged of the walked-in ticket');
      expect(changed).toMatchObject({ status: 'BOOKED' });
      const changes = publisher.schedule().slice(before);
      expect(changes.filter((e) => e.key === slotIdOf(2, ticket.ticketId))).toEqual([{ type: 'SlotChanged', key: slotIdOf(2, ticket.ticketId), status: 'BOOKED' }]);
      const blocked = changes.filter((e) => e.key.startsWith(`${oids.get(1)}:${sick.idDoc}-`));
      expect(blocked.length).toBeGreaterThan(0);
      expect(blocked.length).toBeLessThanOrEqual(blockedSlots);
      expect(blocked.every((e) => e.type === 'SlotChanged' && e.status === 'BLOCKED')).toBe(true);
      expect(changes).toHaveLength(blocked.length + 1);
    }, 60_000);

    it('publishes nothing of a download cut mid-file, and applies the dump when the next try downloads it whole', async () => {
      const doctor = anyoneDoctor(1);
      const ticket = await freeTicket(doctor);
      await admin('/admin/walk-in', { slotId: ticket.ticketId });
      const failedBefore = adapter.health().dumps.failedPasses;
      const before = publisher.schedule().length;
      await admin('/admin/dump-faults', { truncateNext: true });
      const seq = await dumpNow();

      await waitFor(async () => adapter.health().dumps.failedPasses > failedBefore, 'the cut download to fail the pass');
      expect(publisher.schedule().slice(before)).toEqual([]);
      // The backoff's timer asks for the next pass: no poll is due for ten minutes.
      await applied(seq);
      expect(publisher.schedule().slice(before)).toEqual([{ type: 'SlotChanged', key: slotIdOf(1, ticket.ticketId), status: 'BOOKED' }]);
    }, 60_000);

    it.each(['truncated-file', 'bad-counts', 'not-xml'] as const)('refuses a dump published %s as a whole: nothing of it reaches Kafka, and the next dump is applied', async (mode) => {
      // On two clinics: a partial lists a changed doctor-day whole, so a change on the lost one's day would bring it back.
      const [lost, later] = [await freeTicket(anyoneDoctor(1)), await freeTicket(anyoneDoctor(2))];
      const rejectedBefore = adapter.health().dumps.rejected;
      const before = publisher.schedule().length;
      await admin('/admin/walk-in', { slotId: lost.ticketId });
      await admin('/admin/dump-faults', { corruptNext: mode });
      await dumpNow();
      await waitFor(async () => adapter.health().dumps.rejected > rejectedBefore, `the ${mode} dump refused`);

      // Barrier: a later change through the next dump arrives; the broken dump's change had come first if anything of it were published.
      await admin('/admin/walk-in', { slotId: later.ticketId });
      await applied(await dumpNow());
      expect(publisher.schedule().slice(before)).toEqual([{ type: 'SlotChanged', key: slotIdOf(2, later.ticketId), status: 'BOOKED' }]);
      expect(adapter.health().misReachable).toBe(true);
    }, 60_000);

    it('reports the MIS unreachable during an outage and catches up on what it missed when the MIS returns', async () => {
      const ticket = await freeTicket(anyoneDoctor(2));
      await admin('/admin/outage', { on: true });
      try {
        await admin('/admin/walk-in', { slotId: ticket.ticketId });
        const seq = await dumpNow();
        await waitFor(async () => adapter.health().misReachable === false, 'the adapter to see the outage');
        expect(adapter.dumps.lastApplied?.seq).toBeLessThan(seq);
        await admin('/admin/outage', { on: false });
        await applied(seq);
      } finally {
        await admin('/admin/outage', { on: false });
      }
      expect(adapter.health().misReachable).toBe(true);
      expect(publisher.schedule()).toContainEqual({ type: 'SlotChanged', key: slotIdOf(2, ticket.ticketId), status: 'BOOKED' });
    }, 60_000);
  });

  describe('booking commands and identification', () => {
    function bookSlot(doctor: { idLpu: number; idDoc: string }, ticketId: string, idPat: string, overrides: Partial<BookSlot> = {}): BookSlot {
      const oid = oids.get(doctor.idLpu) ?? '';
      return {
        commandId: randomUUID(),
        appointmentId: randomUUID(),
        slotId: `${oid}:${ticketId}`,
        localSlotId: ticketId,
        organisationOid: oid,
        resourceId: `${oid}:${doctor.idDoc}`,
        localResourceId: doctor.idDoc,
        misPatientId: idPat,
        requestedBy: 'CONTACT_CENTRE',
        requestedAt: Date.now(),
        deadline: Date.now() + 20_000,
        replacesMisAppointmentId: null,
        ...overrides,
      };
    }
    function cancelOf(booking: BookSlot): CancelAppointment {
      return {
        commandId: randomUUID(),
        appointmentId: booking.appointmentId,
        organisationOid: booking.organisationOid,
        slotId: booking.slotId,
        localSlotId: booking.localSlotId,
        misAppointmentId: booking.localSlotId,
        misPatientId: booking.misPatientId,
        requestedBy: 'CONTACT_CENTRE',
        requestedAt: Date.now(),
      };
    }
    async function send(command: BookSlot | CancelAppointment): Promise<void> {
      const event = 'deadline' in command ? AllEvents.BookSlot : AllEvents.CancelAppointment;
      await commands.publish({ event, key: command.appointmentId, value: command, adapterId });
    }
    async function outcomesOf(commandId: string): Promise<Array<{ type: string; value: Record<string, unknown> }>> {
      const found = [];
      for (const record of outcomes) {
        const value = (await codec.decode(record.value)).value as Record<string, unknown>;
        if (value.commandId === commandId) found.push({ type: record.headers['event-type'], value });
      }
      return found;
    }
    const outcomeOf = (commandId: string) => waitFor(async () => (await outcomesOf(commandId))[0], `the outcome of command ${commandId}`, 30_000);
    const slotState = (ticketId: string) => admin<SimSlot>(`/admin/slots?slotId=${ticketId}`);
    const aPatient = (idLpu: number) => admin<SimPatient>('/admin/patients', { idLpu });

    it('books at the MIS (SlotBookingConfirmed, the ticket its id), shows the booking in the next partial dump, and cancels it', async () => {
      const doctor = anyoneDoctor(1);
      const ticket = await freeTicket(doctor);
      const patient = await aPatient(doctor.idLpu);
      const booking = bookSlot(doctor, ticket.ticketId, patient.idPat);
      const sentAt = Date.now();

      await send(booking);
      expect(await outcomeOf(booking.commandId)).toEqual({ type: 'SlotBookingConfirmed', value: expect.objectContaining({ slotId: booking.slotId, misAppointmentId: ticket.ticketId }) });
      expect(await slotState(ticket.ticketId)).toMatchObject({ state: 'booked', booking: { idPat: patient.idPat } });
      await applied(await dumpNow());
      const changed = await waitFor(async () => {
        const values = await arrived(slotRecords, booking.slotId, 'SlotChanged', sentAt);
        return values.length > 0 && values;
      }, 'SlotChanged of the booked ticket');
      expect(changed).toEqual([expect.objectContaining({ status: 'BOOKED' })]);

      const cancel = cancelOf(booking);
      await send(cancel);
      expect(await outcomeOf(cancel.commandId)).toMatchObject({ type: 'AppointmentCancellationConfirmed' });
      expect(await slotState(ticket.ticketId)).toMatchObject({ state: 'free', booking: null });
      const again = { ...cancel, commandId: randomUUID() };
      await send(again);
      expect(await outcomeOf(again.commandId)).toMatchObject({ type: 'AppointmentCancellationRejected', value: { reason: 'APPOINTMENT_NOT_FOUND', misErrorCode: 'NOT_BOOKED' } });
    }, 60_000);

    it('refuses SLOT_TAKEN with the vendor’s code when the front desk took the ticket, without the patient’s id', async () => {
      const doctor = anyoneDoctor(1);
      const ticket = await freeTicket(doctor);
      const patient = await aPatient(doctor.idLpu);
      await admin('/admin/walk-in', { slotId: ticket.ticketId });
      const command = bookSlot(doctor, ticket.ticketId, patient.idPat);

      await send(command);
      const outcome = await outcomeOf(command.commandId);
      expect(outcome).toEqual({ type: 'SlotBookingRejected', value: expect.objectContaining({ reason: 'SLOT_TAKEN', misErrorCode: 'TICKET_BUSY' }) });
      expect(JSON.stringify(outcome.value)).not.toContain(patient.idPat);
    }, 60_000);

    it('confirms a booking whose answer was lost, from the patient’s visits at the MIS, and books it once', async () => {
      const doctor = anyoneDoctor(2);
      const ticket = await freeTicket(doctor);
      const patient = await aPatient(doctor.idLpu);
      const command = bookSlot(doctor, ticket.ticketId, patient.idPat);
      await admin('/admin/faults', { dropAnswers: 1 });

      await send(command);
      expect(await outcomeOf(command.commandId)).toMatchObject({ type: 'SlotBookingConfirmed', value: { misAppointmentId: ticket.ticketId } });
      expect((await admin<SimPatient>(`/admin/patients?idLpu=${doctor.idLpu}&idPat=${patient.idPat}`)).bookings).toEqual([expect.objectContaining({ idAppointment: ticket.ticketId })]);
    }, 60_000);

    it('passes on the MIS’s eligibility refusals with its codes: a man at the gynaecologist, a patient not attached at the district therapist', async () => {
      const gynaecologist = doctors.find((d) => d.specialtyCode === 'GIN' && d.idLpu <= 2);
      const therapist = doctors.find((d) => d.specialtyCode === 'TER' && d.idLpu <= 2);
      if (!gynaecologist || !therapist) throw new Error('the simulated region has no gynaecologist or therapist in a served clinic');
      const man = await admin<SimPatient>('/admin/patients', { idLpu: gynaecologist.idLpu, sex: 'MALE' });
      const visitor = await admin<SimPatient>('/admin/patients', { idLpu: therapist.idLpu, attached: false });
      const toGynaecologist = bookSlot(gynaecologist, (await freeTicket(gynaecologist)).ticketId, man.idPat);
      const toTherapist = bookSlot(therapist, (await freeTicket(therapist)).ticketId, visitor.idPat);

      await send(toGynaecologist);
      await send(toTherapist);

      expect(await outcomeOf(toGynaecologist.commandId)).toMatchObject({ type: 'SlotBookingRejected', value: { reason: 'PATIENT_NOT_ELIGIBLE', misErrorCode: 'SEX_RESTRICTED' } });
      expect(await outcomeOf(toTherapist.commandId)).toMatchObject({ type: 'SlotBookingRejected', value: { reason: 'PATIENT_NOT_ATTACHED', misErrorCode: 'NOT_ATTACHED' } });
    }, 60_000);

    it('publishes the region’s rules with each doctor, since the vendor publishes none: women only at the gynaecologist, attached adults at the therapist', () => {
      const resources = publisher.sent.filter((e) => e.event.name === 'ResourcePublished').map((e) => e.value as Record<string, unknown>);
      const of = (specialtyCode: string) => {
        const doctor = doctors.find((d) => d.specialtyCode === specialtyCode && d.idLpu <= 2);
        return resources.find((r) => doctor && r.resourceId === `${oids.get(doctor.idLpu)}:${doctor.idDoc}`);
      };
      expect(of('GIN')).toMatchObject({ patientSex: 'FEMALE', attachmentRequired: false });
      expect(of('TER')).toMatchObject({ patientSex: null, minPatientAgeYears: 18, maxPatientAgeYears: null, attachmentRequired: true });
      expect(of('HIR')).toMatchObject({ patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false });
    });

    it('identifies a patient by policy through the patient API, registers a new one when asked, and serves no other organisation', async () => {
      const patient = await aPatient(1);
      const identify = (body: Record<string, unknown>) =>
        fetch(`${adapterUrl}/v1/patients/identify`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

      const found = await identify({ organisationOid: oids.get(1), policyNumber: patient.policyNumber });
      expect(found.status).toBe(200);
      expect(await found.json()).toEqual({ misPatientId: patient.idPat, registered: false, attached: null });

      const newcomer = { organisationOid: oids.get(1), surname: 'Новикова', firstName: 'Ольга', birthDate: '1990-01-02', sex: 'FEMALE', policyNumber: `770${Date.now()}` };
      expect((await identify(newcomer)).status).toBe(404);
      const registered = await identify({ ...newcomer, register: true });
      expect(await registered.json()).toMatchObject({ registered: true, misPatientId: expect.stringMatching(/^P1-/) });

      expect((await identify({ organisationOid: oids.get(3), policyNumber: patient.policyNumber })).status).toBe(404);
    }, 60_000);
  });

  describe('restarting and the SFTP folder', () => {
    it('remembers the dumps it applied across a restart: only what the MIS changed meanwhile is published', async () => {
      await applied(await dumpNow());
      await adapter.stop();
      const ticket = await freeTicket(anyoneDoctor(1));
      await admin('/admin/walk-in', { slotId: ticket.ticketId });
      const seq = (await admin<{ seq: number }>('/admin/dump', { kind: 'partial' })).seq;

      const port = await freePort();
      await publisher.close();
      const restartedPublisher = new RecordingPublisher({ ...testConnection(adapterId), namespace }, { origin: adapterId });
      const restarted = new XmlDumpAdapter(configOf(adapterId, port), { publisher: restartedPublisher, httpHost: '127.0.0.1' });
      adapter = restarted;
      publisher = restartedPublisher;
      await restarted.start();
      await applied(seq, restarted);
      expect(restartedPublisher.schedule()).toEqual([{ type: 'SlotChanged', key: slotIdOf(1, ticket.ticketId), status: 'BOOKED' }]);
    }, 60_000);

    it('reads the same dumps over SFTP, with the host key pinned, and refuses a server whose key is not the pinned one', async () => {
      const fingerprint = await new Promise<string>((resolve, reject) => {
        const client = new Client();
        client.once('error', reject);
        client.connect({
          host: '127.0.0.1',
          port: sftpPort,
          username: login,
          password,
          hostVerifier: (key: Buffer) => {
            resolve(hostKeyFingerprint(key));
            client.end();
            return false;
          },
        });
      });
      const id = uniqueName('xmldump-sftp');
      await ensureTopics({ ...testConnection(), namespace }, adapterTopicsOf(id), 1);
      const start = async (pinned: string) => {
        const recorder = new RecordingPublisher({ ...testConnection(id), namespace }, { origin: id });
        const instance = new XmlDumpAdapter(
          configOf(id, await freePort(), {
            DUMP_URL: `sftp://127.0.0.1:${sftpPort}/dumps/`,
            MIS_BOOKING_URL: `${simUrl}/booking`,
            DUMP_SFTP_HOST_KEY_SHA256: pinned,
            DATABASE_URL: '',
            ADAPTER_DATABASE_SCHEMA: '',
          }),
          { publisher: recorder, httpHost: '127.0.0.1' },
        );
        await instance.start();
        return { instance, recorder };
      };

      const wrong = await start('SHA256:' + 'A'.repeat(43));
      try {
        await waitFor(async () => wrong.instance.health().dumps.failedPasses > 0, 'a pass refused by the pinned key');
        expect(wrong.instance.health()).toMatchObject({ transport: 'sftp', misReachable: false, lastSuccessfulSyncAt: null });
        expect(wrong.recorder.schedule()).toEqual([]);
      } finally {
        await wrong.instance.stop();
        await wrong.recorder.close();
      }

      const right = await start(fingerprint);
      try {
        const newest = (await admin<{ dumps: { listed: Array<{ seq: number }> } }>('/admin/state')).dumps.listed.at(-1)?.seq ?? 0;
        await applied(newest, right.instance);
        const sent = right.recorder.schedule();
        expect(sent.filter((e) => e.type === 'OrganisationPublished').map((e) => e.key).sort()).toEqual([...served].sort());
        const simSlots = [...(await admin<SimSlot[]>('/admin/slots?idLpu=1')), ...(await admin<SimSlot[]>('/admin/slots?idLpu=2'))];
        expect(sent.filter((e) => e.type === 'SlotPublished')).toHaveLength(simSlots.length);
        expect(right.instance.health()).toMatchObject({ transport: 'sftp', misReachable: true });
      } finally {
        await right.instance.stop();
        await right.recorder.close();
      }
    }, 90_000);
  });
});
