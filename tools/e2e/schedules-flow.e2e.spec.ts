import { randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { Topics } from '@medbus/contracts';
import { adapterTopicsOf, deleteNamespaceTopics, ensureTopics, isPerAdapterTopic, namespaced } from '@medbus/kafka';
import { freePort, stackAddresses, stackKafka, startProcess, testConnection, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { compiledServices, nodeCommandOf } from '../build/build-services';
import { clientsCli, e2eOidRoot, eventually, registerAdapterIn, type SimOrganisation, type SimSlot } from './region.process';
import { bookingDbOf, compareInventoryWithMis, describeDifferences, equalsMis, type InventoryVsMis } from './inventory-vs-mis';

/**
 * The schedules flow end to end, with every piece a real process: the HubService simulator (the
 * MIS), its medbus adapter and the booking service, over the local stack's Kafka and Postgres.
 * Changes made at the simulator's front desk must reach the operators' slot search: at once for a
 * MIS that notifies, within a polling interval for one that does not; sick days, new days and a MIS
 * outage as well.
 *
 * Isolation: the demo and other tests publish to the same topics, for the same organisation OIDs
 * (they depend on the index only). Booking runs with its own consumer group, committed at the end
 * of the topics before anything of ours is published, and its own Postgres schema; assertions name
 * the slot ids this run touched, never totals.
 */

const root = join(__dirname, '..', '..');
const POLL_INTERVAL_MS = 4_000;
/** Today in Moscow, where the simulated organisations 1..4 are (UTC+3, no DST). */
const moscowToday = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 10);
// A short horizon keeps the event volume small; it is chosen so that the day the first
// advance-day opens (today + horizon) is a weekday, when every doctor receives.
const SIM_HORIZON_DAYS = [3, 4, 5].find((h) => [1, 2, 3, 4, 5].includes(new Date(Date.parse(`${moscowToday}T00:00:00Z`) + h * 86_400_000).getUTCDay())) ?? 3;
// The adapter's window starts at its own (wall-clock) today, the simulator's moves with each
// advance-day: the adapter must look further ahead to see the days the simulator opens.
const ADAPTER_HORIZON_DAYS = SIM_HORIZON_DAYS + 3;
const MIS_GUID = '6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11';

const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const oidRoot = e2eOidRoot();
const consumerGroup = `booking-e2e-${runId}`;
/** The test's own bus: its topics, subjects and groups are invisible to the demo, other tests and the bench. */
const namespace = `e2e-schedules-${runId}`;
const dbSchema = `booking_e2e_${runId}`;
const adapterId = `hubservice-e2e-${runId}`;
/** A contact-centre operator's key, issued by the clients CLI once the booking schema exists. */
let apiKey = '';
const adminToken = `e2e-admin-${randomBytes(8).toString('hex')}`;
const logFile = (name: string) => join(root, '.medbus', 'logs', `e2e-${name}-${runId}.log`);

interface SlotView {
  readonly slotId: string;
  readonly status: string;
}

interface Freshness {
  readonly stale: boolean;
  readonly reason: string | null;
  readonly lastSyncAt: string | null;
}

interface OrganisationView {
  readonly organisationOid: string;
  readonly freshness: Freshness;
}

let simPort = 0;
let notifyPort = 0;
let bookingPort = 0;
let bookingDatabaseUrl = '';
let sim: ServiceProcess | undefined;
let adapter: ServiceProcess | undefined;
let booking: ServiceProcess | undefined;
let organisations: SimOrganisation[] = [];
let doctors: { idLpu: number; idDoc: string }[] = [];
const touched = new Set<string>();

// ---- helpers -----------------------------------------------------------------------------------

function childEnv(extra: Record<string, string>, without: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ['NODE_OPTIONS', 'NODE_ENV', 'JEST_WORKER_ID', ...without]) delete env[name];
  return env;
}


let failed = false;

