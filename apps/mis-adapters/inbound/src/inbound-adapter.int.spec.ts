import { randomUUID } from 'node:crypto';
import { loadConfig } from '@medbus/config';
import { AllEvents, Topics, type BookSlot, type CancelAppointment } from '@medbus/contracts';
import { AvroCodec, EventPublisher, adapterTopicOf, adapterTopicsOf, deleteNamespaceTopics, ensureTopics } from '@medbus/kafka';
import { epochMsToLocalDateTime } from '@medbus/mis-adapter-kit';
import { collectTopic, freePort, stackAddresses, stackKafkaEnv, testConnection, uniqueName, waitFor, type RawRecord } from '@medbus/testing';
import { DataSource } from 'typeorm';
import { inboundAdapterConfigSchema } from './inbound.config';
import { InboundAdapter } from './inbound-adapter.module';
import type { CommandItem } from './inbound-request.mapper';
import organisation from './__fixtures__/organisation.json';
import resources from './__fixtures__/resources.json';

const misKey = 'poliklinika-int-test-mis-key-0001';
const patientApiKey = 'booking-service-test-key-0001';
const zone = 'Europe/Moscow';

/** A clinic-local day `days` from now, and a time on it. */
const localDay = (days: number) => epochMsToLocalDateTime(Date.now() + days * 86_400_000, zone).slice(0, 10);

