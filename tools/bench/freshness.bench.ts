import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { Client, Pool } from 'pg';
import { AllEvents } from '@medbus/contracts';
import { AvroCodec, adapterTopicOf, namespaced, type EventPublisher } from '@medbus/kafka';
import { localDateTimeToEpochMs } from '@medbus/mis-adapter-kit';
import { freePort, stackKafka, stackKafkaSecurity, startGroupAt, startProcess, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { bookingDbOf, compareInventoryWithMis, describeDifferences, type InventoryVsMis } from '../e2e/inventory-vs-mis';
import type { SimDoctor, SimOrganisation, SimSlot } from '../e2e/region.process';
import { regionEvents, type BookingUnderTest } from './pipeline.bench';

const root = join(__dirname, '..', '..');
const adminToken = 'bench-admin-token';
const guid = '6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11';

interface Pending {
  readonly changedAt: number;
  observedAt: number | null;
  publishedAt: number | null;
  appliedAt: number | null;
  settled: () => void;
}

/** How a change reached the adapter: the MIS's notification, or the adapter's next poll. */
export type FreshnessPath = 'notify' | 'poll';

/** One front-desk walk-in followed to the inventory; epoch milliseconds. */
export interface FreshnessSample {
  readonly path: FreshnessPath;
  /** Measured while a resync of other organisations was being written. */
  readonly duringResync: boolean;
  readonly slotId: string;
  /** The bench asked the MIS's front desk to book the slot. */
  readonly changedAt: number;
  /** `occurredAt` of the adapter's SlotChanged: when it read the change from the MIS. */
  readonly observedAt: number | null;
  /** Kafka's record timestamp of that event: when the adapter's producer sent it. */
  readonly publishedAt: number | null;
  /** The bench first saw the slot no longer offered free in the inventory (null: not within the timeout). */
  readonly appliedAt: number | null;
}

export interface FreshnessFigures {
  readonly changes: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** p50 / p99 of each stage: MIS → adapter read, adapter read → Kafka, Kafka → applied in the inventory. */
  readonly stagesMs: Record<'toAdapter' | 'toKafka' | 'toInventory', { readonly p50: number; readonly p99: number }>;
  /** Still offered free after the timeout (counted at the timeout in the percentiles). */
  readonly missed: number;
}

export interface FreshnessResult {
  readonly region: { readonly organisations: number; readonly notifying: number; readonly doctorsPerOrg: number; readonly freeSlots: number };
  readonly pollIntervalMs: number;
  readonly backgroundWalkInsPerSecond: number;
  readonly changesPerSecond: number;
  /** From the adapter's start until every free slot of the MIS was offered in the inventory. */
  readonly initialSyncSeconds: number;
  readonly steady: { readonly notify: FreshnessFigures; readonly poll: FreshnessFigures };
  /** Notified changes while `resyncEvents` slot events of other organisations were being published and applied. */
  readonly duringResync: (FreshnessFigures & { readonly resyncEvents: number }) | null;
  /** The slowest samples' dominant stage, counted over the slowest 1 % of each steady path. */
  readonly tail: Record<FreshnessPath, Record<'toAdapter' | 'toKafka' | 'toInventory', number>>;
  /**
   * Each steady notified sample slower than 1 s, with what went on meanwhile: the slowest one-row
   * commit into the booking schema, and slot events of other runs on the shared topic.
   */
  readonly slowSamples: ReadonlyArray<FreshnessSample & { readonly latencyMs: number; readonly commitStallMs: number; readonly foreignEvents: number }>;
  /** One-row commits slower than 100 ms during the run (epoch ms, duration). */
  readonly commitStalls: ReadonlyArray<{ readonly at: number; readonly ms: number }>;
  /** Slot events of other runs on the shared topic during the run, and the most in one second. */
  readonly foreignEvents: { readonly total: number; readonly maxPerSecond: number };
  /** Inventory against the MIS slot by slot at the end: no difference lasting a poll interval and a pass. */
  readonly inventoryEqualsMis: boolean;
  readonly adapterRssMb: number;
  readonly simulatorRssMb: number;
  readonly samples: readonly FreshnessSample[];
  /** Kept for docs/benchmarks.md's table: the steady notified path. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly changes: number;
  readonly missed: number;
}

export interface FreshnessOptions {
  readonly organisations: number;
  readonly doctorsPerOrg: number;
  readonly notifyChanges: number;
  readonly pollChanges: number;
  readonly resyncChanges: number;
  readonly resyncEvents: number;
  readonly changesPerSecond: number;
  readonly backgroundWalkInsPerSecond: number;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
}

export function freshnessOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): FreshnessOptions {
  const n = (name: string, fallback: number) => Number(env[name] ?? fallback);
  return {
    organisations: n('BENCH_FRESHNESS_ORGANISATIONS', 20),
    doctorsPerOrg: n('BENCH_FRESHNESS_DOCTORS_PER_ORG', 8),
    notifyChanges: n('BENCH_FRESHNESS_CHANGES', 500),
    pollChanges: n('BENCH_FRESHNESS_POLL_CHANGES', 200),
    resyncChanges: n('BENCH_FRESHNESS_RESYNC_CHANGES', 100),
    resyncEvents: n('BENCH_FRESHNESS_RESYNC_EVENTS', 20_000),
    changesPerSecond: n('BENCH_FRESHNESS_RATE', 5),
    backgroundWalkInsPerSecond: n('BENCH_FRESHNESS_BACKGROUND', 1),
    pollIntervalMs: n('BENCH_FRESHNESS_POLL_MS', 5_000),
    timeoutMs: n('BENCH_FRESHNESS_TIMEOUT_MS', 30_000),
  };
}

function launch(name: string, args: string[], env: NodeJS.ProcessEnv): ServiceProcess {
  const command = 'npx';
  const logFile = join(root, '.medbus', 'logs', `bench-${name}.log`);
  return startProcess({ name, command, args: ['tsx', '--tsconfig', 'tsconfig.base.json', ...args], env, cwd: root, logFile });
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const round = (n: number) => Math.round(n * 10) / 10;

export function figuresOf(samples: readonly FreshnessSample[], timeoutMs: number): FreshnessFigures {
  const latencies = samples.map((s) => (s.appliedAt ?? s.changedAt + timeoutMs) - s.changedAt).sort((a, b) => a - b);
  const stage = (of: (s: FreshnessSample) => number | null) => {
    const values = samples
      .map(of)
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    return { p50: round(quantile(values, 0.5)), p99: round(quantile(values, 0.99)) };
  };
  return {
    changes: samples.length,
    latencyMs: { p50: round(quantile(latencies, 0.5)), p99: round(quantile(latencies, 0.99)), max: round(latencies.at(-1) ?? NaN) },
    stagesMs: {
      toAdapter: stage((s) => (s.observedAt === null ? null : s.observedAt - s.changedAt)),
      toKafka: stage((s) => (s.observedAt === null || s.publishedAt === null ? null : s.publishedAt - s.observedAt)),
      toInventory: stage((s) => (s.publishedAt === null || s.appliedAt === null ? null : s.appliedAt - s.publishedAt)),
    },
    missed: samples.filter((s) => s.appliedAt === null).length,
  };
}

/** Which stage took longest in each of the slowest 1 % of samples (at least one). */
export function tailOf(samples: readonly FreshnessSample[]): Record<'toAdapter' | 'toKafka' | 'toInventory', number> {
  const latency = (s: FreshnessSample) => (s.appliedAt ?? Infinity) - s.changedAt;
  const slowest = [...samples].sort((a, b) => latency(b) - latency(a)).slice(0, Math.max(1, Math.ceil(samples.length / 100)));
  const counts = { toAdapter: 0, toKafka: 0, toInventory: 0 };
  for (const s of slowest) {
    if (s.observedAt === null) {
      counts.toAdapter++;
      continue;
    }
    const stages = { toAdapter: s.observedAt - s.changedAt, toKafka: (s.publishedAt ?? s.observedAt) - s.observedAt, toInventory: (s.appliedAt ?? Infinity) - (s.publishedAt ?? s.observedAt) };
    const worst = (Object.keys(stages) as Array<keyof typeof stages>).reduce((a, b) => (stages[b] > stages[a] ? b : a));
    counts[worst]++;
  }
  return counts;
}

/**
 * A region of the bench's own for freshness: a simulator under an OID root nobody else publishes
 * for (half of its clinics notify, the others are polled), its HubService adapter, and the bench's
 * booking service. `measure` can run while anything else (a resync) writes to the same inventory.
 */
export class FreshnessRegion {
  organisations: SimOrganisation[] = [];
  doctors: SimDoctor[] = [];
  initialSyncSeconds = 0;
  private sim?: ServiceProcess;
  private adapter?: ServiceProcess;
  private db?: Pool;
  private probeDb?: Client;
  /** Seconds (epoch) → slot events on the topic that are not this region's: what else the inventory had to read. */
  readonly foreignEvents = new Map<number, number>();
  /** Commits of a one-row write into the booking schema slower than 100 ms: the database's own stalls. */
  readonly commitStalls: Array<{ at: number; ms: number }> = [];
  private oidRoot = '';
  private consumer?: KafkaJS.Consumer;
  private simUrl = '';
  private readonly runId = Date.now().toString(36);
  private readonly adapterId = `bench-freshness-${this.runId}`;
  /** Slot id → the followed sample's timestamps, filled in as they come. */
  private readonly pending = new Map<string, Pending>();
  private stopped = false;
  private watcher?: Promise<void>;
  private prober?: Promise<void>;

  constructor(
    private readonly booking: BookingUnderTest,
    private readonly env: Record<string, string>,
    private readonly options: FreshnessOptions,
    private readonly progress: (message: string) => void,
  ) {}

  async start(): Promise<void> {
    const [simPort, notifyPort] = [await freePort(), await freePort()];
    this.simUrl = `http://127.0.0.1:${simPort}`;
    const oidRoot = `1.2.643.5.1.13.13.12.2.98.${Date.now() % 1_000_000_000}`;
    this.oidRoot = oidRoot;
    this.sim = launch(
      'freshness-simulator',
      [
        ...['tools/simulators/hubservice/main.ts', '--port', String(simPort), '--seed', String(Date.now() % 100_000), '--oid-root', oidRoot],
        ...['--organisations', String(this.options.organisations), '--doctors-per-org', String(this.options.doctorsPerOrg)],
        ...['--walkin-rate', String(this.options.backgroundWalkInsPerSecond), '--notify-url', `http://127.0.0.1:${notifyPort}/notifications`, '--notify-share', '0.5'],
        ...['--admin-token', adminToken, '--log-requests', 'false'],
      ],
      { ...process.env },
    );
    await waitForHttp(`${this.simUrl}/health`, this.sim, 120_000);
    this.organisations = await this.admin<SimOrganisation[]>('/admin/organisations');
    this.doctors = (await this.admin<{ doctors: SimDoctor[] }>('/admin/code-map')).doctors;

    // Our own group on the adapter's mis.slot at "now": its events carry when it read the MIS and when it sent them;
    // and on the bench's adapter's, whose events are the rest of what the inventory reads. The bench's own bus (namespace).
    await this.booking.register(this.organisations.map((o) => o.oid), this.adapterId);
    const topics = [this.adapterId, this.booking.adapterId].map((adapter) => adapterTopicOf(AllEvents.SlotChanged.topic, adapter, this.booking.namespace));
    const brokers = (this.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
    const groupId = namespaced(`bench-freshness-${this.runId}`, this.booking.namespace);
    await startGroupAt(groupId, topics, new Date(), brokers);
    const codec = new AvroCodec(this.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7');
    this.consumer = stackKafka(groupId, this.env).consumer({ kafkaJS: { groupId, fromBeginning: false } });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (!key.startsWith(this.oidRoot)) {
          const second = Math.floor(Number(message.timestamp) / 1000);
          this.foreignEvents.set(second, (this.foreignEvents.get(second) ?? 0) + 1);
          return;
        }
        const entry = this.pending.get(key);
        if (!entry || entry.publishedAt !== null) return;
        const decoded = (await codec.decode(message.value)) as { value: { status?: string; occurredAt: number | Date } };
        if (decoded.value.status === 'FREE') return;
        entry.publishedAt = Number(message.timestamp);
        entry.observedAt = Number(decoded.value.occurredAt);
      },
    });

    this.db = new Pool({ connectionString: this.databaseUrl, options: `-c search_path=${this.booking.schema}`, max: 3 });
    this.probeDb = new Client({ connectionString: this.databaseUrl, options: `-c search_path=${this.booking.schema}` });
    await this.probeDb.connect();
    await this.probeDb.query('CREATE TABLE IF NOT EXISTS bench_commit_probe (at timestamptz NOT NULL)');
    this.watcher = this.watchApplied();
    this.prober = this.probeCommits();

    const adapterEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...this.env,
      MIS_WSDL_URL: `${this.simUrl}/Hub25/HubService.svc?wsdl`,
      MIS_GUID: guid,
      ADAPTER_ID: this.adapterId,
      KAFKA_CLIENT_ID: 'bench-adapter',
      KAFKA_NAMESPACE: this.booking.namespace,
      OTEL_SERVICE_NAME: 'bench-adapter',
      HTTP_PORT: String(notifyPort),
      ADAPTER_ORGANISATIONS: this.organisations.map((o) => o.oid).join(','),
      POLL_INTERVAL_MS: String(this.options.pollIntervalMs),
      OTEL_SDK_DISABLED: 'true',
      MIS_RATE_PER_SECOND: '500',
      MIS_RATE_BURST: '500',
      ORGANISATION_TIME_ZONES: this.organisations.map((o) => `${o.oid}=${o.timeZone}`).join(','),
    };
    delete adapterEnv.DATABASE_URL;
    const started = performance.now();
    this.adapter = launch('freshness-adapter', ['apps/mis-adapters/hubservice/src/main.ts'], adapterEnv);
    await waitForHttp(`http://127.0.0.1:${notifyPort}/health`, this.adapter, 120_000);
    this.progress(`freshness: waiting until every free slot of ${this.organisations.length} clinics is offered (the adapter's first sync drained)`);
    await this.untilEveryFreeSlotOffered(600_000);
    this.initialSyncSeconds = round((performance.now() - started) / 1000);
    this.progress(`  initial sync drained after ${this.initialSyncSeconds} s`);
  }

  get databaseUrl(): string {
    return this.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus';
  }

  private compare(): Promise<InventoryVsMis[]> {
    return compareInventoryWithMis(this.organisations, { simUrl: this.simUrl, adminToken, bookingDb: bookingDbOf(this.databaseUrl, this.booking.schema) });
  }

  /**
   * The barrier before sampling: every free slot at the MIS is offered. (Slots offered but taken at
   * the MIS are the background walk-ins in flight: at a polled clinic, for up to a poll interval.)
   */
  async untilEveryFreeSlotOffered(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const results = await this.compare();
      if (results.every((r) => r.missing.length === 0)) return;
      if (Date.now() > deadline) throw new Error(`the inventory still lacks free slots of the MIS after ${timeoutMs / 1000} s:\n${describeDifferences(results)}`);
      await sleep(2_000);
    }
  }

  /**
   * Inventory against the MIS slot by slot while the front desk keeps working: a difference counts
   * when it is still there `settleMs` later (a poll interval and a pass), so changes in flight do not.
   */
  async persistentDifferences(settleMs: number): Promise<string[]> {
    const differing = (results: InventoryVsMis[]) => new Set(results.flatMap((r) => [...r.missing, ...r.extra.map((e) => e.slotId)]));
    const first = differing(await this.compare());
    await sleep(settleMs);
    const second = differing(await this.compare());
    return [...first].filter((id) => second.has(id));
  }

  get freeSlots(): Promise<number> {
    return this.admin<{ free: number }>('/admin/state').then((s) => s.free);
  }

  /**
   * Walk-ins at `changesPerSecond` at clinics of one path, each followed until the slot is no longer
   * offered free in the inventory (or the timeout). Safe to run while anything else writes: a hook
   * for measuring freshness during a resync.
   */
  async measure(path: FreshnessPath, changes: number, duringResync = false): Promise<FreshnessSample[]> {
    const organisations = this.organisations.filter((o) => o.notifies === (path === 'notify'));
    if (organisations.length === 0) throw new Error(`no ${path === 'notify' ? 'notifying' : 'polled'} clinic in the region`);
    const samples: FreshnessSample[] = [];
    const done: Array<Promise<void>> = [];
    const interval = 1000 / this.options.changesPerSecond;
    const begun = performance.now();
    for (let i = 0; i < changes; i++) {
      const wait = begun + i * interval - performance.now();
      if (wait > 0) await sleep(wait);
      done.push(this.walkInAt(organisations[i % organisations.length], path, duringResync).then((sample) => void samples.push(sample)));
    }
    await Promise.all(done);
    return samples;
  }

  private async walkInAt(organisation: SimOrganisation, path: FreshnessPath, duringResync: boolean): Promise<FreshnessSample> {
    const doctors = this.doctors.filter((d) => d.idLpu === organisation.idLpu);
    for (let attempt = 0; attempt < 10; attempt++) {
      const doctor = doctors[Math.floor(Math.random() * doctors.length)];
      const free = await this.admin<SimSlot[]>(`/admin/slots?idLpu=${organisation.idLpu}&idDoc=${doctor.idDoc}&state=free`);
      // A day ahead at least: the slot must not pass (and be forgotten) while it is followed.
      const candidates = free.filter((s) => (localDateTimeToEpochMs(s.VisitStart, organisation.timeZone) ?? 0) > Date.now() + 86_400_000);
      const slot = candidates[Math.floor(Math.random() * candidates.length)];
      if (!slot) continue;
      const slotId = `${organisation.oid}:${slot.IdAppointment}`;
      if (this.pending.has(slotId)) continue;
      const offered = await this.db?.query(`SELECT 1 FROM inventory_slot WHERE slot_id = $1 AND offered AND status = 'FREE'`, [slotId]);
      if (!offered?.rowCount) continue;
      const entry: Pending = { changedAt: Date.now(), observedAt: null, publishedAt: null, appliedAt: null, settled: () => undefined };
      const settled = new Promise<void>((resolve) => (entry.settled = resolve));
      this.pending.set(slotId, entry);
      const response = await fetch(`${this.simUrl}/admin/walk-in`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ slotId: slot.IdAppointment }),
      });
      if (!response.ok) {
        this.pending.delete(slotId);
        continue;
      }
      await settled;
      const { changedAt, observedAt, publishedAt, appliedAt } = entry;
      return { path, duringResync, slotId, changedAt, observedAt, publishedAt, appliedAt };
    }
    throw new Error(`no free slot a day ahead offered at ${organisation.oid}`);
  }

  /**
   * Polls the inventory every 5 ms for the followed slots. A sample settles once its slot is no
   * longer offered free and Kafka's timestamps have arrived (at most a second later), or at the timeout.
   */
  private async watchApplied(): Promise<void> {
    while (!this.stopped) {
      const waiting = [...this.pending].filter(([, e]) => e.appliedAt === null).map(([id]) => id);
      if (waiting.length > 0) {
        const rows = await this.db
          ?.query<{ slot_id: string }>(`SELECT slot_id FROM inventory_slot WHERE slot_id = ANY($1) AND NOT (offered AND status = 'FREE')`, [waiting])
          .catch((error: unknown) => (this.progress(`  inventory probe failed: ${(error as Error).message}`), undefined));
        const now = Date.now();
        for (const row of rows?.rows ?? []) {
          const entry = this.pending.get(row.slot_id);
          if (entry) entry.appliedAt = now;
        }
      }
      const now = Date.now();
      for (const [id, entry] of this.pending) {
        const complete = entry.appliedAt !== null && (entry.publishedAt !== null || now - entry.appliedAt > 1_000);
        if (complete || now - entry.changedAt > this.options.timeoutMs) {
          this.pending.delete(id);
          entry.settled();
        }
      }
      await sleep(5);
    }
  }

  /** A one-row commit every 200 ms, timed: the write path's own latency, beside the samples. */
  private async probeCommits(): Promise<void> {
    while (!this.stopped) {
      const started = Date.now();
      try {
        await this.probeDb?.query('INSERT INTO bench_commit_probe VALUES (now())');
      } catch {
        // a failed probe is no figure
      }
      const ms = Date.now() - started;
      if (ms > 100) this.commitStalls.push({ at: started, ms });
      await sleep(200);
    }
  }

  rss(rssOf: (pid: number) => number): { adapter: number; simulator: number } {
    return { adapter: rssOf(this.adapter?.child.pid as number), simulator: rssOf(this.sim?.child.pid as number) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.watcher?.catch(() => undefined);
    await this.prober?.catch(() => undefined);
    await this.probeDb?.end().catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    await this.adapter?.stop();
    await this.sim?.stop();
  }

  private async admin<T>(path: string): Promise<T> {
    const response = await fetch(`${this.simUrl}${path}`, { headers: { authorization: `Bearer ${adminToken}` }, signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`simulator answered ${response.status} for ${path}`);
    return (await response.json()) as T;
  }
}

/**
 * A change at the MIS's front desk → no longer offered free in the inventory, in steady state (after
 * the adapter's first sync drained) for each path, then while a resync of other organisations is
 * written; each sample keeps its timestamps so that a tail can be explained.
 */
export async function measureFreshness(
  booking: BookingUnderTest,
  env: Record<string, string>,
  options: FreshnessOptions,
  publisher: Pick<EventPublisher, 'publishAll'>,
  progress: (message: string) => void,
  rssOf: (pid: number) => number,
): Promise<FreshnessResult> {
  const region = new FreshnessRegion(booking, env, options, progress);
  let rss = { adapter: 0, simulator: 0 };
  try {
    await region.start();
    const freeSlots = await region.freeSlots;
    progress(`freshness: ${options.notifyChanges} walk-ins at notifying clinics, ${options.changesPerSecond}/s (+${options.backgroundWalkInsPerSecond}/s anywhere)`);
    const notify = await region.measure('notify', options.notifyChanges);
    rss = region.rss(rssOf);
    progress(`  ${line(figuresOf(notify, options.timeoutMs))}`);
    progress(`freshness: ${options.pollChanges} walk-ins at polled clinics (POLL_INTERVAL_MS ${options.pollIntervalMs})`);
    const poll = await region.measure('poll', options.pollChanges);
    progress(`  ${line(figuresOf(poll, options.timeoutMs))}`);

    let during: FreshnessSample[] = [];
    if (options.resyncEvents > 0 && options.resyncChanges > 0) {
      const burst = regionEvents(`fr${Date.now().toString(36)}`, { organisations: 20, resourcesPerOrganisation: 20, slots: options.resyncEvents });
      progress(`freshness: ${options.resyncChanges} notified walk-ins while ${options.resyncEvents} slot events of 20 other organisations are published`);
      await booking.register(burst.organisationOids);
      await publisher.publishAll(burst.catalogue);
      const publishing = (async () => {
        for (let i = 0; i < burst.slots.length; i += 1000) await publisher.publishAll(burst.slots.slice(i, i + 1000));
      })();
      during = await region.measure('notify', options.resyncChanges, true);
      await publishing;
      progress(`  ${line(figuresOf(during, options.timeoutMs))}`);
      await publisher.publishAll(
        burst.organisationOids.map((oid) => ({ event: AllEvents.OrganisationRemoved, key: oid, value: { organisationOid: oid, sourceVersion: 2 ** 40, occurredAt: Date.now() } })),
      );
    }
    const lasting = await region.persistentDifferences(options.pollIntervalMs + 20_000);
    if (lasting.length > 0) progress(`  inventory differs from the MIS on ${lasting.length} slots, e.g. ${lasting.slice(0, 5).join(', ')}`);
    const inventoryEqualsMis = lasting.length === 0;
    const r = region.rss(rssOf);
    rss = { adapter: Math.max(rss.adapter, r.adapter), simulator: Math.max(rss.simulator, r.simulator) };
    const steadyNotify = figuresOf(notify, options.timeoutMs);
    const foreign = [...region.foreignEvents.values()];
    const slowSamples = notify
      .map((sample) => ({ ...sample, latencyMs: (sample.appliedAt ?? sample.changedAt + options.timeoutMs) - sample.changedAt }))
      .filter((sample) => sample.latencyMs > 1_000)
      .map((sample) => {
        const from = sample.publishedAt ?? sample.changedAt;
        const to = sample.appliedAt ?? sample.changedAt + options.timeoutMs;
        const stalls = region.commitStalls.filter((c) => c.at + c.ms >= from && c.at <= to).map((c) => c.ms);
        let foreignEvents = 0;
        for (let second = Math.floor(from / 1000) - 10; second <= Math.floor(to / 1000); second++) foreignEvents += region.foreignEvents.get(second) ?? 0;
        return { ...sample, commitStallMs: Math.max(0, ...stalls), foreignEvents };
      });
    return {
      region: { organisations: region.organisations.length, notifying: region.organisations.filter((o) => o.notifies).length, doctorsPerOrg: options.doctorsPerOrg, freeSlots },
      pollIntervalMs: options.pollIntervalMs,
      backgroundWalkInsPerSecond: options.backgroundWalkInsPerSecond,
      changesPerSecond: options.changesPerSecond,
      initialSyncSeconds: region.initialSyncSeconds,
      steady: { notify: steadyNotify, poll: figuresOf(poll, options.timeoutMs) },
      duringResync: during.length > 0 ? { ...figuresOf(during, options.timeoutMs), resyncEvents: options.resyncEvents } : null,
      tail: { notify: tailOf(notify), poll: tailOf(poll) },
      slowSamples,
      commitStalls: region.commitStalls,
      foreignEvents: { total: foreign.reduce((a, b) => a + b, 0), maxPerSecond: Math.max(0, ...foreign) },
      inventoryEqualsMis,
      adapterRssMb: rss.adapter,
      simulatorRssMb: rss.simulator,
      samples: [...notify, ...poll, ...during],
      latencyMs: steadyNotify.latencyMs,
      changes: steadyNotify.changes,
      missed: steadyNotify.missed,
    };
  } finally {
    await region.stop();
  }
}

const line = (f: FreshnessFigures) =>
  `p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms, max ${f.latencyMs.max} ms, ${f.missed} missed; stages p50/p99: MIS→adapter ${f.stagesMs.toAdapter.p50}/${f.stagesMs.toAdapter.p99}, ` +
  `adapter→Kafka ${f.stagesMs.toKafka.p50}/${f.stagesMs.toKafka.p99}, Kafka→inventory ${f.stagesMs.toInventory.p50}/${f.stagesMs.toInventory.p99}`;

/**
 * This section alone, without touching docs/: `npx tsx --tsconfig tsconfig.base.json tools/bench/freshness.bench.ts`
 * (BENCH_FRESHNESS_* as in `freshnessOptionsFromEnv`); writes .medbus/bench-freshness.json.
 */
async function runAlone(): Promise<void> {
  const { readStackEnv } = await import('@medbus/testing');
  const { EventPublisher } = await import('@medbus/kafka');
  const { writeFileSync } = await import('node:fs');
  const { dropSchema, rssMbOf, startBooking } = await import('./pipeline.bench');
  const { deleteGroups } = await import('./booking.bench');
  const env = readStackEnv();
  const progress = (message: string) => process.stdout.write(`[bench] ${message}\n`);
  const runId = `f${Date.now().toString(36)}`;
  const booking = await startBooking(env, Number(process.env.BENCH_BOOKING_PORT ?? (await freePort())), runId);
  const publisher = new EventPublisher({ brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'bench', schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7', namespace: booking.namespace, ...stackKafkaSecurity(env) }, { origin: booking.adapterId });
  try {
    const result = await measureFreshness(booking, env, freshnessOptionsFromEnv(), publisher, progress, rssMbOf);
    writeFileSync(join(root, '.medbus', 'bench-freshness.json'), JSON.stringify({ ...result, bookingRssMb: booking.rssMb() }, null, 2) + '\n');
    progress(`wrote .medbus/bench-freshness.json; tail (slowest 1 %, dominant stage): ${JSON.stringify(result.tail)}; inventory equals the MIS: ${result.inventoryEqualsMis}`);
    progress(`  ${result.slowSamples.length} notified samples over 1 s; ${result.commitStalls.length} one-row commits over 100 ms (slowest ${Math.max(0, ...result.commitStalls.map((c) => c.ms))} ms); ${result.foreignEvents.total} foreign slot events on the topic (at most ${result.foreignEvents.maxPerSecond}/s)`);
  } finally {
    await booking.stop();
    await publisher.close();
    await dropSchema(env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus', booking.schema);
    await deleteGroups(env, [`bench-${runId}`, `bench-${runId}-outcomes`]);
  }
}

if (require.main === module) {
  runAlone().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