function dumpLogs(): void {
  failed = true;
  for (const service of [sim, adapter, booking]) {
    if (service) console.log(`---- ${service.name} (${service.alive() ? 'alive' : `exited ${service.child.exitCode}`}), ${service.logFile}\n${service.tail(30)}`);
  }
}

/** Runs a test body; on failure prints the services' log tails before failing. */
function withLogs(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      dumpLogs();
      throw error;
    }
  };
}

async function simCall<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${simPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`simulator ${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function api<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
  const response = await fetch(`http://127.0.0.1:${bookingPort}${path}?${params.toString()}`, {
    headers: { authorization: `Bearer ${apiKey}` },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`booking GET ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

function orgOf(idLpu: number): SimOrganisation {
  const org = organisations.find((o) => o.idLpu === idLpu);
  if (!org) throw new Error(`organisation ${idLpu} is not in the simulated region`);
  return org;
}

/** Organisations 1..4 are all on Moscow time (checked in beforeAll): UTC+3, no DST. */
const instantOf = (local: string): string => `${local}+03:00`;
const dayStart = (date: string): string => `${date}T00:00:00+03:00`;
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
const slotIdOf = (slot: SimSlot): string => `${orgOf(slot.idLpu).oid}:${slot.IdAppointment}`;

async function simFreeSlots(filter: (slot: SimSlot) => boolean = () => true): Promise<SimSlot[]> {
  const lists = await Promise.all(doctors.map((d) => simCall<SimSlot[]>('GET', `/admin/slots?idLpu=${d.idLpu}&idDoc=${d.idDoc}&state=free`)));
  return lists.flat().filter((slot) => slot.state === 'free' && filter(slot));
}

async function simToday(): Promise<{ today: string; lastDay: string }> {
  return simCall<{ today: string; lastDay: string }>('GET', '/admin/state');
}

/** Ids of the FREE slots booking offers for an organisation in [from, to), every page. */
async function bookingFreeIds(oid: string, from: string, to?: string, practitioner?: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await api<{ items: SlotView[]; nextCursor: string | null }>('/v1/slots', {
      organisation: oid,
      practitioner,
      freeOnly: 'true',
      from,
      to,
      limit: '200',
      cursor,
    });
    for (const item of page.items) ids.add(item.slotId);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

/** Whether booking offers this slot as FREE: a search narrowed to the minute it starts. */
async function offeredFree(slot: SimSlot): Promise<boolean> {
  const from = instantOf(slot.VisitStart);
  const to = new Date(Date.parse(from) + 60_000).toISOString();
  const ids = await bookingFreeIds(orgOf(slot.idLpu).oid, from, to);
  return ids.has(slotIdOf(slot));
}

/** Every one of `slots` is offered FREE (one search per organisation and day). */
async function allOffered(slots: readonly SimSlot[]): Promise<{ missing: string[] }> {
  const groups = new Map<string, SimSlot[]>();
  for (const slot of slots) {
    const key = `${slot.idLpu}|${slot.VisitStart.slice(0, 10)}`;
    groups.set(key, [...(groups.get(key) ?? []), slot]);
  }
  const missing: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const date = group[0].VisitStart.slice(0, 10);
      const offered = await bookingFreeIds(orgOf(group[0].idLpu).oid, dayStart(date), dayStart(addDays(date, 1)));
      for (const slot of group) if (!offered.has(slotIdOf(slot))) missing.push(slotIdOf(slot));
    }),
  );
  return { missing };
}

/** A free slot of the organisation starting on or after `fromDate`, not used by another step. */
async function pickFreeSlot(org: SimOrganisation, fromDate: string): Promise<SimSlot> {
  const candidates = await simFreeSlots((s) => s.idLpu === org.idLpu && s.VisitStart.slice(0, 10) >= fromDate && !touched.has(slotIdOf(s)));
  if (candidates.length === 0) throw new Error(`organisation ${org.idLpu} has no free slot from ${fromDate}`);
  const slot = candidates[Math.floor(candidates.length / 2)];
  touched.add(slotIdOf(slot));
  return slot;
}

/** Front-desk walk-in at the simulator, then polls search every 50 ms until the slot is no longer free. */
async function walkInAndMeasure(slot: SimSlot, timeoutMs: number): Promise<number> {
  await eventually(() => offeredFree(slot), `${slotIdOf(slot)} to be offered free before the walk-in`, 30_000);
  const started = performance.now();
  const booked = await simCall<{ state: string }>('POST', '/admin/walk-in', { slotId: slot.IdAppointment });
  expect(booked.state).not.toBe('free');
  for (;;) {
    if (!(await offeredFree(slot))) return Math.round(performance.now() - started);
    if (performance.now() - started > timeoutMs) throw new Error(`${slotIdOf(slot)} still offered free ${timeoutMs} ms after the walk-in`);
    await sleep(50);
  }
}

async function ourOrganisations(): Promise<OrganisationView[]> {
  const list = await api<{ items: OrganisationView[] }>('/v1/organisations');
  const oids = new Set(organisations.map((o) => o.oid));
  return list.items.filter((item) => oids.has(item.organisationOid));
}

async function createTopics(): Promise<void> {
  await ensureTopics({ ...testConnection(), namespace }, [...Object.values(Topics).filter((topic) => !isPerAdapterTopic(topic)), ...adapterTopicsOf(adapterId)], 3);
}

async function startSimulator(): Promise<void> {
  // Which organisations notify depends on the seed: take seeds until there is one of each kind.
  for (let attempt = 1; attempt <= 8; attempt++) {
    const seed = randomInt(1, 2 ** 31 - 1);
    simPort = await freePort();
    sim = startProcess({
      name: 'simulator',
      ...nodeCommandOf(compiledServices.hubserviceSimulator, [
        ...['--host', '127.0.0.1', '--port', String(simPort), '--seed', String(seed), '--oid-root', oidRoot],
        ...['--organisations', '4', '--doctors-per-org', '3', '--horizon-days', String(SIM_HORIZON_DAYS)],
        ...['--walkin-rate', '0', '--cancel-rate', '0', '--sick-per-day', '0', '--day-length', '0'],
        ...['--notify-url', `http://127.0.0.1:${notifyPort}/notifications`, '--notify-share', '0.5', '--admin-token', adminToken],
      ]),
      env: childEnv({}),
      cwd: root,
      logFile: logFile('simulator'),
    });
    await waitForHttp(`http://127.0.0.1:${simPort}/health`, sim);
    organisations = await simCall<SimOrganisation[]>('GET', '/admin/organisations');
    if (organisations.some((o) => o.notifies) && organisations.some((o) => !o.notifies)) {
      console.log(`simulator seed ${seed}: notifying ${organisations.filter((o) => o.notifies).map((o) => o.idLpu)}`);
      return;
    }
    await sim.stop();
    sim = undefined;
  }
  throw new Error('no seed gave both notifying and non-notifying organisations');
}

