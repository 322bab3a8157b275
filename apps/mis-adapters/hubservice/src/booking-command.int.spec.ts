import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '@medbus/config';
import { AllEvents, Topics, type BookSlot, type CancelAppointment } from '@medbus/contracts';
import { AvroCodec, EventPublisher, adapterTopicOf, adapterTopicsOf, deadLetterTopicOf, deleteNamespaceTopics, ensureTopics, type OutgoingEvent } from '@medbus/kafka';
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
import { hubServiceAdapterConfigSchema } from './hubservice.config';
import { HubServiceAdapter } from './hubservice-adapter.module';

const root = join(__dirname, '..', '..', '..', '..');
const guid = '6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11';
const adminToken = 'hubsim-admin-token';
const apiKey = 'booking-service-test-key-0001';

interface SimSlot {
  readonly IdAppointment: string;
  readonly VisitStart: string;
  readonly state: string;
  readonly booking: { readonly idPat: string } | null;
}

interface SimPatient {
  readonly idPat: string;
  readonly policyNumber: string;
  readonly snils: string;
  readonly surname: string;
  readonly firstName: string;
  readonly birthDate: string;
  readonly bookings: ReadonlyArray<{ readonly idAppointment: string }>;
}

/** The real publisher, remembering what the adapter sent. */
class RecordingPublisher extends EventPublisher {
  readonly sent: OutgoingEvent[] = [];

  override async publishAll(events: readonly OutgoingEvent[]): Promise<string[]> {
    const ids = await super.publishAll(events);
    this.sent.push(...events);
    return ids;
  }
}

