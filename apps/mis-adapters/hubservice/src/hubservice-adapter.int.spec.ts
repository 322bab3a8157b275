import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '@medbus/config';
import { Topics } from '@medbus/contracts';
import { AvroCodec, EventPublisher, adapterTopicOf, adapterTopicsOf, deleteNamespaceTopics, ensureTopics, type OutgoingEvent } from '@medbus/kafka';
import { CreateMisAdapterPublishedState1764000000000 } from '@medbus/mis-adapter-kit';
import { collectTopic, stackAddresses, stackKafkaEnv, testConnection, testDataSource, uniqueName, waitFor, type RawRecord } from '@medbus/testing';
import { hubServiceAdapterConfigSchema, type HubServiceAdapterConfig } from './hubservice.config';
import { HubServiceAdapter } from './hubservice-adapter.module';

const root = join(__dirname, '..', '..', '..', '..');
const guid = '6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11';
const adminToken = 'hubsim-admin-token';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The HubService simulator as a child process, as operations run it. */
async function startSimulator(port: number, notifyPort: number): Promise<{ url: string; process: ChildProcess }> {
  const args = ['--tsconfig', 'tsconfig.base.json', 'tools/simulators/hubservice/main.ts', '--port', String(port), '--organisations', '2'];
  args.push('--doctors-per-org', '3', '--horizon-days', '3', '--notify-url', `http://127.0.0.1:${notifyPort}/notifications`, '--notify-share', '1', '--log-requests', 'false');
  // Organisations of our own OID root, so no other simulator running at the same time publishes for them.
  const env = { ...process.env, HUBSIM_OID_ROOT: `1.2.643.5.1.13.13.12.2.98.${Date.now() % 1_000_000_000}` };
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), args, { cwd: root, stdio: 'ignore', env });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, 'the simulator to listen', 30_000);
  return { url, process: child };
}

async function admin<T>(url: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`admin ${path} answered ${res.status}`);
  return (await res.json()) as T;
}

/** The real publisher, remembering what this adapter instance sent (other processes share the topics and the simulator's OIDs). */
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

interface Slot {
  readonly IdAppointment: string;
  readonly VisitStart: string;
}