describe('the inbound adapter: a home-grown MIS pushing to it and carrying out its orders, against Kafka and Postgres', () => {
  const codec = new AvroCodec(stackAddresses().schemaRegistryUrl);
  const adapterId = uniqueName('inbound');
  const namespace = uniqueName('inbound-adapter');
  const schema = `mis_adapter_it_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
  // Organisations of an OID root of our own: no other test speaks for them.
  const oidRoot = `1.2.643.5.1.13.13.12.2.97.${Date.now() % 1_000_000_000}`;
  const served = `${oidRoot}.1`;
  const foreign = `${oidRoot}.2`;
  const collectors: Array<{ records: RawRecord[]; stop: () => Promise<void> }> = [];
  let organisations: RawRecord[];
  let resourceRecords: RawRecord[];
  let slotRecords: RawRecord[];
  let outcomes: RawRecord[];
  let commands: EventPublisher;
  let adapter: InboundAdapter;
  let base: string;
  const [tomorrow, dayAfter] = [localDay(1), localDay(2)];
  const range = `from=${tomorrow}&to=${dayAfter}`;
  const doctorSlots = [
    { localId: 'slot-a', start: `${tomorrow}T08:00`, end: `${tomorrow}T08:20`, status: 'FREE' },
    { localId: 'slot-b', start: `${tomorrow}T08:20`, end: `${tomorrow}T08:40`, status: 'BOOKED' },
    { localId: 'slot-c', start: `${dayAfter}T10:00`, end: `${dayAfter}T10:20`, status: 'BLOCKED' },
  ];

  async function call(method: string, path: string, body?: unknown, key = misKey): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const pushSlots = (slots: unknown[], oid = served) => call('PUT', `/inbound/v1/organisations/${oid}/resources/doc-117/slots?${range}`, { slots });
  const poll = async (wait: number): Promise<CommandItem[]> => {
    const answer = await call('GET', `/inbound/v1/commands?organisationOid=${served}&wait=${wait}`);
    expect(answer.status).toBe(200);
    return answer.body['commands'] as CommandItem[];
  };
  const answer = (commandId: string, body: unknown) => call('POST', `/inbound/v1/commands/${commandId}/outcome`, body);

  const keyed = (records: RawRecord[], key: string) => records.filter((r) => r.key === key);
  async function decoded(records: RawRecord[]): Promise<Array<{ type: string; key: string | null; value: Record<string, unknown> }>> {
    return Promise.all(records.map(async (r) => ({ type: r.headers['event-type'] ?? '', key: r.key, value: (await codec.decode(r.value)).value as Record<string, unknown> })));
  }
  const outcomeOf = (commandId: string, count = 1) =>
    waitFor(async () => {
      const found = (await decoded(outcomes)).filter((o) => o.value['commandId'] === commandId);
      return found.length >= count && found;
    }, `the outcome of command ${commandId}`, 40_000);

  const marker = `${served}:marker`;
  let markers = 0;
  /** The organisation's resources with a marker cabinet, named after the last barrier. */
  const resourceList = () => ({
    resources: [...resources.resources, { localId: 'marker', name: `marker ${markers}`, specialty: { localCode: 'PROC', display: 'Процедурный кабинет' } }],
  });
  /**
   * Changes the organisation, the marker cabinet and its slot, and waits until the three are on
   * Kafka: the topics have one partition, so whatever was published before them has arrived too.
   */
  async function barrier(): Promise<void> {
    markers += 1;
    const before = [keyed(organisations, served).length, keyed(resourceRecords, marker).length, keyed(slotRecords, marker).length];
    const slot = { localId: 'marker', start: `${dayAfter}T18:00`, end: `${dayAfter}T18:20`, status: markers % 2 === 0 ? 'FREE' : 'BLOCKED' };
    expect((await call('PUT', `/inbound/v1/organisations/${served}`, { ...organisation, address: `marker ${markers}` })).body).toMatchObject({ published: 1 });
    expect((await call('PUT', `/inbound/v1/organisations/${served}/resources`, resourceList())).body).toMatchObject({ published: 1 });
    expect((await call('PUT', `/inbound/v1/organisations/${served}/resources/marker/slots?${range}`, { slots: [slot] })).body).toMatchObject({ published: 1 });
    await waitFor(
      async () => [keyed(organisations, served), keyed(resourceRecords, marker), keyed(slotRecords, marker)].every((records, i) => records.length > (before[i] ?? 0)),
      'the markers on Kafka',
    );
  }

  function bookSlot(localSlotId: string, overrides: Partial<BookSlot> = {}): BookSlot {
    return {
      commandId: randomUUID(),
      appointmentId: randomUUID(),
      slotId: `${served}:${localSlotId}`,
      localSlotId,
      organisationOid: served,
      resourceId: `${served}:doc-117`,
      localResourceId: 'doc-117',
      misPatientId: 'pat-88123',
      requestedBy: 'CONTACT_CENTRE',
      requestedAt: Date.now(),
      deadline: Date.now() + 20_000,
      replacesMisAppointmentId: null,
      ...overrides,
    };
  }
  const send = (command: BookSlot | CancelAppointment) =>
    commands.publish({ event: 'deadline' in command ? AllEvents.BookSlot : AllEvents.CancelAppointment, key: command.appointmentId, value: command, adapterId });

  beforeAll(async () => {
    // One partition per topic: a later marker on a topic proves everything before it was delivered.
    await ensureTopics({ ...testConnection(), namespace }, adapterTopicsOf(adapterId), 1);
    for (const topic of [Topics.organisation, Topics.resource, Topics.slot, Topics.bookingCommandOutcome]) {
      collectors.push(await collectTopic(adapterTopicOf(topic, adapterId, namespace)));
    }
    [organisations, resourceRecords, slotRecords, outcomes] = collectors.map((c) => c.records);
    const { brokers, schemaRegistryUrl } = testConnection();
    const config = loadConfig(inboundAdapterConfigSchema, {
      KAFKA_BROKERS: brokers.join(','),
      ...stackKafkaEnv(),
      KAFKA_CLIENT_ID: adapterId,
      KAFKA_NAMESPACE: namespace,
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
      OTEL_SERVICE_NAME: 'mis-adapter-inbound-test',
      OTEL_SDK_DISABLED: 'true',
      ADAPTER_ID: adapterId,
      HTTP_PORT: String(await freePort()),
      ADAPTER_ORGANISATIONS: served,
      POLL_INTERVAL_MS: '600000',
      HEARTBEAT_INTERVAL_MS: '5000',
      DATABASE_URL: stackAddresses().databaseUrl,
      ADAPTER_DATABASE_SCHEMA: schema,
      COMMAND_RETRY_MAX_MS: '500',
      COMMAND_VERIFY_WINDOW_MS: '3000',
      ADAPTER_API_KEYS: patientApiKey,
      INBOUND_API_KEYS: misKey,
      INBOUND_REDELIVERY_MS: '2000',
    });
    commands = new EventPublisher({ ...testConnection(uniqueName('booking-service')), namespace });
    adapter = new InboundAdapter(config, { httpHost: '127.0.0.1' });
    base = `http://127.0.0.1:${await adapter.start()}`;

    expect((await call('PUT', `/inbound/v1/organisations/${served}`, organisation)).body).toEqual({ published: 1, issues: [] });
    expect((await call('PUT', `/inbound/v1/organisations/${served}/resources`, resourceList())).body).toMatchObject({ published: 4 });
    expect((await pushSlots(doctorSlots)).body).toEqual({ published: 3, issues: [] });
  }, 120_000);

  afterAll(async () => {
    await adapter?.stop();
    await commands?.close();
    for (const collector of collectors) await collector.stop();
    const dataSource = new DataSource({ type: 'postgres', url: stackAddresses().databaseUrl });
    await dataSource.initialize();
    await dataSource.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await dataSource.destroy();
    await deleteNamespaceTopics(testConnection(), namespace).catch(() => undefined);
  });

  describe('what the MIS pushes', () => {
    it('publishes the organisation, its resources and its slots on Kafka once; the same pushes again publish nothing', async () => {
      expect((await call('PUT', `/inbound/v1/organisations/${served}`, organisation)).body).toEqual({ published: 0, issues: [] });
      expect((await call('PUT', `/inbound/v1/organisations/${served}/resources`, resourceList())).body).toMatchObject({ published: 0 });
      expect((await pushSlots(doctorSlots)).body).toEqual({ published: 0, issues: [] });
      await barrier();

      expect((await decoded(keyed(organisations, served))).map((o) => o.value['address'])).toEqual([organisation.address.trim(), 'marker 1']);
      expect(resourceRecords.map((r) => r.key).sort()).toEqual([`${served}:cab-procedure`, `${served}:doc-117`, `${served}:doc-204`, marker, marker]);
      const slots = (await decoded(slotRecords)).filter((s) => s.key !== marker);
      expect(slots.map((s) => [s.type, s.key, s.value['status']]).sort()).toEqual([
        ['SlotPublished', `${served}:slot-a`, 'FREE'],
        ['SlotPublished', `${served}:slot-b`, 'BOOKED'],
        ['SlotPublished', `${served}:slot-c`, 'BLOCKED'],
      ]);
      expect(slots.find((s) => s.key === `${served}:slot-a`)?.value).toMatchObject({
        startsAt: Date.parse(`${tomorrow}T05:00:00Z`),
        localResourceId: 'doc-117',
        bookingChannels: ['CONTACT_CENTRE', 'PORTAL', 'FRONT_DESK', 'KIOSK', 'FEDERAL_PORTAL'],
      });
    });

    it('publishes a change, and removes a slot the MIS no longer lists in the range', async () => {
      const [a, b] = doctorSlots;
      expect((await pushSlots([a, { ...b, status: 'FREE' }])).body).toMatchObject({ published: 2 });

      const changes = await waitFor(async () => {
        const found = (await decoded(slotRecords)).filter((s) => s.type !== 'SlotPublished' && s.key !== marker);
        return found.length >= 2 && found;
      }, 'the change and the removal');
      expect(changes.map((s) => [s.type, s.key])).toEqual(expect.arrayContaining([['SlotChanged', `${served}:slot-b`], ['SlotRemoved', `${served}:slot-c`]]));
      expect((await pushSlots(doctorSlots)).body).toMatchObject({ published: 2 });
    });

    it('refuses a push for an organisation outside ADAPTER_ORGANISATIONS with 403, and a wrong key with 401, publishing nothing', async () => {
      expect(await call('PUT', `/inbound/v1/organisations/${foreign}`, organisation)).toMatchObject({ status: 403, body: { code: 'INBOUND.ORGANISATION_NOT_SERVED' } });
      expect(await call('PUT', `/inbound/v1/organisations/${foreign}/resources/doc-117/slots?${range}`, { slots: doctorSlots })).toMatchObject({ status: 403 });
      expect(await call('PUT', `/inbound/v1/organisations/${served}`, { ...organisation, active: false }, 'not-the-mis-key-0000000000')).toMatchObject({
        status: 401,
        body: { code: 'AUTH.INVALID_API_KEY' },
      });
      await barrier();

      for (const records of [organisations, resourceRecords, slotRecords]) expect(records.filter((r) => r.key?.startsWith(foreign))).toEqual([]);
      expect((await decoded(keyed(organisations, served))).filter((o) => o.value['active'] !== true)).toEqual([]);
    });

    it('serves its OpenAPI document without a key and counts the MIS reachable once it calls', async () => {
      const res = await fetch(`${base}/inbound/v1/openapi.json`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty(['/inbound/v1/commands']);
      expect(adapter.health()).toMatchObject({ misReachable: true, organisations: 1 });
    });

    it('cannot identify a patient: the MIS cannot be asked', async () => {
      const res = await fetch(`${base}/v1/patients/identify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${patientApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ organisationOid: served, policyNumber: '2300000000000001' }),
      });
      expect(await res.json()).toMatchObject({ code: 'PATIENT.IDENTIFICATION_UNSUPPORTED' });
    });
  });

  describe('booking orders', () => {
    it('gives a BookSlot to the MIS waiting on a long poll and confirms it with the MIS’s appointment id', async () => {
      const command = bookSlot('slot-a');
      const polled = poll(25);
      await send(command);

      const [order, ...others] = await polled;
      expect(others).toEqual([]);
      expect(order).toMatchObject({ commandId: command.commandId, kind: 'BookSlot', localSlotId: 'slot-a', localResourceId: 'doc-117', misPatientId: 'pat-88123', deliveries: 1 });
      expect(await answer(command.commandId, { outcome: 'done', misAppointmentId: 'visit-1' })).toEqual({ status: 200, body: { commandId: command.commandId, outcome: 'done' } });

      const [outcome] = await outcomeOf(command.commandId);
      expect(outcome).toMatchObject({ type: 'SlotBookingConfirmed', key: command.appointmentId, value: { slotId: `${served}:slot-a`, misAppointmentId: 'visit-1' } });
      expect(await answer(command.commandId, { outcome: 'done', misAppointmentId: 'visit-1' })).toMatchObject({ status: 200 });
      expect(await answer(command.commandId, { outcome: 'refused', code: 'SLOT_TAKEN' })).toMatchObject({ status: 409, body: { code: 'INBOUND.OUTCOME_CONFLICT' } });
      expect(await poll(0)).toEqual([]);
    });

    it('cancels through the same path, naming the appointment and its slot', async () => {
      const booking = bookSlot('slot-b', { misPatientId: 'pat-3001' });
      await send(booking);
      const [order] = await poll(25);
      await answer(order?.commandId ?? '', { outcome: 'done' });
      expect((await outcomeOf(booking.commandId))[0]?.value).toMatchObject({ misAppointmentId: 'slot-b' });
      const cancel: CancelAppointment = {
        commandId: randomUUID(),
        appointmentId: booking.appointmentId,
        organisationOid: served,
        slotId: booking.slotId,
        localSlotId: 'slot-b',
        misAppointmentId: 'slot-b',
        misPatientId: 'pat-3001',
        requestedBy: 'CONTACT_CENTRE',
        requestedAt: Date.now(),
      };

      await send(cancel);
      const [cancellation] = await poll(25);
      expect(cancellation).toMatchObject({ commandId: cancel.commandId, kind: 'CancelAppointment', misAppointmentId: 'slot-b', localSlotId: 'slot-b', localResourceId: null });
      await answer(cancel.commandId, { outcome: 'done' });

      expect((await outcomeOf(cancel.commandId))[0]).toMatchObject({ type: 'AppointmentCancellationConfirmed' });
      expect(await adapter.dialect.activeAppointments(served, 'pat-3001')).toEqual([]);
    });

    it('rejects a booking the MIS refuses, with its code and its wording redacted', async () => {
      const command = bookSlot('slot-c');
      await send(command);
      const [order] = await poll(25);
      await answer(order?.commandId ?? '', { outcome: 'refused', code: 'SLOT_TAKEN', message: 'Талон выдан в регистратуре, тел. +7 918 123-45-67' });

      const [outcome] = await outcomeOf(command.commandId);
      expect(outcome).toMatchObject({ type: 'SlotBookingRejected', value: { reason: 'SLOT_TAKEN', misErrorCode: 'SLOT_TAKEN', message: 'Талон выдан в регистратуре, тел. [REDACTED]' } });
    });

    it('is one order for one command id, however often the command comes', async () => {
      const command = bookSlot('slot-a', { misPatientId: 'pat-4001' });
      await send(command);
      await send(command);
      const [order, ...others] = await poll(25);
      expect(others).toEqual([]);
      await answer(order?.commandId ?? '', { outcome: 'done' });

      const both = await outcomeOf(command.commandId, 2);
      expect(both.map((o) => o.type)).toEqual(['SlotBookingConfirmed', 'SlotBookingConfirmed']);
      expect(await poll(0)).toEqual([]);
      expect(await adapter.dialect.activeAppointments(served, 'pat-4001')).toEqual([{ localSlotId: 'slot-a', misAppointmentId: 'slot-a' }]);
    });

    it('lists an unanswered order again after a while, and rejects it DEADLINE_EXCEEDED once its deadline passes; a late answer is refused', async () => {
      const command = bookSlot('slot-c', { deadline: Date.now() + 5_000, misPatientId: 'pat-5001' });
      await send(command);
      expect((await poll(25))[0]).toMatchObject({ commandId: command.commandId, deliveries: 1 });
      expect((await poll(25))[0]).toMatchObject({ commandId: command.commandId, deliveries: 2 });

      const [outcome] = await outcomeOf(command.commandId);
      expect(outcome).toMatchObject({ type: 'SlotBookingRejected', value: { reason: 'DEADLINE_EXCEEDED' } });
      expect(await answer(command.commandId, { outcome: 'done' })).toMatchObject({ status: 409, body: { code: 'INBOUND.COMMAND_EXPIRED' } });
      expect(await adapter.dialect.activeAppointments(served, 'pat-5001')).toEqual([]);
      expect(await poll(0)).toEqual([]);
    }, 60_000);

    it('answers an order it does not know with 404', async () => {
      expect(await answer(randomUUID(), { outcome: 'done' })).toMatchObject({ status: 404, body: { code: 'INBOUND.COMMAND_NOT_FOUND' } });
    });
  });
});