describe('the HubService adapter carrying out booking commands and identifying patients, against the simulator, Kafka and Postgres', () => {
  const codec = new AvroCodec(stackAddresses().schemaRegistryUrl);
  const adapterId = uniqueName('hubservice-commands');
  const otherAdapterId = uniqueName('other-vendor');
  const namespace = uniqueName('adapter-commands');
  const schema = `mis_adapter_it_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
  const collectors: Array<{ records: RawRecord[]; stop: () => Promise<void> }> = [];
  let outcomes: RawRecord[];
  let slotRecords: RawRecord[];
  let deadLetters: RawRecord[];
  let simulator: ServiceProcess;
  let simUrl: string;
  let notifyPort: number;
  let publisher: RecordingPublisher;
  let commands: EventPublisher;
  let adapter: HubServiceAdapter;
  let setAppointmentCalls = 0;
  let oids: Map<number, string>;
  let doctors: Array<{ idLpu: number; idDoc: string; specialtyCode: string }>;

  async function admin<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${simUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`admin ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  const doctorOf = (specialtyCode: string, idLpu?: number) => {
    const doctor = doctors.find((d) => d.specialtyCode === specialtyCode && (idLpu === undefined || d.idLpu === idLpu));
    if (!doctor) throw new Error(`the simulated region has no ${specialtyCode} doctor`);
    return doctor;
  };
  /** A doctor with no sex, age or attachment rule. */
  const anyoneDoctor = () => doctors.find((d) => ['HIR', 'NEV', 'OFT', 'LOR', 'KAR', 'END'].includes(d.specialtyCode) && d.idLpu === 1) ?? doctorOf('HIR');
  const taken = new Set<string>();
  /** A free slot of the doctor not used by another test yet. */
  async function freeSlot(doctor: { idLpu: number; idDoc: string }): Promise<SimSlot> {
    const free = await admin<SimSlot[]>(`/admin/slots?idLpu=${doctor.idLpu}&idDoc=${doctor.idDoc}&state=free`);
    const slot = free.reverse().find((s) => !taken.has(s.IdAppointment));
    if (!slot) throw new Error('no free slot left');
    taken.add(slot.IdAppointment);
    return slot;
  }
  const slotState = (id: string) => admin<SimSlot>(`/admin/slots?slotId=${id}`);
  const aPatient = (idLpu: number, extra: Record<string, unknown> = {}) => admin<SimPatient>('/admin/patients', { idLpu, ...extra });

  function bookSlot(doctor: { idLpu: number; idDoc: string }, slotId: string, idPat: string, overrides: Partial<BookSlot> = {}): BookSlot {
    const oid = oids.get(doctor.idLpu) ?? '';
    return {
      commandId: randomUUID(),
      appointmentId: randomUUID(),
      slotId: `${oid}:${slotId}`,
      localSlotId: slotId,
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

  /** Publishes a command as the booking service does: to the command topic of one adapter, this one unless told. */
  async function send(command: BookSlot | CancelAppointment, to = adapterId): Promise<void> {
    const event = 'deadline' in command ? AllEvents.BookSlot : AllEvents.CancelAppointment;
    await commands.publish({ event, key: command.appointmentId, value: command, adapterId: to });
  }

  /** Outcomes on Kafka answering `commandId`, with their event type. */
  async function outcomesOf(commandId: string): Promise<Array<{ type: string; value: Record<string, unknown> }>> {
    const found = [];
    for (const record of outcomes) {
      const value = (await codec.decode(record.value)).value as Record<string, unknown>;
      if (value.commandId === commandId) found.push({ type: record.headers['event-type'], value });
    }
    return found;
  }

  const outcomeOf = (commandId: string, timeoutMs = 30_000) =>
    waitFor(async () => (await outcomesOf(commandId))[0], `the outcome of command ${commandId}`, timeoutMs);

  /** The row a process killed after its MIS call leaves: the command taken up, no outcome. */
  async function leftByAKilledProcess(command: BookSlot): Promise<void> {
    const dataSource = new DataSource({ type: 'postgres', url: stackAddresses().databaseUrl });
    await dataSource.initialize();
    try {
      await dataSource.query(
        `INSERT INTO ${schema}.mis_adapter_command (command_id, adapter_id, command_type, appointment_id, organisation_oid, slot_id) VALUES ($1, $2, 'BookSlot', $3, $4, $5)`,
        [command.commandId, adapterId, command.appointmentId, command.organisationOid, command.slotId],
      );
    } finally {
      await dataSource.destroy();
    }
  }

  beforeAll(async () => {
    // A bus of the test's own: its collectors read only this test's events, not the shared topics' history.
    await ensureTopics({ ...testConnection(), namespace }, [...adapterTopicsOf(adapterId), ...adapterTopicsOf(otherAdapterId)], 3);
    const commandTopic = adapterTopicOf(Topics.bookingCommand, adapterId, namespace);
    for (const topic of [adapterTopicOf(Topics.bookingCommandOutcome, adapterId, namespace), adapterTopicOf(Topics.slot, adapterId, namespace), deadLetterTopicOf(commandTopic, namespace)]) {
      collectors.push(await collectTopic(topic));
    }
    [outcomes, slotRecords, deadLetters] = collectors.map((c) => c.records);

    const misPort = await freePort();
    notifyPort = await freePort();
    simUrl = `http://127.0.0.1:${misPort}`;
    simulator = startProcess({
      name: 'hubservice-sim',
      command: join(root, 'node_modules', '.bin', 'tsx'),
      args: ['--tsconfig', 'tsconfig.base.json', 'tools/simulators/hubservice/main.ts', '--port', String(misPort), '--organisations', '3', '--doctors-per-org', '8'],
      // No notifications: slot changes a command causes must reach Kafka through the command's own re-read.
      // Organisations of our own OID root: no other test's commands are for them, and ours for no one else's.
      env: { ...process.env, HUBSIM_HORIZON_DAYS: '3', HUBSIM_LOG_REQUESTS: 'false', HUBSIM_OID_ROOT: `1.2.643.5.1.13.13.12.2.98.${Date.now() % 1_000_000_000}` },
      cwd: root,
      logFile: join(root, '.medbus', 'logs', `${adapterId}-sim.log`),
    });
    await waitForHttp(`${simUrl}/health`, simulator, 60_000);
    oids = new Map((await admin<Array<{ idLpu: number; oid: string }>>('/admin/organisations')).map((o) => [o.idLpu, o.oid]));
    doctors = (await admin<{ doctors: Array<{ idLpu: number; idDoc: string; specialtyCode: string }> }>('/admin/code-map')).doctors;

    const { brokers, schemaRegistryUrl, sasl, ssl } = testConnection();
    const config = loadConfig(hubServiceAdapterConfigSchema, {
      KAFKA_BROKERS: brokers.join(','),
      ...stackKafkaEnv(),
      KAFKA_CLIENT_ID: adapterId,
      KAFKA_NAMESPACE: namespace,
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
      OTEL_SERVICE_NAME: 'mis-adapter-hubservice-test',
      OTEL_SDK_DISABLED: 'true',
      MIS_WSDL_URL: `${simUrl}/Hub25/HubService.svc?wsdl`,
      MIS_GUID: guid,
      ADAPTER_ID: adapterId,
      HTTP_PORT: String(notifyPort),
      ADAPTER_ORGANISATIONS: [...oids.values()].join(','),
      POLL_INTERVAL_MS: '600000',
      HEARTBEAT_INTERVAL_MS: '5000',
      BREAKER_OPEN_MS: '300',
      HORIZON_DAYS: '3',
      DATABASE_URL: stackAddresses().databaseUrl,
      ADAPTER_DATABASE_SCHEMA: schema,
      COMMAND_RETRY_MAX_MS: '500',
      COMMAND_VERIFY_WINDOW_MS: '5000',
      ADAPTER_API_KEYS: apiKey,
    });
    publisher = new RecordingPublisher({ brokers, clientId: adapterId, schemaRegistryUrl, namespace, sasl, ssl }, { origin: adapterId });
    commands = new EventPublisher({ ...testConnection(uniqueName('booking-service')), namespace });
    adapter = new HubServiceAdapter(config, { publisher, httpHost: '127.0.0.1' });
    const setAppointment = adapter.client.setAppointment.bind(adapter.client);
    adapter.client.setAppointment = (...args) => {
      setAppointmentCalls += 1;
      return setAppointment(...args);
    };
    await adapter.start();
    await waitFor(async () => adapter.health().lastSuccessfulSyncAt !== null, 'the initial sync', 60_000);
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

  describe('booking commands', () => {
    it('books a BookSlot at the MIS and answers SlotBookingConfirmed, once, keyed by the appointment', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const command = bookSlot(doctor, slot.IdAppointment, patient.idPat);

      await send(command);
      const outcome = await outcomeOf(command.commandId);

      expect(outcome).toEqual({
        type: 'SlotBookingConfirmed',
        value: expect.objectContaining({ appointmentId: command.appointmentId, slotId: command.slotId, misAppointmentId: slot.IdAppointment }),
      });
      expect(await slotState(slot.IdAppointment)).toMatchObject({ state: 'booked', booking: { idPat: patient.idPat } });
      const record = outcomes.find((r) => r.headers['event-type'] === 'SlotBookingConfirmed' && r.key === command.appointmentId);
      expect(record).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await outcomesOf(command.commandId)).toHaveLength(1);
    });

    it('answers a redelivered command with the same outcome and does not call the MIS again', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const command = bookSlot(doctor, slot.IdAppointment, patient.idPat);
      await send(command);
      const first = await outcomeOf(command.commandId);
      const callsBefore = setAppointmentCalls;

      await send(command);
      const both = await waitFor(async () => {
        const found = await outcomesOf(command.commandId);
        return found.length === 2 && found;
      }, 'the second outcome');

      expect(both[1]).toEqual(first);
      expect(setAppointmentCalls).toBe(callsBefore);
      expect((await admin<SimPatient>(`/admin/patients?idLpu=${doctor.idLpu}&idPat=${patient.idPat}`)).bookings).toHaveLength(1);
    });

    it('refuses SLOT_TAKEN (308) when the front desk took the slot, and publishes the slot BOOKED at once', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      await admin('/admin/outage', { on: false });
      // The clinic's MIS does not always notify: the walk-in is unknown to the adapter until the refusal.
      const walkedIn = await admin<SimSlot>('/admin/walk-in', { slotId: slot.IdAppointment });
      const command = bookSlot(doctor, slot.IdAppointment, patient.idPat);
      const sentAt = Date.now();

      await send(command);
      const outcome = await outcomeOf(command.commandId);

      expect(outcome).toEqual({ type: 'SlotBookingRejected', value: expect.objectContaining({ reason: 'SLOT_TAKEN', misErrorCode: '308' }) });
      expect(JSON.stringify(outcome.value)).not.toContain(patient.idPat);
      // The adapter polls every 10 minutes here: a BOOKED seen within this wait comes from the command's re-read, not a poll.
      const changed = await waitFor(async () => {
        for (const record of slotRecords.filter((r) => r.key === command.slotId && r.headers['event-type'] === 'SlotChanged')) {
          const value = (await codec.decode(record.value)).value as { status: string; occurredAt: number };
          if (value.status === 'BOOKED' && value.occurredAt >= sentAt - 1_000) return value;
        }
        return undefined;
      }, 'SlotChanged BOOKED of the taken slot', 30_000);
      expect(changed.status).toBe('BOOKED');
      expect(walkedIn.booking?.idPat).not.toBe(patient.idPat);
    });

    it('waits out a MIS outage and books once when the MIS is back before the deadline', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const command = bookSlot(doctor, slot.IdAppointment, patient.idPat, { deadline: Date.now() + 25_000 });
      await admin('/admin/outage', { on: true });
      try {
        await send(command);
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(await outcomesOf(command.commandId)).toEqual([]);
      } finally {
        await admin('/admin/outage', { on: false });
      }

      expect(await outcomeOf(command.commandId)).toMatchObject({ type: 'SlotBookingConfirmed' });
      expect(await slotState(slot.IdAppointment)).toMatchObject({ state: 'booked', booking: { idPat: patient.idPat } });
      expect((await admin<SimPatient>(`/admin/patients?idLpu=${doctor.idLpu}&idPat=${patient.idPat}`)).bookings).toHaveLength(1);
    }, 60_000);

    it('answers DEADLINE_EXCEEDED and books nothing when the deadline passes while the MIS is down', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const command = bookSlot(doctor, slot.IdAppointment, patient.idPat, { deadline: Date.now() + 2_000 });
      await admin('/admin/outage', { on: true });
      let outcome;
      try {
        await send(command);
        outcome = await outcomeOf(command.commandId);
      } finally {
        await admin('/admin/outage', { on: false });
      }

      expect(outcome).toEqual({ type: 'SlotBookingRejected', value: expect.objectContaining({ reason: 'DEADLINE_EXCEEDED', misErrorCode: null }) });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await slotState(slot.IdAppointment)).toMatchObject({ state: 'free', booking: null });
    });

    it('confirms a booking whose answer was lost, from the patient’s history at the MIS, and books it once', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const command = bookSlot(doctor, slot.IdAppointment, patient.idPat);
      await admin('/admin/faults', { dropAnswers: 1 });

      await send(command);

      expect(await outcomeOf(command.commandId)).toMatchObject({ type: 'SlotBookingConfirmed', value: { misAppointmentId: slot.IdAppointment } });
      expect((await admin<SimPatient>(`/admin/patients?idLpu=${doctor.idLpu}&idPat=${patient.idPat}`)).bookings).toEqual([
        expect.objectContaining({ idAppointment: slot.IdAppointment }),
      ]);
    });

    it('after a restart between booking at the MIS and recording the outcome, confirms from the MIS rather than refusing or booking twice', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const command = bookSlot(doctor, slot.IdAppointment, patient.idPat);
      // What a process killed after its SetAppointment leaves behind: the command taken up, the slot booked, no outcome.
      await leftByAKilledProcess(command);
      expect((await adapter.client.setAppointment(doctor.idLpu, slot.IdAppointment, patient.idPat)).Success).toBe(true);

      await send(command);

      expect(await outcomeOf(command.commandId)).toMatchObject({ type: 'SlotBookingConfirmed', value: { misAppointmentId: slot.IdAppointment } });
      expect((await admin<SimPatient>(`/admin/patients?idLpu=${doctor.idLpu}&idPat=${patient.idPat}`)).bookings).toHaveLength(1);
    });

    it('answers the truth after the deadline when the MIS was silent about a booking a killed process made: Confirmed, not a false refusal', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const command = bookSlot(doctor, slot.IdAppointment, patient.idPat, { deadline: Date.now() + 1_500 });
      await leftByAKilledProcess(command);
      expect((await adapter.client.setAppointment(doctor.idLpu, slot.IdAppointment, patient.idPat)).Success).toBe(true);
      await admin('/admin/outage', { on: true });
      try {
        await send(command);
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        expect(await outcomesOf(command.commandId)).toEqual([]);
      } finally {
        await admin('/admin/outage', { on: false });
      }

      expect(await outcomeOf(command.commandId)).toMatchObject({ type: 'SlotBookingConfirmed', value: { misAppointmentId: slot.IdAppointment } });
      expect((await admin<SimPatient>(`/admin/patients?idLpu=${doctor.idLpu}&idPat=${patient.idPat}`)).bookings).toHaveLength(1);
    });

    it('confirms a cancellation whose answer was lost, from the patient’s history', async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const booking = bookSlot(doctor, slot.IdAppointment, patient.idPat);
      await send(booking);
      expect(await outcomeOf(booking.commandId)).toMatchObject({ type: 'SlotBookingConfirmed' });
      const cancel: CancelAppointment = {
        commandId: randomUUID(),
        appointmentId: booking.appointmentId,
        organisationOid: booking.organisationOid,
        slotId: booking.slotId,
        localSlotId: slot.IdAppointment,
        misAppointmentId: slot.IdAppointment,
        misPatientId: patient.idPat,
        requestedBy: 'CONTACT_CENTRE',
        requestedAt: Date.now(),
      };
      await admin('/admin/faults', { dropAnswers: 1 });

      await send(cancel);

      expect(await outcomeOf(cancel.commandId)).toMatchObject({ type: 'AppointmentCancellationConfirmed' });
      expect(await slotState(slot.IdAppointment)).toMatchObject({ state: 'free', booking: null });
    });

    it('moves a booking on reschedule (old slot free, new one booked), and a refused reschedule keeps the current one; then cancels it', async () => {
      const doctor = anyoneDoctor();
      const [first, second, third] = [await freeSlot(doctor), await freeSlot(doctor), await freeSlot(doctor)];
      const patient = await aPatient(doctor.idLpu);
      const booking = bookSlot(doctor, first.IdAppointment, patient.idPat);
      await send(booking);
      expect(await outcomeOf(booking.commandId)).toMatchObject({ type: 'SlotBookingConfirmed' });

      const move = bookSlot(doctor, second.IdAppointment, patient.idPat, { replacesMisAppointmentId: first.IdAppointment });
      await send(move);
      expect(await outcomeOf(move.commandId)).toMatchObject({ type: 'SlotBookingConfirmed', value: { misAppointmentId: second.IdAppointment } });
      expect(await slotState(first.IdAppointment)).toMatchObject({ state: 'free' });
      expect(await slotState(second.IdAppointment)).toMatchObject({ state: 'booked', booking: { idPat: patient.idPat } });

      await admin('/admin/walk-in', { slotId: third.IdAppointment });
      const refused = bookSlot(doctor, third.IdAppointment, patient.idPat, { replacesMisAppointmentId: second.IdAppointment });
      await send(refused);
      expect(await outcomeOf(refused.commandId)).toMatchObject({ type: 'SlotBookingRejected', value: { reason: 'SLOT_TAKEN' } });
      expect(await slotState(second.IdAppointment)).toMatchObject({ state: 'booked', booking: { idPat: patient.idPat } });

      const cancel: CancelAppointment = {
        commandId: randomUUID(),
        appointmentId: move.appointmentId,
        organisationOid: move.organisationOid,
        slotId: move.slotId,
        localSlotId: second.IdAppointment,
        misAppointmentId: second.IdAppointment,
        misPatientId: patient.idPat,
        requestedBy: 'CONTACT_CENTRE',
        requestedAt: Date.now(),
      };
      await send(cancel);
      expect(await outcomeOf(cancel.commandId)).toMatchObject({ type: 'AppointmentCancellationConfirmed', value: { appointmentId: move.appointmentId } });
      expect(await slotState(second.IdAppointment)).toMatchObject({ state: 'free', booking: null });

      const again = { ...cancel, commandId: randomUUID() };
      await send(again);
      expect(await outcomeOf(again.commandId)).toMatchObject({ type: 'AppointmentCancellationRejected', value: { reason: 'APPOINTMENT_NOT_FOUND', misErrorCode: '309' } });
    }, 90_000);

    it('passes on the MIS’s eligibility refusals: a man at the gynaecologist, a patient not attached at the district therapist', async () => {
      const gynaecologist = doctorOf('GIN');
      const therapist = doctorOf('TER');
      const man = await aPatient(gynaecologist.idLpu, { sex: 'MALE' });
      const visitor = await aPatient(therapist.idLpu, { attached: false });
      const toGynaecologist = bookSlot(gynaecologist, (await freeSlot(gynaecologist)).IdAppointment, man.idPat);
      const toTherapist = bookSlot(therapist, (await freeSlot(therapist)).IdAppointment, visitor.idPat);

      await send(toGynaecologist);
      await send(toTherapist);

      expect(await outcomeOf(toGynaecologist.commandId)).toMatchObject({ type: 'SlotBookingRejected', value: { reason: 'PATIENT_NOT_ELIGIBLE', misErrorCode: '304' } });
      expect(await outcomeOf(toTherapist.commandId)).toMatchObject({ type: 'SlotBookingRejected', value: { reason: 'PATIENT_NOT_ATTACHED', misErrorCode: '310' } });
    });

    it('publishes the region’s rules with each doctor: women only at the gynaecologist, attached adults at the therapist', () => {
      const resources = publisher.sent.filter((e) => e.event.name === 'ResourcePublished').map((e) => e.value as Record<string, unknown>);
      const of = (doctor: { idLpu: number; idDoc: string }) => resources.find((r) => r.resourceId === `${oids.get(doctor.idLpu)}:${doctor.idDoc}`);
      expect(of(doctorOf('GIN'))).toMatchObject({ patientSex: 'FEMALE', attachmentRequired: false });
      expect(of(doctorOf('TER'))).toMatchObject({ patientSex: null, minPatientAgeYears: 18, maxPatientAgeYears: null, attachmentRequired: true });
      expect(of(anyoneDoctor())).toMatchObject({ patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false });
    });

    it("never sees a command sent to another adapter's topic, even one for its own clinic's slot", async () => {
      const doctor = anyoneDoctor();
      const slot = await freeSlot(doctor);
      const patient = await aPatient(doctor.idLpu);
      const callsBefore = setAppointmentCalls;
      const misrouted = bookSlot(doctor, slot.IdAppointment, patient.idPat);
      await send(misrouted, otherAdapterId);
      // Barrier: a later command on its own topic answered means the other topic's command would have come first if read.
      const marker = bookSlot(doctor, 'X-MARKER', patient.idPat);
      await send(marker);
      await outcomeOf(marker.commandId);

      expect(await outcomesOf(misrouted.commandId)).toEqual([]);
      expect(await slotState(slot.IdAppointment)).toMatchObject({ state: 'free' });
      expect(setAppointmentCalls - callsBefore).toBe(1);
    });

    it('answers a command for an organisation its MIS does not list with a refusal, and dead-letters one that breaks its schema', async () => {
      const doctor = anyoneDoctor();
      const foreign = bookSlot(doctor, 'X-1', 'P-1', { organisationOid: '1.2.643.5.1.13.13.12.2.99.1', slotId: '1.2.643.5.1.13.13.12.2.99.1:X-1' });
      const broken = { ...bookSlot(doctor, 'X-2', 'P-1'), commandId: 'not-a-uuid' };

      await send(foreign);
      await send(broken);

      await waitFor(async () => deadLetters.find((r) => r.key === broken.appointmentId), 'the broken command in dlq.booking.command.<adapter>');
      expect(await outcomeOf(foreign.commandId)).toMatchObject({ type: 'SlotBookingRejected', value: { reason: 'OTHER' } });
      expect(deadLetters.find((r) => r.key === foreign.appointmentId)).toBeUndefined();
    });
  });

  describe('POST /v1/patients/identify', () => {
    const identify = (body: unknown, key: string | null = apiKey) =>
      fetch(`http://127.0.0.1:${notifyPort}/v1/patients/identify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify(body),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));

    it('finds a patient by policy number, or by SNILS, without registering anyone', async () => {
      const patient = await aPatient(1);
      const organisationOid = oids.get(1);
      expect(await identify({ organisationOid, policyNumber: patient.policyNumber })).toEqual({
        status: 200,
        body: { misPatientId: patient.idPat, registered: false, attached: null },
      });
      expect((await identify({ organisationOid, snils: patient.snils })).body).toMatchObject({ misPatientId: patient.idPat });
    });

    it('registers a patient it does not find when asked to, who can then book the district therapist', async () => {
      const therapist = doctorOf('TER');
      const body = { organisationOid: oids.get(therapist.idLpu), surname: 'Новикова', firstName: 'Елена', patronymic: 'Сергеевна', birthDate: '1979-02-03', phone: '+7 918 000-00-00' };
      expect(await identify(body)).toEqual({ status: 404, body: { code: 'PATIENT.NOT_FOUND', message: expect.any(String) } });

      const registered = await identify({ ...body, register: true });
      expect(registered).toEqual({ status: 200, body: { misPatientId: expect.any(String), registered: true, attached: null } });
      expect((await identify(body)).body).toEqual({ misPatientId: registered.body.misPatientId, registered: false, attached: null });

      const command = bookSlot(therapist, (await freeSlot(therapist)).IdAppointment, String(registered.body.misPatientId));
      await send(command);
      expect(await outcomeOf(command.commandId)).toMatchObject({ type: 'SlotBookingConfirmed' });
    });

    it('answers 409 PATIENT.AMBIGUOUS when name and birth date match two patients', async () => {
      const twin = { surname: 'Смирнов', firstName: 'Олег', birthDate: '1990-09-09' };
      await aPatient(2, twin);
      await aPatient(2, twin);
      expect(await identify({ organisationOid: oids.get(2), ...twin })).toEqual({ status: 409, body: { code: 'PATIENT.AMBIGUOUS', message: expect.any(String) } });
    });

    it('refuses callers without a valid key (401), queries that identify no one (400) and organisations it does not serve (404)', async () => {
      const organisationOid = oids.get(1);
      expect((await identify({ organisationOid, policyNumber: '2300000000000001' }, null)).status).toBe(401);
      expect((await identify({ organisationOid, policyNumber: '2300000000000001' }, 'a-wrong-key-of-some-length')).status).toBe(401);
      expect(await identify({ organisationOid, surname: 'Иванов' })).toEqual({ status: 400, body: { code: 'PATIENT.QUERY_INVALID', message: expect.any(String) } });
      expect(await identify({ organisationOid, policyNumber: 2300000000000001 })).toEqual({ status: 400, body: { code: 'REQUEST.INVALID', message: expect.stringContaining('policyNumber') } });
      expect(await identify({ organisationOid: '1.2.643.5.1.13.13.12.2.99.1', policyNumber: '2300000000000001' })).toEqual({
        status: 404,
        body: { code: 'ORGANISATION.NOT_SERVED', message: expect.any(String) },
      });
    });

    it('answers 503 MIS.UNAVAILABLE while the MIS is down', async () => {
      await admin('/admin/outage', { on: true });
      try {
        expect(await identify({ organisationOid: oids.get(1), policyNumber: '2300000000000001' })).toEqual({
          status: 503,
          body: { code: 'MIS.UNAVAILABLE', message: expect.any(String) },
        });
      } finally {
        await admin('/admin/outage', { on: false });
      }
    });
  });
});