describe('the HubService adapter against the simulator and the real Kafka', () => {
  const codec = new AvroCodec(stackAddresses().schemaRegistryUrl);
  const collectors: Array<{ records: RawRecord[]; stop: () => Promise<void> }> = [];
  const adapterId = uniqueName('hubservice-test');
  const namespace = uniqueName('adapter-test');
  const doctorsByOid = new Map<string, string[]>();
  let slotRecords: RawRecord[];
  let heartbeatRecords: RawRecord[];
  let simulator: { url: string; process: ChildProcess };
  let oids: Map<number, string>;
  let configOf: (id: string, notifyPort: number) => HubServiceAdapterConfig;
  let publisher: RecordingPublisher;
  let adapter: HubServiceAdapter;

  const firstDoctorOf = (idLpu: number): string => doctorsByOid.get(oids.get(idLpu) ?? '')?.[0] ?? '';
  const freeSlotsOf = (idLpu: number) => admin<Slot[]>(simulator.url, `/admin/slots?idLpu=${idLpu}&idDoc=${firstDoctorOf(idLpu)}&state=free`);

  /** Values on Kafka under `key` with `event-type` `type`, observed at or after `since`. */
  async function arrived(records: RawRecord[], key: string, type: string, since: number): Promise<Array<Record<string, unknown>>> {
    const values = [];
    for (const record of records.filter((r) => r.key === key && r.headers['event-type'] === type)) {
      const value = (await codec.decode(record.value)).value as Record<string, unknown>;
      if (Number(value.occurredAt) >= since) values.push(value);
    }
    return values;
  }

  beforeAll(async () => {
    // A bus of the test's own: its collectors read only this test's events, not the shared topics' history.
    await ensureTopics({ ...testConnection(), namespace }, adapterTopicsOf(adapterId), 3);
    for (const topic of [Topics.slot, Topics.adapterHeartbeat]) collectors.push(await collectTopic(adapterTopicOf(topic, adapterId, namespace)));
    [slotRecords, heartbeatRecords] = collectors.map((c) => c.records);

    const [misPort, notifyPort] = [await freePort(), await freePort()];
    simulator = await startSimulator(misPort, notifyPort);
    oids = new Map((await admin<Array<{ idLpu: number; oid: string }>>(simulator.url, '/admin/organisations')).map((o) => [o.idLpu, o.oid]));

    const { brokers, schemaRegistryUrl, sasl, ssl } = testConnection();
    configOf = (id, port) =>
      loadConfig(hubServiceAdapterConfigSchema, {
        KAFKA_BROKERS: brokers.join(','),
        ...stackKafkaEnv(),
        KAFKA_CLIENT_ID: id,
        KAFKA_NAMESPACE: namespace,
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        OTEL_SERVICE_NAME: 'mis-adapter-hubservice-test',
        OTEL_SDK_DISABLED: 'true',
        MIS_WSDL_URL: `${simulator.url}/Hub25/HubService.svc?wsdl`,
        MIS_GUID: guid,
        ADAPTER_ID: id,
        HTTP_PORT: String(port),
        ADAPTER_ORGANISATIONS: [...oids.values()].join(','),
        POLL_INTERVAL_MS: '600000',
        HEARTBEAT_INTERVAL_MS: '500',
        BREAKER_OPEN_MS: '300',
        HORIZON_DAYS: '3',
      });
    publisher = new RecordingPublisher({ brokers, clientId: adapterId, schemaRegistryUrl, namespace, sasl, ssl }, { origin: adapterId });
    adapter = new HubServiceAdapter(configOf(adapterId, notifyPort), { publisher, httpHost: '127.0.0.1' });
    await adapter.start();
  }, 90_000);

  afterAll(async () => {
    await adapter?.stop();
    await publisher?.close();
    simulator?.process.kill('SIGTERM');
    for (const collector of collectors) await collector.stop();
    await deleteNamespaceTopics(testConnection(), namespace).catch(() => undefined);
  });

  it('publishes organisations, resources and free slots on the initial sync, each once', async () => {
    const startedAt = Date.now() - 60_000;
    await waitFor(async () => adapter.health().lastSuccessfulSyncAt !== null, 'the initial sync', 30_000);
    const sent = publisher.schedule();
    const organisations = sent.filter((e) => e.type === 'OrganisationPublished').map((e) => e.key);
    const resources = publisher.sent.filter((e) => e.event.name === 'ResourcePublished').map((e) => e.value as { organisationOid: string; localResourceId: string });
    const slots = sent.filter((e) => e.type.startsWith('Slot'));
    expect(organisations.sort()).toEqual([...oids.values()].sort());
    expect(resources).toHaveLength(6);
    for (const r of resources) doctorsByOid.set(r.organisationOid, [...(doctorsByOid.get(r.organisationOid) ?? []), r.localResourceId]);
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((e) => e.type === 'SlotPublished' && e.status === 'FREE')).toBe(true);
    expect(new Set(slots.map((e) => e.key)).size).toBe(slots.length);

    const sample = slots[slots.length - 1];
    await waitFor(async () => (await arrived(slotRecords, sample.key, 'SlotPublished', startedAt)).length > 0, 'a slot on mis.slot');

    const before = publisher.schedule().length;
    await adapter.sync.fullSync();
    expect(publisher.schedule()).toHaveLength(before);
  }, 60_000);

  it('turns a walk-in at the front desk into SlotChanged BOOKED on Kafka within a second, through the notification', async () => {
    const [idLpu] = [...oids.keys()];
    const free = await freeSlotsOf(idLpu);
    const tomorrow = free.find((s) => s.VisitStart.slice(0, 10) > free[0].VisitStart.slice(0, 10)) ?? free[free.length - 1];
    const slotId = `${oids.get(idLpu)}:${tomorrow.IdAppointment}`;

    const walkedInAt = Date.now();
    await admin(simulator.url, '/admin/walk-in', { slotId: tomorrow.IdAppointment });
    const [changed] = await waitFor(async () => {
      const values = await arrived(slotRecords, slotId, 'SlotChanged', walkedInAt);
      return values.length > 0 && values;
    }, 'SlotChanged of the walked-in slot', 5_000);
    const latencyMs = Date.now() - walkedInAt;
    expect(changed).toMatchObject({ slotId, status: 'BOOKED' });
    expect(latencyMs).toBeLessThan(1_000);
    expect(adapter.health().notifications.accepted).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it.each(['entity-expansion', 'broken-xml', 'wrong-types', 'huge'])(
    'counts a %s answer, publishes nothing from it and stays up',
    async (mode) => {
      await admin(simulator.url, '/admin/faults', { malformed: mode });
      const rejectedBefore = Object.values(adapter.health().rejectedResponses).reduce((a, b) => a + b, 0);
      const sentBefore = publisher.schedule().length;
      try {
        await expect(adapter.sync.fullSync()).rejects.toMatchObject({ code: 'MIS.RESPONSE_REJECTED' });
      } finally {
        await admin(simulator.url, '/admin/faults', { malformed: 'none' });
      }
      expect(Object.values(adapter.health().rejectedResponses).reduce((a, b) => a + b, 0)).toBeGreaterThan(rejectedBefore);
      expect(publisher.schedule()).toHaveLength(sentBefore);
      expect(adapter.health().misReachable).toBe(true);
    },
    30_000,
  );

  it('reports the MIS unreachable during an outage and catches up by itself when it returns', async () => {
    const outageAt = Date.now();
    await admin(simulator.url, '/admin/outage', { on: true });
    try {
      for (let i = 0; i < 2; i++) await expect(adapter.sync.fullSync()).rejects.toMatchObject({ kind: 'unavailable' });
      expect(adapter.health()).toMatchObject({ misReachable: false, circuit: 'open' });
      const heartbeat = await waitFor(async () => {
        const values = await arrived(heartbeatRecords, adapterId, 'AdapterHeartbeatRecorded', outageAt);
        return values.find((v) => v.misReachable === false);
      }, 'a heartbeat saying the MIS is unreachable', 5_000);
      expect(heartbeat).toMatchObject({ adapterId, misReachable: false, heartbeatIntervalMs: 500 });

      const idLpu = [...oids.keys()][1];
      const free = await freeSlotsOf(idLpu);
      const missed = free[free.length - 1];
      await admin(simulator.url, '/admin/walk-in', { slotId: missed.IdAppointment });
      const missedSlotId = `${oids.get(idLpu)}:${missed.IdAppointment}`;
      const lastSyncBefore = adapter.health().lastSuccessfulSyncAt;

      await admin(simulator.url, '/admin/outage', { on: false });
      await new Promise((resolve) => setTimeout(resolve, 400));
      await adapter.sync.fullSync();
      expect(adapter.health()).toMatchObject({ misReachable: true, circuit: 'closed' });
      expect(adapter.health().lastSuccessfulSyncAt).not.toBe(lastSyncBefore);
      expect(publisher.schedule()).toContainEqual({ type: 'SlotChanged', key: missedSlotId, status: 'BOOKED' });
    } finally {
      await admin(simulator.url, '/admin/outage', { on: false }).catch(() => undefined);
    }
  }, 60_000);

  it('remembers what it published across a restart: a slot taken while it was down becomes SlotChanged BOOKED, nothing else is republished', async () => {
    await adapter.stop();
    const dataSource = await testDataSource([CreateMisAdapterPublishedState1764000000000]);
    const id = uniqueName('hubservice-restart');
    await ensureTopics({ ...testConnection(), namespace }, adapterTopicsOf(id), 1);
    const run = async () => {
      const recorder = new RecordingPublisher({ ...testConnection(id), namespace }, { origin: id });
      const instance = new HubServiceAdapter(configOf(id, await freePort()), { publisher: recorder, dataSource, httpHost: '127.0.0.1' });
      await instance.start();
      await waitFor(async () => instance.health().lastSuccessfulSyncAt !== null, 'a sync', 30_000);
      await instance.stop();
      await recorder.close();
      return recorder;
    };
    try {
      const first = await run();
      expect(first.schedule().length).toBeGreaterThan(0);

      const [idLpu] = [...oids.keys()];
      const free = await freeSlotsOf(idLpu);
      const taken = free[free.length - 1];
      await admin(simulator.url, '/admin/walk-in', { slotId: taken.IdAppointment });

      const second = await run();
      expect(second.schedule()).toEqual([{ type: 'SlotChanged', key: `${oids.get(idLpu)}:${taken.IdAppointment}`, status: 'BOOKED' }]);
    } finally {
      await dataSource.destroy();
    }
  }, 90_000);
});