/** After a failure: what booking's projection holds, before its schema is dropped. */
async function printInventory(db: Client): Promise<void> {
  const queries = {
    slots: `SELECT offered, status, count(*)::int AS n FROM "${dbSchema}".inventory_slot GROUP BY 1, 2 ORDER BY 1, 2`,
    organisations: `SELECT organisation_oid, active, removed FROM "${dbSchema}".inventory_organisation WHERE organisation_oid LIKE '${oidRoot}.%' ORDER BY 1`,
    practitioners: `SELECT count(*)::int AS n FROM "${dbSchema}".inventory_practitioner`,
    notOffered: `SELECT s.resource_id, s.status, count(*)::int AS n, bool_or(p.resource_id IS NOT NULL) AS practitioner_known, bool_or(p.active) AS practitioner_active
      FROM "${dbSchema}".inventory_slot s LEFT JOIN "${dbSchema}".inventory_practitioner p ON p.resource_id = s.resource_id
      WHERE NOT s.offered GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 20`,
    heartbeats: `SELECT organisation_oid, adapter_id, mis_reachable, heartbeat_at FROM "${dbSchema}".inventory_organisation_heartbeat ORDER BY 1`,
  };
  for (const [name, sql] of Object.entries(queries)) {
    const result = await db.query(sql).catch((error: unknown) => ({ rows: [String(error)] }));
    console.log(`booking ${name}: ${JSON.stringify(result.rows)}`);
  }
}

// ---- lifecycle ---------------------------------------------------------------------------------

beforeAll(async () => {
  try {
    const stack = stackAddresses();
    bookingDatabaseUrl = stack.databaseUrl;
    notifyPort = await freePort();
    bookingPort = await freePort();
    await Promise.all([createTopics(), startSimulator()]);
    expect(new Set([simPort, notifyPort, bookingPort]).size).toBe(3);

    const codeMap = await simCall<{ doctors: { idLpu: number; idDoc: string }[] }>('GET', '/admin/code-map');
    doctors = codeMap.doctors.map(({ idLpu, idDoc }) => ({ idLpu, idDoc }));
    expect(organisations).toHaveLength(4);
    expect(organisations.every((o) => o.timeZone === 'Europe/Moscow')).toBe(true);
    await registerAdapterIn(dbSchema, adapterId, organisations.map((o) => o.oid));
    apiKey = await clientsCli(dbSchema, ['issue', '--client', `e2e-operator-${runId}`, '--role', 'OPERATOR']);

    adapter = startProcess({
      name: 'adapter',
      ...nodeCommandOf(compiledServices.hubserviceAdapter),
      env: childEnv(
        {
          MIS_WSDL_URL: `http://127.0.0.1:${simPort}/Hub25/HubService.svc?wsdl`,
          MIS_GUID,
          ADAPTER_ID: adapterId,
          KAFKA_CLIENT_ID: adapterId,
          KAFKA_NAMESPACE: namespace,
          OTEL_SERVICE_NAME: 'mis-adapter-hubservice-e2e',
          OTEL_SDK_DISABLED: 'true',
          HTTP_PORT: String(notifyPort),
          ADAPTER_ORGANISATIONS: organisations.map((o) => o.oid).join(','),
          POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
          HEARTBEAT_INTERVAL_MS: '1000',
          BREAKER_OPEN_MS: '1000',
          HORIZON_DAYS: String(ADAPTER_HORIZON_DAYS),
          MIS_RATE_PER_SECOND: '200',
          MIS_RATE_BURST: '200',
        },
        ['DATABASE_URL', 'RAW_PAYLOAD_DIR', 'TEST_DATABASE_URL'],
      ),
      cwd: root,
      logFile: logFile('adapter'),
    });
    booking = startProcess({
      name: 'booking',
      ...nodeCommandOf(compiledServices.booking),
      env: childEnv(
        {
          HTTP_PORT: String(bookingPort),
          DATABASE_URL: bookingDatabaseUrl,
          BOOKING_CONSUMER_GROUP: consumerGroup,
          BOOKING_DATABASE_SCHEMA: dbSchema,
          KAFKA_CLIENT_ID: `booking-e2e-${runId}`,
          KAFKA_NAMESPACE: namespace,
          OTEL_SERVICE_NAME: 'booking-e2e',
          OTEL_SDK_DISABLED: 'true',
        },
        ['BOOKING_STALE_AFTER_HEARTBEATS', 'TEST_DATABASE_URL'],
      ),
      cwd: root,
      logFile: logFile('booking'),
    });
    await Promise.all([waitForHttp(`http://127.0.0.1:${notifyPort}/health`, adapter), waitForHttp(`http://127.0.0.1:${bookingPort}/health/ready`, booking)]);

    // The initial sync: every slot the simulator lists free from tomorrow on is offered in search.
    const { today } = await simToday();
    const expected = await simFreeSlots((s) => s.VisitStart.slice(0, 10) > today);
    expect(expected.length).toBeGreaterThan(0);
    const started = Date.now();
    let missing: string[] = [];
    await eventually(
      async () => {
        missing = (await allOffered(expected)).missing;
        return missing.length === 0;
      },
      `the initial sync of ${expected.length} free slots`,
      90_000,
      500,
    ).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; ${missing.length} not offered, e.g. ${missing.slice(0, 3).join(', ')}`);
    });
    console.log(`initial sync: ${expected.length} free slots offered ${Date.now() - started} ms after the services answered`);
  } catch (error) {
    dumpLogs();
    throw error;
  }
}, 170_000);

afterAll(async () => {
  await Promise.all([booking, adapter, sim].map((service) => service?.stop()));
  const db = new Client({ connectionString: bookingDatabaseUrl || stackAddresses().databaseUrl });
  try {
    await db.connect();
    if (failed) await printInventory(db);
    await db.query(`DROP SCHEMA IF EXISTS "${dbSchema}" CASCADE`);
  } catch (error) {
    console.warn(`could not drop schema ${dbSchema}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await db.end().catch(() => undefined);
  }
  const admin = stackKafka(`e2e-cleanup-${runId}`).admin();
  try {
    await admin.connect();
    await admin.deleteGroups([consumerGroup, `${consumerGroup}-outcomes`].map((group) => namespaced(group, namespace)));
  } catch {
    // best effort: an empty group expires on its own
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  await deleteNamespaceTopics(testConnection(), namespace).catch(() => undefined);
}, 60_000);

// ---- the flow ----------------------------------------------------------------------------------

describe('schedules flow: simulator → adapter → Kafka → booking search', () => {
  it(
    'a walk-in at a notifying organisation leaves free search within 1 s',
    withLogs(async () => {
      const { today } = await simToday();
      const org = organisations.find((o) => o.notifies);
      if (!org) throw new Error('no notifying organisation');
      const slot = await pickFreeSlot(org, addDays(today, 1));
      const elapsed = await walkInAndMeasure(slot, 10_000);
      console.log(`notifying organisation ${org.idLpu}: walk-in on ${slotIdOf(slot)} left free search after ${elapsed} ms`);
      expect(elapsed).toBeLessThan(1_000);
    }),
    120_000,
  );

  it(
    'a walk-in at a non-notifying organisation leaves free search within the polling interval',
    withLogs(async () => {
      const { today } = await simToday();
      const org = organisations.find((o) => !o.notifies);
      if (!org) throw new Error('no non-notifying organisation');
      const slot = await pickFreeSlot(org, addDays(today, 1));
      const elapsed = await walkInAndMeasure(slot, POLL_INTERVAL_MS + 15_000);
      console.log(`non-notifying organisation ${org.idLpu}: walk-in on ${slotIdOf(slot)} left free search after ${elapsed} ms (poll interval ${POLL_INTERVAL_MS} ms)`);
      expect(elapsed).toBeLessThan(POLL_INTERVAL_MS + 3_000);
    }),
    120_000,
  );

  it(
    "a doctor's sick day takes that doctor's slots of the day out of free search",
    withLogs(async () => {
      const { today } = await simToday();
      const free = await simFreeSlots((s) => s.VisitStart.slice(0, 10) > today && !touched.has(slotIdOf(s)));
      const byDoctorDay = new Map<string, SimSlot[]>();
      for (const slot of free) {
        const key = `${slot.idLpu}|${slot.idDoc}|${slot.VisitStart.slice(0, 10)}`;
        byDoctorDay.set(key, [...(byDoctorDay.get(key) ?? []), slot]);
      }
      const [victims] = [...byDoctorDay.values()].sort((a, b) => b.length - a.length);
      expect(victims?.length ?? 0).toBeGreaterThan(1);
      const { idLpu, idDoc } = victims[0];
      const date = victims[0].VisitStart.slice(0, 10);
      for (const slot of victims) touched.add(slotIdOf(slot));
      const oid = orgOf(idLpu).oid;
      const practitioner = `${oid}:${idDoc}`;
      const window = [dayStart(date), dayStart(addDays(date, 1))] as const;

      const before = await bookingFreeIds(oid, window[0], window[1], practitioner);
      expect(victims.filter((s) => !before.has(slotIdOf(s)))).toEqual([]);

      const started = Date.now();
      const sick = await simCall<{ blockedSlots: number }>('POST', '/admin/sick-day', { doctorId: idDoc, idLpu, date });
      expect(sick.blockedSlots).toBeGreaterThanOrEqual(victims.length);
      expect(await simFreeSlots((s) => s.idLpu === idLpu && s.idDoc === idDoc && s.VisitStart.startsWith(date))).toEqual([]);

      await eventually(
        async () => {
          const offered = await bookingFreeIds(oid, window[0], window[1], practitioner);
          return victims.every((s) => !offered.has(slotIdOf(s)));
        },
        `${victims.length} slots of ${practitioner} on ${date} to leave free search`,
        2 * POLL_INTERVAL_MS + 10_000,
      );
      console.log(`sick day of ${practitioner} on ${date}: ${victims.length} free slots left search after ${Date.now() - started} ms`);
    }),
    120_000,
  );

  it(
    'a new day of schedules appears in search',
    withLogs(async () => {
      const before = await simToday();
      let opened = 0;
      let state = before;
      // A new last day may fall on a Sunday (nobody receives): open the next one too.
      for (let night = 1; night <= 3 && opened === 0; night++) {
        const advanced = await simCall<{ opened: number; today: string; lastDay: string }>('POST', '/admin/advance-day', {});
        opened = advanced.opened;
        state = advanced;
      }
      expect(opened).toBeGreaterThan(0);
      expect(state.lastDay > before.lastDay).toBe(true);
      const fresh = await simFreeSlots((s) => s.VisitStart.slice(0, 10) === state.lastDay);
      expect(fresh.length).toBeGreaterThan(0);

      const started = Date.now();
      await eventually(async () => (await allOffered(fresh)).missing.length === 0, `${fresh.length} free slots of ${state.lastDay} to appear`, 2 * POLL_INTERVAL_MS + 20_000, 250);
      console.log(`new day ${state.lastDay} (horizon was up to ${before.lastDay}): ${fresh.length} free slots in search after ${Date.now() - started} ms`);
    }),
    120_000,
  );

  it(
    'a MIS outage marks the organisations stale, crashes nothing, and the adapter catches up afterwards',
    withLogs(async () => {
      const { today } = await simToday();
      const quiet = organisations.find((o) => !o.notifies);
      const notifying = organisations.find((o) => o.notifies);
      if (!quiet || !notifying) throw new Error('need both kinds of organisation');
      const slots = [await pickFreeSlot(quiet, addDays(today, 1)), await pickFreeSlot(notifying, addDays(today, 1))];
      for (const slot of slots) await eventually(() => offeredFree(slot), `${slotIdOf(slot)} to be offered free`, 30_000);
      await eventually(async () => (await ourOrganisations()).every((o) => !o.freshness.stale), 'every organisation to be fresh before the outage', 10_000);

      const outageAt = Date.now();
      await simCall('POST', '/admin/outage', { on: true });
      const stale = await eventually(
        async () => {
          const views = await ourOrganisations();
          return views.length === organisations.length && views.every((o) => o.freshness.stale) ? views : undefined;
        },
        'every organisation of the region to turn stale',
        30_000,
        250,
      );
      for (const view of stale) expect(['MIS_UNREACHABLE', 'HEARTBEAT_OVERDUE']).toContain(view.freshness.reason);
      console.log(`outage: all ${stale.length} organisations stale after ${Date.now() - outageAt} ms (${[...new Set(stale.map((o) => o.freshness.reason))].join(', ')})`);

      // Front desk keeps working during the outage; the adapter cannot see it yet.
      for (const slot of slots) await simCall('POST', '/admin/walk-in', { slotId: slot.IdAppointment });
      await sleep(1_500);
      expect(await offeredFree(slots[0])).toBe(true);
      for (const service of [sim, adapter, booking]) expect(service?.alive()).toBe(true);
      const simHealth = await fetch(`http://127.0.0.1:${simPort}/health`).then((r) => r.json() as Promise<{ outage: boolean }>);
      expect(simHealth.outage).toBe(true);
      const adapterHealth = await fetch(`http://127.0.0.1:${notifyPort}/health`).then((r) => r.json() as Promise<{ misReachable: boolean }>);
      expect(adapterHealth.misReachable).toBe(false);
      expect((await fetch(`http://127.0.0.1:${bookingPort}/health/ready`)).status).toBe(200);

      const recoveredAt = Date.now();
      await simCall('POST', '/admin/outage', { on: false });
      await eventually(
        async () => {
          const views = await ourOrganisations();
          return views.length === organisations.length && views.every((o) => !o.freshness.stale);
        },
        'every organisation to be fresh again',
        30_000,
        250,
      );
      const freshAfter = Date.now() - recoveredAt;
      await eventually(async () => !(await offeredFree(slots[0])) && !(await offeredFree(slots[1])), 'the walk-ins made during the outage to leave free search', 30_000, 250);
      console.log(`outage over: organisations fresh after ${freshAfter} ms, walk-ins made during the outage reflected after ${Date.now() - recoveredAt} ms`);

      await eventually(
        async () => {
          const health = await fetch(`http://127.0.0.1:${notifyPort}/health`).then((r) => r.json() as Promise<{ misReachable: boolean; lastSuccessfulSyncAt: string | null }>);
          return health.misReachable && Date.parse(health.lastSuccessfulSyncAt ?? '0') >= recoveredAt;
        },
        'the adapter to report a successful sync after the outage',
        2 * POLL_INTERVAL_MS + 10_000,
        250,
      );
      for (const service of [sim, adapter, booking]) expect(service?.alive()).toBe(true);
    }),
    120_000,
  );

  it(
    'a slot the clinic deletes leaves free search after the next full sync, and every organisation then equals its MIS slot by slot',
    withLogs(async () => {
      const { today } = await simToday();
      const org = organisations.find((o) => !o.notifies) ?? organisations[0];
      const slot = await pickFreeSlot(org, addDays(today, 1));
      await eventually(() => offeredFree(slot), `${slotIdOf(slot)} to be offered free`, 30_000);

      const removedAt = Date.now();
      await simCall('POST', '/admin/remove-slot', { slotId: slot.IdAppointment });
      await eventually(async () => !(await offeredFree(slot)), `${slotIdOf(slot)}, deleted at the MIS, to leave free search`, 2 * POLL_INTERVAL_MS + 10_000, 250);
      console.log(`slot ${slotIdOf(slot)} deleted at the MIS left free search after ${Date.now() - removedAt} ms`);

      let results: InventoryVsMis[] = [];
      const compare = async () => {
        results = await compareInventoryWithMis(organisations, { simUrl: `http://127.0.0.1:${simPort}`, adminToken, bookingDb: bookingDbOf(bookingDatabaseUrl, dbSchema) });
        return results.every(equalsMis);
      };
      await eventually(compare, 'the inventory to equal the MIS slot by slot', 2 * POLL_INTERVAL_MS + 10_000, 500).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n${describeDifferences(results)}`);
      });
      expect(results.map((r) => r.misFree).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }),
    120_000,
  );
});
