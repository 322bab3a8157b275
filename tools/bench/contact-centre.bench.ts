import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { namespaced } from '@medbus/kafka';
import { freePort, readStackEnv, startProcess, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { compiledServices, nodeCommandOf } from '../build/build-services';
import { clientsCli } from '../e2e/region.process';
import { startOfLocalDay } from '../simulators/telephony/daily.curve';
import { deleteGroups } from './booking.bench';
import { cpuSecondsOf, dropSchema, rssMbOf, startBooking, type BookingUnderTest } from './pipeline.bench';
import { processCpu } from './resync.bench';
import { postgresSettings } from './search.bench';

/**
 * The contact centre (issue 11) on a busy day, every piece a compiled process: the PBX (AMI)
 * simulator replays a whole simulated day of N callers as fast as its AMI clients read, and the
 * contact-centre service ingests it over AMI into PostgreSQL, turning every lost call into a
 * call-back task, while supervisors poll its statistics.
 *
 * Measured, beside this machine's raw limits in the same run:
 * - the simulator's emission bound: a bare TCP client of the bench's own logs in and reads the
 *   replayed day without processing it (a simulator of its own);
 * - PostgreSQL's bound: batched inserts (unnest, batches of 500) of call-shaped rows into a copy of
 *   the service's `call` table with its indexes;
 * - ingestion: replay start → the `call` table holds every call of that day the PBX's ground truth has;
 * - lost call → task: a task's `created_at` less the wall time the PBX wrote the abandon event of the
 *   first lost call it covers (`emittedAt` of the ground truth); also every lost call until a task covers it;
 * - statistics p50/p99 under an open loop of supervisors' requests during the ingestion and after it.
 *
 * The service checks its callers' keys at a booking service of the bench's own, on a bus of its own.
 * If a target is missed the service is started again under `--cpu-prof` and a smaller day (the next
 * one) is replayed into it: its top functions go into the notes.
 *
 * Alone, printing the figures: `npx tsx --tsconfig tsconfig.base.json tools/bench/contact-centre.bench.ts`
 * (stack up, `npm run build` first). Into docs/benchmarks.*, keeping the other sections:
 * `BENCH_ONLY=contact-centre npm run bench`.
 */

const root = join(__dirname, '..', '..');
const round = (n: number) => Math.round(n * 100) / 100;

export interface ContactCentreOptions {
  /** Callers of the replayed day (BENCH_CC_CALLS). */
  readonly calls: number;
  /** The replayed local day, YYYY-MM-DD: today in the region's zone unless told, so the live figures cover it. */
  readonly day: string;
  readonly timeZone: string;
  readonly seed: number;
  /** The PBX's queues (= branches) and operators logged in, `queue:operators,...`. */
  readonly queues: string;
  /** Supervisors' statistics requests per second, an open loop. */
  readonly statsPerSecond: number;
  /** Requests unanswered at most (one per supervisor's screen): one falling due beyond it is skipped and counted. */
  readonly statsMaxInFlight: number;
  /** How long the statistics load runs after the ingestion. */
  readonly afterSeconds: number;
  readonly rawRows: number;
  readonly rawBatch: number;
  /** Extra node options for the contact centre (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
  readonly nodeArgs: string;
  /** `missed` (default): a profiling pass when a target is missed; `always`; `never`. */
  readonly profile: 'missed' | 'always' | 'never';
  /** Callers of the profiled day. */
  readonly profileCalls: number;
  /** Lost calls injected one by one at the live pace after the day (BENCH_CC_PACED_CALLS at BENCH_CC_PACED_RATE per second). */
  readonly pacedCalls: number;
  readonly pacedPerSecond: number;
  readonly timeoutSeconds: number;
}

export function contactCentreOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ContactCentreOptions {
  const n = (name: string, fallback: number) => Number(env[name] ?? fallback);
  const timeZone = env.BENCH_CC_TIME_ZONE ?? 'Europe/Moscow';
  const profile = env.BENCH_CC_PROFILE ?? 'missed';
  if (profile !== 'missed' && profile !== 'always' && profile !== 'never') throw new Error('BENCH_CC_PROFILE must be missed, always or never');
  return {
    calls: n('BENCH_CC_CALLS', 20_000),
    day: env.BENCH_CC_DAY ?? new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date()),
    timeZone,
    seed: n('BENCH_CC_SEED', 7),
    queues: env.BENCH_CC_QUEUES ?? 'head:40,sochi:15,novorossiysk:12',
    statsPerSecond: n('BENCH_CC_STATS_RATE', 20),
    statsMaxInFlight: n('BENCH_CC_STATS_MAX_IN_FLIGHT', 20),
    afterSeconds: n('BENCH_CC_STATS_AFTER_SECONDS', 30),
    rawRows: n('BENCH_CC_RAW_ROWS', 100_000),
    rawBatch: n('BENCH_CC_RAW_BATCH', 500),
    nodeArgs: env.BENCH_CC_NODE_ARGS ?? '',
    profile,
    profileCalls: n('BENCH_CC_PROFILE_CALLS', 5_000),
    pacedCalls: n('BENCH_CC_PACED_CALLS', 60),
    pacedPerSecond: n('BENCH_CC_PACED_RATE', 2),
    timeoutSeconds: n('BENCH_CC_TIMEOUT_SECONDS', 1_800),
  };
}

export interface Spread {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface StatisticsLoadFigures {
  readonly seconds: number;
  readonly requests: number;
  /** Requests not sent because as many as the supervisors' screens were still unanswered. */
  readonly skipped?: number;
  readonly errors: number;
  /** Non-2xx answers and failures by status (or error name). */
  readonly errorCodes: Record<string, number>;
  readonly latencyMs: Spread;
  readonly byKind: Record<string, Spread & { readonly requests: number }>;
}

export interface ContactCentreCpu {
  readonly contactCentre: number;
  readonly simulator: number;
  readonly postgres: number;
  readonly kafka: number;
  readonly bench: number;
  readonly machine: number;
}

export interface ProfileSummary {
  readonly calls: number;
  readonly seconds: number;
  readonly file: string;
  /** Sampled ms and the share not idle. */
  readonly sampledMs: number;
  readonly busyShare: number;
  readonly lostToTaskMs: Spread;
  /** Self time of the hottest functions (bundle names), and of each package. */
  readonly top: ReadonlyArray<{ readonly fn: string; readonly selfMs: number; readonly share: number }>;
  readonly packages: ReadonlyArray<{ readonly name: string; readonly selfMs: number; readonly share: number }>;
}

export interface ContactCentreResult {
  readonly date: string;
  readonly replay: { readonly day: string; readonly timeZone: string; readonly seed: number; readonly queues: string; readonly callers: number };
  readonly raw: {
    readonly ami: {
      readonly events: number;
      readonly calls: number;
      readonly seconds: number;
      readonly eventsPerSecond: number;
      readonly callsPerSecond: number;
      readonly simulatorCpuSeconds: number;
      readonly readerCpuSeconds: number;
    };
    readonly postgres: { readonly rows: number; readonly batchSize: number; readonly indexes: number; readonly rowsPerSecond: number };
  };
  /** The PBX's ground truth of the replayed day (calls that joined within it). */
  readonly truth: { readonly calls: number; readonly answered: number; readonly abandoned: number; readonly events: number; readonly emittedCalls: number };
  readonly ingestion: {
    /** Replay start → the call table holds every call of the day. */
    readonly seconds: number;
    /** Replay start → the simulator had written its last event. */
    readonly replaySeconds: number;
    readonly callsPerSecond: number;
    readonly eventsPerSecond: number;
    readonly shareOfAmiRaw: number;
    readonly shareOfPostgresRaw: number;
    readonly cpuSeconds: ContactCentreCpu;
    readonly peakRssMb: { readonly contactCentre: number; readonly simulator: number };
    /** Rows of the day in the call table at the end, and rows in all. */
    readonly rowsOfDay: number;
    readonly rowsInAll: number;
  };
  readonly lostToTask: {
    readonly lostCalls: number;
    readonly tasks: number;
    /** Lost calls with a number that no task covers. */
    readonly withoutTask: number;
    /** Per task: created_at − emittedAt of the first lost call it covers. */
    readonly taskMs: Spread;
    readonly tasksOverOneSecond: number;
    /** Per lost call: until a task covered it (the later of its task's creation and its own row). */
    readonly coveredMs: Spread;
    readonly callsOverOneSecond: number;
  };
  /** Lost calls at the live pace (each a number of its own), while the supervisors' load runs after the day. */
  readonly paced: {
    readonly calls: number;
    readonly perSecond: number;
    readonly taskMs: Spread;
    readonly overOneSecond: number;
    readonly withoutTask: number;
  };
  /** The busiest local hour of the replayed day, in calls per second: the pace a real PBX sends them at. */
  readonly busiestHourCallsPerSecond: number;
  readonly statistics: { readonly perSecond: number; readonly maxInFlight?: number; readonly during: StatisticsLoadFigures; readonly after: StatisticsLoadFigures };
  readonly profile?: ProfileSummary;
  readonly settings: { readonly simulator: string; readonly service: Record<string, string>; readonly nodeArgs: string };
  readonly postgres: Record<string, string>;
}

const spreadOf = (samples: readonly number[]): Spread => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? NaN) };
};

/** A day's bounds in the zone, and the day `offset` days away. */
function dayOf(day: string, offset: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + offset)).toISOString().slice(0, 10);
}

function boundsOf(day: string, timeZone: string): { from: Date; to: Date } {
  return { from: new Date(startOfLocalDay(day, timeZone)), to: new Date(startOfLocalDay(dayOf(day, 1), timeZone)) };
}

/** A call of the PBX's ground truth (`GET /admin/calls`). */
interface PbxCall {
  readonly uniqueid: string;
  readonly joinedAt: string;
  readonly queue: string;
  readonly callerNumber: string;
  readonly outcome: 'ANSWERED' | 'ABANDONED';
  readonly emittedAt: string;
}

interface ReplayStatus {
  readonly state: 'idle' | 'running' | 'done';
  readonly emitted: number;
  readonly total: number;
  readonly events: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

/** The PBX simulator, a compiled process with its admin API. */
export class PbxUnderTest {
  readonly token = randomBytes(12).toString('hex');
  readonly secret = randomBytes(12).toString('hex');
  readonly args: string[];
  process!: ServiceProcess;

  constructor(
    readonly amiPort: number,
    readonly adminPort: number,
    options: ContactCentreOptions,
  ) {
    this.args = ['--queues', options.queues, '--calls-per-day', '0', '--time-zone', options.timeZone, '--log-requests', 'false'];
  }

  get url(): string {
    return `http://127.0.0.1:${this.adminPort}`;
  }

  async start(logName: string): Promise<void> {
    this.process = startProcess({
      name: logName,
      ...nodeCommandOf(compiledServices.telephonySimulator, [
        ...['--host', '127.0.0.1', '--ami-port', String(this.amiPort), '--admin-port', String(this.adminPort)],
        ...['--admin-token', this.token, '--users', `medbus:${this.secret}`],
        ...this.args,
      ]),
      env: { ...process.env },
      cwd: root,
      logFile: join(root, '.medbus', 'logs', `bench-${logName}.log`),
    });
    await waitForHttp(`${this.url}/health`, this.process, 60_000);
  }

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`PBX simulator ${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Injects a lost call now (it joins, waits `waitSeconds` of the PBX's clock and hangs up); answers its Uniqueid. */
  async lostCall(queue: string, callerNumber: string, waitSeconds: number): Promise<string> {
    return (await this.call<{ uniqueid: string }>('POST', '/admin/calls', { queue, callerNumber, outcome: 'ABANDON', waitSeconds })).uniqueid;
  }

  /** Every call of the ground truth that ended after the call `after` (finishing order). */
  async callsAfter(after: string): Promise<PbxCall[]> {
    const calls: PbxCall[] = [];
    for (let cursor = after; ; ) {
      const page = await this.call<{ items: PbxCall[]; next: string | null }>('GET', `/admin/calls?${new URLSearchParams({ after: cursor, limit: '5000' }).toString()}`);
      calls.push(...page.items);
      if (page.next === null || page.items.length === 0) return calls;
      cursor = page.next;
    }
  }

  replay(day: string, calls: number, timeZone: string, seed: number): Promise<ReplayStatus> {
    return this.call<ReplayStatus>('POST', '/admin/replay', { day, calls, timeZone, seed });
  }

  status(): Promise<ReplayStatus> {
    return this.call<ReplayStatus>('GET', '/admin/replay');
  }

  /** Every call of the ground truth that joined in [from, to), page after page. */
  async calls(from: Date, to: Date): Promise<PbxCall[]> {
    const calls: PbxCall[] = [];
    let after = '';
    for (;;) {
      const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), limit: '5000', ...(after ? { after } : {}) });
      const page = await this.call<{ items: PbxCall[]; next: string | null }>('GET', `/admin/calls?${query.toString()}`);
      calls.push(...page.items);
      if (page.next === null || page.items.length === 0) return calls;
      after = page.next;
    }
  }

  cpuSeconds(): number {
    return cpuSecondsOf(this.process.child.pid as number);
  }

  rssMb(): number {
    return rssMbOf(this.process.child.pid as number);
  }
}

const boundary = Buffer.from('\r\n\r\n');

/**
 * The smallest AMI client: logs in, then only counts the messages it reads (each ends with an empty
 * line); nothing is parsed, so what bounds it is the simulator's emission.
 */
class BareAmiReader {
  private messages = 0;
  private base = 0;
  private tail = Buffer.alloc(0);
  private head = '';
  private readonly socket;

  private constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.on('data', (chunk: Buffer) => this.count(chunk));
  }

  static async open(port: number, user: string, secret: string): Promise<BareAmiReader> {
    const reader = new BareAmiReader(port);
    reader.socket.write(`Action: Login\r\nUsername: ${user}\r\nSecret: ${secret}\r\nEvents: on\r\nActionID: bench-login\r\n\r\n`);
    for (const deadline = Date.now() + 30_000; !reader.head.includes('Response: Success'); ) {
      if (reader.head.includes('Response: Error') || Date.now() > deadline) throw new Error(`the bare AMI reader could not log in: ${reader.head.slice(0, 200)}`);
      await sleep(20);
    }
    return reader;
  }

  private count(chunk: Buffer): void {
    if (this.head.length < 4096) this.head += chunk.subarray(0, 4096).toString('latin1');
    // A boundary split between the last chunk and this one.
    const seam = Buffer.concat([this.tail, chunk.subarray(0, 3)]);
    for (let i = seam.indexOf(boundary); i >= 0; i = seam.indexOf(boundary, i + 1)) if (i < this.tail.length && i + 4 > this.tail.length) this.messages++;
    for (let i = chunk.indexOf(boundary); i >= 0; i = chunk.indexOf(boundary, i + 4)) this.messages++;
    this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 3)));
  }

  /** Counts from here on (after the login's response). */
  mark(): void {
    this.base = this.messages;
  }

  get read(): number {
    return this.messages - this.base;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The simulator's emission bound: a replay of the day read by the bare client alone, on a simulator of its own. */
async function measureAmiRead(options: ContactCentreOptions, progress: (m: string) => void): Promise<ContactCentreResult['raw']['ami']> {
  const pbx = new PbxUnderTest(await freePort(), await freePort(), options);
  await pbx.start('telephony-simulator-raw');
  let reader: BareAmiReader | undefined;
  try {
    reader = await BareAmiReader.open(pbx.amiPort, 'medbus', pbx.secret);
    progress(`raw limit: AMI read, the replay of ${options.day} (${options.calls.toLocaleString('en')} callers) read by a bare client`);
    const cpuBefore = { simulator: pbx.cpuSeconds(), bench: benchCpuSeconds() };
    reader.mark();
    const started = performance.now();
    await pbx.replay(options.day, options.calls, options.timeZone, options.seed);
    let status = await pbx.status();
    for (const deadline = Date.now() + options.timeoutSeconds * 1000; status.state !== 'done' || reader.read < status.events; status = await pbx.status()) {
      if (Date.now() > deadline) throw new Error(`the bare reader read ${reader.read} of ${status.events} events (replay ${status.state})`);
      await sleep(status.state === 'done' ? 5 : 50);
    }
    const seconds = (performance.now() - started) / 1000;
    const result = {
      events: status.events,
      calls: status.emitted,
      seconds: round(seconds),
      eventsPerSecond: Math.round(status.events / seconds),
      callsPerSecond: Math.round(status.emitted / seconds),
      simulatorCpuSeconds: round(pbx.cpuSeconds() - cpuBefore.simulator),
      readerCpuSeconds: round(benchCpuSeconds() - cpuBefore.bench),
    };
    progress(`  ${result.events.toLocaleString('en')} events of ${result.calls.toLocaleString('en')} calls in ${result.seconds} s: ${result.eventsPerSecond.toLocaleString('en')} events/s, ${result.callsPerSecond.toLocaleString('en')} calls/s (simulator CPU ${result.simulatorCpuSeconds} s)`);
    return result;
  } finally {
    reader?.close();
    await pbx.process.stop();
  }
}

const benchCpuSeconds = () => (process.cpuUsage().user + process.cpuUsage().system) / 1e6;

/**
 * PostgreSQL's bound for the calls: batched inserts (unnest, one statement per batch, no AMI, no
 * crypto, no tasks) of call-shaped rows into a copy of the service's `call` table with its indexes.
 */
async function postgresCallInsertLimit(databaseUrl: string, serviceSchema: string, rows: number, batchSize: number): Promise<ContactCentreResult['raw']['postgres']> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const schema = `bench_ccraw_${Date.now().toString(36)}`;
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`CREATE TABLE ${schema}.call (LIKE "${serviceSchema}".call INCLUDING ALL)`);
    const { rows: indexRows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND tablename = 'call'`, [schema]);
    const day = Date.UTC(2026, 10, 30, 5);
    const started = process.hrtime.bigint();
    for (let offset = 0; offset < rows; offset += batchSize) {
      const columns: unknown[][] = Array.from({ length: 11 }, () => []);
      for (let i = offset; i < Math.min(rows, offset + batchSize); i++) {
        const joined = day + Math.floor((i * 86_400_000) / rows);
        const wait = 5 + (i % 170);
        const answered = i % 7 !== 0;
        const talk = answered ? 60 + (i % 300) : null;
        const values = [
          `${Math.floor(joined / 1000)}.${i}`,
          ['head', 'sochi', 'novorossiysk'][i % 3],
          answered ? `head operator ${String(i % 40).padStart(2, '0')}` : null,
          randomBytes(32).toString('hex'),
          `e2e:${randomBytes(44).toString('base64')}`,
          new Date(joined).toISOString(),
          answered ? new Date(joined + wait * 1000).toISOString() : null,
          new Date(joined + (wait + (talk ?? 0)) * 1000).toISOString(),
          wait,
          talk,
          answered ? 'ANSWERED' : 'ABANDONED',
        ];
        values.forEach((value, k) => columns[k].push(value));
      }
      await client.query(
        `INSERT INTO ${schema}.call (uniqueid, linkedid, branch, queue, operator, caller_hash, caller_number, joined_at, answered_at, ended_at, wait_seconds, talk_seconds, outcome, abandon_position, source)
         SELECT id, id, branch, branch, op, hash, num, joined, answered, ended, wait, talk, outcome, CASE WHEN outcome = 'ABANDONED' THEN 1 END, 'AMI'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::int[], $10::int[], $11::text[])
           AS x(id, branch, op, hash, num, joined, answered, ended, wait, talk, outcome)
         ON CONFLICT DO NOTHING`,
        columns,
      );
    }
    const rowsPerSecond = Math.round(rows / (Number(process.hrtime.bigint() - started) / 1e9));
    return { rows, batchSize, indexes: indexRows[0]?.n ?? 0, rowsPerSecond };
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.end();
  }
}

interface StatsRequest {
  readonly kind: 'live' | 'day' | 'daily' | 'appeals';
  readonly key: string;
  readonly path: string;
}

/** Supervisors' requests, in turn: the head centre's (consolidated) and a branch's (his branch only). */
function statisticsMix(day: string, keys: { head: string; branch: string }): StatsRequest[] {
  const weekAgo = dayOf(day, -6);
  return [
    { kind: 'live', key: keys.head, path: '/v1/statistics/live' },
    { kind: 'live', key: keys.branch, path: '/v1/statistics/live?branch=sochi' },
    { kind: 'day', key: keys.head, path: `/v1/statistics/calls?period=day&date=${day}` },
    { kind: 'day', key: keys.branch, path: `/v1/statistics/calls?period=day&date=${day}&branch=sochi` },
    { kind: 'daily', key: keys.head, path: `/v1/statistics/calls/daily?from=${weekAgo}&to=${day}` },
    { kind: 'daily', key: keys.branch, path: `/v1/statistics/calls/daily?from=${weekAgo}&to=${day}&branch=sochi` },
    { kind: 'appeals', key: keys.head, path: `/v1/statistics/appeals?from=${weekAgo}&to=${day}&by=type` },
    { kind: 'appeals', key: keys.branch, path: `/v1/statistics/appeals?from=${weekAgo}&to=${day}&by=type&branch=sochi` },
  ];
}

/**
 * An open loop: requests go out at the rate whatever the answers do; a request's latency counts from
 * the moment it was due, so a stalled service shows in it (no coordinated omission).
 */
function startStatisticsLoad(url: string, mix: readonly StatsRequest[], perSecond: number, maxInFlight: number): { stop(): Promise<StatisticsLoadFigures> } {
  const samples: { kind: string; ms: number; error?: string }[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let skipped = 0;
  const started = performance.now();
  let stoppedAt = started;
  const fire = (request: StatsRequest, due: number) => {
    const done = fetch(`${url}${request.path}`, { headers: { authorization: `Bearer ${request.key}` }, signal: AbortSignal.timeout(30_000) })
      .then(async (response) => {
        await response.arrayBuffer();
        samples.push({ kind: request.kind, ms: performance.now() - due, ...(response.ok ? {} : { error: String(response.status) }) });
      })
      .catch((error: unknown) => {
        samples.push({ kind: request.kind, ms: performance.now() - due, error: error instanceof Error ? error.name : 'error' });
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  const loop = (async () => {
    for (let k = 0; !stopped; k++) {
      const due = started + (k * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      // A screen asks again only once its last answer came: a saturated service is not sent an ever-growing queue.
      if (inFlight.size >= maxInFlight) skipped++;
      else fire(mix[k % mix.length], due);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      stoppedAt = performance.now();
      await loop;
      await Promise.all([...inFlight]);
      const errorCodes: Record<string, number> = {};
      for (const s of samples) if (s.error !== undefined) errorCodes[s.error] = (errorCodes[s.error] ?? 0) + 1;
      const byKind: Record<string, Spread & { requests: number }> = {};
      for (const kind of [...new Set(mix.map((r) => r.kind))]) {
        const of = samples.filter((s) => s.kind === kind).map((s) => s.ms);
        byKind[kind] = { ...spreadOf(of), requests: of.length };
      }
      return {
        seconds: round((stoppedAt - started) / 1000),
        requests: samples.length,
        skipped,
        errors: samples.filter((s) => s.error !== undefined).length,
        errorCodes,
        latencyMs: spreadOf(samples.map((s) => s.ms)),
        byKind,
      };
    },
  };
}

/** The contact-centre service, a compiled process of its own schema and consumer group. */
export interface ServiceUnderTest {
  readonly url: string;
  readonly env: Record<string, string>;
  process?: ServiceProcess;
}

/** The environment of a contact-centre service of a bench: its own schema and group, on the bench's booking and PBX. */
export function contactCentreEnv(at: {
  readonly service: ServiceUnderTest;
  readonly databaseUrl: string;
  readonly schema: string;
  readonly group: string;
  readonly booking: BookingUnderTest;
  readonly serviceKey: string;
  readonly pbx: PbxUnderTest;
  readonly clientId: string;
}): Record<string, string> {
  return {
    HTTP_PORT: new URL(at.service.url).port,
    DATABASE_URL: at.databaseUrl,
    CC_DATABASE_SCHEMA: at.schema,
    CC_CONSUMER_GROUP: at.group,
    BOOKING_URL: at.booking.url,
    CC_BOOKING_API_KEY: at.serviceKey,
    CC_AMI_HOST: '127.0.0.1',
    CC_AMI_PORT: String(at.pbx.amiPort),
    CC_AMI_USERNAME: 'medbus',
    CC_AMI_SECRET: at.pbx.secret,
    CC_QUEUE_LOG_URL: `${at.pbx.url}/queue_log`,
    CC_QUEUE_LOG_TOKEN: at.pbx.token,
    CC_DATA_KEYS: `bench=${randomBytes(32).toString('base64')}`,
    CC_PHONE_HASH_KEY: randomBytes(32).toString('base64'),
    KAFKA_CLIENT_ID: at.clientId,
    KAFKA_NAMESPACE: at.booking.namespace,
    OTEL_SERVICE_NAME: 'bench-contact-center',
    OTEL_SDK_DISABLED: 'true',
  };
}

export function startService(service: ServiceUnderTest, nodeArgs: string, logName: string): ServiceProcess {
  const launch = nodeCommandOf(compiledServices.contactCenter);
  const node = launch.args.indexOf(process.execPath);
  const extra = nodeArgs.split(/\s+/).filter(Boolean);
  return startProcess({
    name: 'contact-center',
    command: launch.command,
    args: [...launch.args.slice(0, node + 1), ...extra, ...launch.args.slice(node + 1)],
    env: { ...process.env, ...service.env },
    cwd: root,
    logFile: join(root, '.medbus', 'logs', `bench-${logName}.log`),
  });
}

interface ReadinessBody {
  readonly checks?: Record<string, string>;
}

/** Ready, and logged in at the PBX (its `pbx` indicator up): a replay started before would be read from the queue_log instead. */
export async function waitServiceReady(service: ServiceUnderTest, running: ServiceProcess): Promise<void> {
  await waitForHttp(`${service.url}/health/ready`, running, 180_000);
  for (const deadline = Date.now() + 60_000; ; ) {
    if (!running.alive()) throw new Error(`the contact centre exited: ${running.tail(30)}`);
    const body = (await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(10_000) })
      .then((r) => r.json())
      .catch(() => ({}))) as ReadinessBody;
    if (body.checks?.['pbx'] === 'up') return;
    if (Date.now() > deadline) throw new Error(`the contact centre did not log in at the PBX: ${JSON.stringify(body)}`);
    await sleep(100);
  }
}

interface LostCallRow {
  readonly uniqueid: string;
  readonly task_id: string | null;
  readonly task_created_ms: number | null;
  readonly recorded_ms: number;
}

/** Lost call → task from the service's tables and the PBX's ground truth. */
async function lostToTaskOf(db: Client, truth: readonly PbxCall[], from: Date, to: Date): Promise<ContactCentreResult['lostToTask']> {
  const emitted = new Map(truth.filter((c) => c.outcome === 'ABANDONED' && /^\d{7,15}$/.test(c.callerNumber)).map((c) => [c.uniqueid, Date.parse(c.emittedAt)]));
  const { rows } = await db.query<LostCallRow>(
    `SELECT c.uniqueid, tc.task_id, extract(epoch FROM t.created_at) * 1000 AS task_created_ms, extract(epoch FROM c.recorded_at) * 1000 AS recorded_ms
     FROM call c LEFT JOIN callback_task_call tc ON tc.call_uniqueid = c.uniqueid LEFT JOIN callback_task t ON t.id = tc.task_id
     WHERE c.outcome = 'ABANDONED' AND c.joined_at >= $1 AND c.joined_at < $2`,
    [from, to],
  );
  const firstOfTask = new Map<string, { emittedAt: number; createdAt: number }>();
  const covered: number[] = [];
  let withoutTask = 0;
  for (const row of rows) {
    const at = emitted.get(row.uniqueid);
    if (at === undefined) continue;
    if (row.task_id === null || row.task_created_ms === null) {
      withoutTask++;
      continue;
    }
    const createdAt = Number(row.task_created_ms);
    covered.push(Math.max(createdAt, Number(row.recorded_ms)) - at);
    const first = firstOfTask.get(row.task_id);
    if (first === undefined || at < first.emittedAt) firstOfTask.set(row.task_id, { emittedAt: at, createdAt });
  }
  // A lost call the PBX reported that the service never recorded has no row: it counts as without a task.
  withoutTask += Math.max(0, emitted.size - rows.filter((r) => emitted.has(r.uniqueid)).length);
  const taskDelays = [...firstOfTask.values()].map((t) => t.createdAt - t.emittedAt);
  return {
    lostCalls: emitted.size,
    tasks: firstOfTask.size,
    withoutTask,
    taskMs: spreadOf(taskDelays),
    tasksOverOneSecond: taskDelays.filter((ms) => ms >= 1000).length,
    coveredMs: spreadOf(covered),
    callsOverOneSecond: covered.filter((ms) => ms >= 1000).length,
  };
}

async function countOfDay(db: Client, from: Date, to: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM call WHERE joined_at >= $1 AND joined_at < $2`, [from, to]);
  return rows[0]?.n ?? 0;
}

/** CLOCK_MONOTONIC in ms: the clock V8's profiler stamps its samples with, in every process of the machine. */
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

interface Ingested {
  /** Monotonic ms: the replay asked for, its last event written, every call of the day in the table. */
  readonly started: number;
  readonly replayDoneAt: number;
  readonly ingestedAt: number;
  readonly status: ReplayStatus;
  readonly truth: PbxCall[];
  readonly cpuSeconds: ContactCentreCpu;
}

/**
 * Replays `day` and samples the call table's count of that day every 100 ms; resolves when the
 * count reaches the ground truth's (known once the replay is done), with the moment it did and the
 * CPU seconds spent in between (`cpu` read at both ends).
 */
async function ingestDay(
  pbx: PbxUnderTest,
  db: Client,
  options: ContactCentreOptions,
  day: string,
  calls: number,
  running: ServiceProcess,
  progress: (m: string) => void,
): Promise<Ingested> {
  const { from, to } = boundsOf(day, options.timeZone);
  const cpuBefore = cpuNow(running, pbx);
  const started = monotonicMs();
  await pbx.replay(day, calls, options.timeZone, options.seed);
  let status = await pbx.status();
  let replayDoneAt = 0;
  let truth: PbxCall[] | undefined;
  let count = 0;
  let lastReport = Date.now();
  for (const deadline = Date.now() + options.timeoutSeconds * 1000; ; ) {
    const sampledAt = monotonicMs();
    count = await countOfDay(db, from, to);
    if (truth !== undefined && count >= truth.length) {
      const cpuSeconds = cpuBetween(cpuBefore, cpuNow(running, pbx));
      return { started, replayDoneAt, ingestedAt: sampledAt, status, truth, cpuSeconds };
    }
    if (!running.alive()) throw new Error(`the contact centre exited: ${running.tail(30)}`);
    if (Date.now() > deadline) throw new Error(`timed out: ${count} calls of ${day} in the table, the PBX has ${truth?.length ?? '?'} (replay ${status.state}, ${status.emitted} of ${status.total})`);
    if (replayDoneAt === 0) {
      status = await pbx.status();
      if (status.state === 'done') {
        replayDoneAt = monotonicMs();
        truth = await pbx.calls(from, to);
        progress(`  the replay wrote its last event after ${round((replayDoneAt - started) / 1000)} s; ${truth.length.toLocaleString('en')} calls of ${day} in the ground truth`);
      }
    }
    if (Date.now() - lastReport > 15_000) {
      progress(`  ${count.toLocaleString('en')} calls in the table after ${round((monotonicMs() - started) / 1000)} s (replay ${status.state}, ${status.emitted.toLocaleString('en')} of ${status.total.toLocaleString('en')} callers written)`);
      lastReport = Date.now();
    }
    await sleep(Math.max(0, 100 - (monotonicMs() - sampledAt)));
  }
}

/**
 * Lost calls at the pace a real PBX sends them: one at a time, each from a number of its own (so each
 * makes a task), `perSecond` apart; the delay is taken as for the day's.
 */
async function pacedLostCalls(pbx: PbxUnderTest, db: Client, options: ContactCentreOptions, lastOfDay: string, progress: (m: string) => void): Promise<ContactCentreResult['paced']> {
  const queues = options.queues.split(',').map((q) => q.split(':')[0]);
  const salt = Date.now() % 1_000_000;
  const uniqueids: string[] = [];
  const started = monotonicMs();
  for (let k = 0; k < options.pacedCalls; k++) {
    const wait = started + (k * 1000) / options.pacedPerSecond - monotonicMs();
    if (wait > 0) await sleep(wait);
    uniqueids.push(await pbx.lostCall(queues[k % queues.length], `7999${String((salt * 100 + k) % 10_000_000).padStart(7, '0')}`, 1));
  }
  const wanted = new Set(uniqueids);
  let emitted = new Map<string, number>();
  let created = new Map<string, number>();
  for (const deadline = Date.now() + 60_000; emitted.size < wanted.size || created.size < wanted.size; ) {
    if (Date.now() > deadline) {
      progress(`  only ${created.size} of ${wanted.size} paced lost calls had a task after 60 s (${emitted.size} ended at the PBX)`);
      break;
    }
    await sleep(250);
    emitted = new Map((await pbx.callsAfter(lastOfDay)).filter((c) => wanted.has(c.uniqueid)).map((c) => [c.uniqueid, Date.parse(c.emittedAt)]));
    const { rows } = await db.query<{ uniqueid: string; created_ms: number }>(
      `SELECT tc.call_uniqueid AS uniqueid, extract(epoch FROM t.created_at) * 1000 AS created_ms FROM callback_task_call tc JOIN callback_task t ON t.id = tc.task_id WHERE tc.call_uniqueid = ANY($1)`,
      [uniqueids],
    );
    created = new Map(rows.map((r) => [r.uniqueid, Number(r.created_ms)]));
  }
  const delays = uniqueids.flatMap((id) => {
    const at = emitted.get(id);
    const made = created.get(id);
    return at === undefined || made === undefined ? [] : [made - at];
  });
  return { calls: uniqueids.length, perSecond: options.pacedPerSecond, taskMs: spreadOf(delays), overOneSecond: delays.filter((ms) => ms >= 1000).length, withoutTask: uniqueids.length - delays.length };
}

/** The busiest local hour's calls per second (hours counted from the day's start: a whole-hour zone). */
function busiestHourOf(truth: readonly PbxCall[], from: Date): number {
  const perHour = new Map<number, number>();
  for (const call of truth) {
    const hour = Math.floor((Date.parse(call.joinedAt) - from.getTime()) / 3_600_000);
    perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
  }
  return round(Math.max(0, ...perHour.values()) / 3600);
}

/**
 * PostgreSQL's CPU seconds so far: its live processes' own, and the postmaster's count of its ended
 * children (a connection's backend that ended between two readings would otherwise take its CPU
 * time with it: the statistics requests and the bench's own clients open and close them).
 */
function postgresCpuSeconds(): number {
  const processes = new Map<string, { command: string; parent: string; own: number; ended: number }>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // After the command: state, ppid, …; utime, stime, cutime, cstime are the 12th to 15th, in ticks of 1/100 s.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      processes.set(pid, {
        command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        parent: fields[1] ?? '',
        own: (Number(fields[11]) + Number(fields[12])) / 100,
        ended: (Number(fields[13]) + Number(fields[14])) / 100,
      });
    } catch {
      // ended meanwhile
    }
  }
  let seconds = 0;
  for (const p of processes.values()) {
    if (p.command !== 'postgres') continue;
    seconds += p.own;
    if (processes.get(p.parent)?.command !== 'postgres') seconds += p.ended;
  }
  return seconds;
}

function cpuNow(service: ServiceProcess, pbx: PbxUnderTest): ContactCentreCpu {
  return { ...processCpu(), postgres: postgresCpuSeconds(), contactCentre: cpuSecondsOf(service.child.pid as number), simulator: pbx.cpuSeconds(), bench: benchCpuSeconds() };
}

function cpuBetween(before: ContactCentreCpu, after: ContactCentreCpu): ContactCentreCpu {
  return {
    contactCentre: round(after.contactCentre - before.contactCentre),
    simulator: round(after.simulator - before.simulator),
    postgres: round(after.postgres - before.postgres),
    kafka: round(after.kafka - before.kafka),
    bench: round(after.bench - before.bench),
    machine: round(after.machine - before.machine),
  };
}

interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

/**
 * Self time by function and by package of a V8 .cpuprofile, counting only the samples taken within
 * `window` (monotonic ms, the clock V8 stamps samples with): the service's start is left out.
 */
export function summariseCpuProfile(file: string, window?: { readonly fromMs: number; readonly toMs: number }): Pick<ProfileSummary, 'sampledMs' | 'busyShare' | 'top' | 'packages'> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: CpuProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] };
  const hitsOf = new Map<number, number>();
  let sampledMs = (profile.endTime - profile.startTime) / 1000;
  if (window !== undefined && profile.samples !== undefined && profile.timeDeltas !== undefined) {
    let at = profile.startTime;
    for (const [i, id] of profile.samples.entries()) {
      at += profile.timeDeltas[i] ?? 0;
      if (at >= window.fromMs * 1000 && at <= window.toMs * 1000) hitsOf.set(id, (hitsOf.get(id) ?? 0) + 1);
    }
    sampledMs = window.toMs - window.fromMs;
  } else for (const node of profile.nodes) hitsOf.set(node.id, node.hitCount ?? 0);
  const hits = [...hitsOf.values()].reduce((n, h) => n + h, 0);
  const msPerHit = hits > 0 ? sampledMs / hits : 0;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let idle = 0;
  for (const { id, callFrame } of profile.nodes) {
    const hitCount = hitsOf.get(id) ?? 0;
    if (hitCount === 0) continue;
    if (callFrame.functionName === '(idle)') {
      idle += hitCount;
      continue;
    }
    const url = callFrame.url;
    const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const place = module ?? (url.startsWith('node:') ? url : url.includes('/dist/') ? url.slice(url.indexOf('/dist/') + 6) : url || callFrame.functionName);
    const pkg = module ?? (url.startsWith('node:') ? 'node internals' : url.includes('/dist/') ? 'medbus (bundle)' : callFrame.functionName);
    const fn = `${callFrame.functionName || '(anonymous)'} (${place}${url ? `:${callFrame.lineNumber + 1}` : ''})`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hitCount);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hitCount);
  }
  const busy = hits - idle;
  const ranked = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, count]) => ({ name, selfMs: Math.round(count * msPerHit), share: busy > 0 ? round((100 * count) / busy) : 0 }));
  return {
    sampledMs: Math.round(sampledMs),
    busyShare: hits > 0 ? round((100 * busy) / hits) : 0,
    top: ranked(byFunction, 15).map(({ name, selfMs, share }) => ({ fn: name, selfMs, share })),
    packages: ranked(byPackage, 10),
  };
}

const targetMissed = (r: Pick<ContactCentreResult, 'lostToTask' | 'ingestion' | 'paced'>) =>
  r.lostToTask.taskMs.p99 >= 1000 || r.lostToTask.withoutTask > 0 || r.paced.taskMs.p99 >= 1000 || r.paced.withoutTask > 0 || r.ingestion.peakRssMb.contactCentre >= 256;

export async function measureContactCentre(env: Record<string, string>, options: ContactCentreOptions, progress: (m: string) => void): Promise<ContactCentreResult> {
  const runId = Date.now().toString(36);
  const schema = `bench_cc_${runId}`;
  const group = `bench-cc-${runId}`;
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus';
  progress(`contact centre: a busy day replayed through AMI (${options.day}, ${options.calls.toLocaleString('en')} callers, queues ${options.queues})`);
  const ami = await measureAmiRead(options, progress);

  // Booking checks the supervisors' and the service's keys; on a bus of its own, idle.
  const booking: BookingUnderTest = await startBooking(env, await freePort(), `${runId}c`);
  const pbx = new PbxUnderTest(await freePort(), await freePort(), options);
  const db = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  const peak = { contactCentre: 0, simulator: 0 };
  const service: ServiceUnderTest = { url: `http://127.0.0.1:${await freePort()}`, env: {} };
  const sampler = setInterval(() => {
    if (service.process?.alive()) peak.contactCentre = Math.max(peak.contactCentre, rssMbOf(service.process.child.pid as number));
    if (pbx.process?.alive()) peak.simulator = Math.max(peak.simulator, pbx.rssMb());
  }, 500);
  try {
    const issue = (client: string, role: string, branch?: string) =>
      clientsCli(booking.schema, ['issue', '--client', client, '--role', role, ...(branch ? ['--branch', branch] : [])], databaseUrl);
    const [serviceKey, headKey, branchKey] = await Promise.all([
      issue(`bench-contact-center-${runId}`, 'CONTACT_CENTRE'),
      issue(`bench-cc-head-supervisor-${runId}`, 'HEAD_SUPERVISOR'),
      issue(`bench-cc-sochi-supervisor-${runId}`, 'BRANCH_SUPERVISOR', 'sochi'),
    ]);
    await pbx.start('telephony-simulator');
    Object.assign(service.env, {
      ...env,
      ...contactCentreEnv({ service, databaseUrl, schema, group, booking, serviceKey, pbx, clientId: `bench-contact-center-${runId}` }),
      CC_TIME_ZONE: options.timeZone,
    });
    progress('contact centre: the service starts and logs in at the PBX');
    service.process = startService(service, options.nodeArgs, 'contact-center');
    await waitServiceReady(service, service.process);
    await db.connect();

    progress(`raw limit: PostgreSQL batched insert into a copy of the call table with its indexes, ${options.rawRows.toLocaleString('en')} rows in batches of ${options.rawBatch}`);
    const rawPostgres = await postgresCallInsertLimit(databaseUrl, schema, options.rawRows, options.rawBatch);
    progress(`  ${rawPostgres.rowsPerSecond.toLocaleString('en')} rows/s (${rawPostgres.indexes} indexes)`);

    const mix = statisticsMix(options.day, { head: headKey, branch: branchKey });
    progress(`contact centre: replay of ${options.day} ingested while supervisors ask ${options.statsPerSecond} statistics requests/s`);
    const during = startStatisticsLoad(service.url, mix, options.statsPerSecond, options.statsMaxInFlight);
    // The load stops at once, also when the ingestion fails, so that no request is left going.
    const outcome = await ingestDay(pbx, db, options, options.day, options.calls, service.process, progress).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const duringFigures = await during.stop();
    if ('error' in outcome) throw outcome.error;
    const ingested = outcome.value;
    const cpuSeconds = ingested.cpuSeconds;
    const { from, to } = boundsOf(options.day, options.timeZone);
    const seconds = (ingested.ingestedAt - ingested.started) / 1000;
    const truth = ingested.truth;
    const rowsOfDay = await countOfDay(db, from, to);
    const { rows: all } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM call');
    const ingestion: ContactCentreResult['ingestion'] = {
      seconds: round(seconds),
      replaySeconds: round((ingested.replayDoneAt - ingested.started) / 1000),
      callsPerSecond: Math.round(truth.length / seconds),
      eventsPerSecond: Math.round(ingested.status.events / seconds),
      shareOfAmiRaw: Math.round((100 * truth.length) / seconds / ami.callsPerSecond),
      shareOfPostgresRaw: Math.round((100 * truth.length) / seconds / rawPostgres.rowsPerSecond),
      cpuSeconds,
      peakRssMb: { ...peak },
      rowsOfDay,
      rowsInAll: all[0]?.n ?? 0,
    };
    progress(
      `  ${truth.length.toLocaleString('en')} calls in ${ingestion.seconds} s: ${ingestion.callsPerSecond.toLocaleString('en')} calls/s, ${ingestion.eventsPerSecond.toLocaleString('en')} events/s ` +
        `(${ingestion.shareOfAmiRaw} % of the AMI read); CPU s: contact centre ${cpuSeconds.contactCentre}, simulator ${cpuSeconds.simulator}, PostgreSQL ${cpuSeconds.postgres}, machine ${cpuSeconds.machine} of ${round(2 * seconds)}; peak RSS ${peak.contactCentre} MB`,
    );
    const lostToTask = await lostToTaskOf(db, truth, from, to);
    progress(
      `  lost call → task: ${lostToTask.tasks} tasks for ${lostToTask.lostCalls} lost calls; p50 ${lostToTask.taskMs.p50} ms, p99 ${lostToTask.taskMs.p99} ms, max ${lostToTask.taskMs.max} ms; ` +
        `${lostToTask.tasksOverOneSecond} over 1 s; ${lostToTask.withoutTask} lost calls without a task`,
    );
    progress(`  statistics during the ingestion: p50 ${duringFigures.latencyMs.p50} ms, p99 ${duringFigures.latencyMs.p99} ms, ${duringFigures.errors} errors of ${duringFigures.requests}`);

    // Not timed: what autovacuum would do after a bulk load (it is off on this machine).
    const { rows: tables } = await db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = $1`, [schema]);
    for (const { name } of tables) await db.query(`VACUUM (ANALYZE) "${schema}"."${name}"`);
    progress(`contact centre: statistics after the ingestion, ${options.afterSeconds} s at ${options.statsPerSecond} requests/s`);
    const after = startStatisticsLoad(service.url, mix, options.statsPerSecond, options.statsMaxInFlight);
    const afterStarted = monotonicMs();
    progress(`  meanwhile ${options.pacedCalls} lost calls at the live pace (${options.pacedPerSecond}/s), each from a number of its own`);
    const pacedOutcome = await pacedLostCalls(pbx, db, options, truth.at(-1)?.uniqueid ?? '', progress).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const left = afterStarted + options.afterSeconds * 1000 - monotonicMs();
    if (left > 0) await sleep(left);
    const afterFigures = await after.stop();
    if ('error' in pacedOutcome) throw pacedOutcome.error;
    const paced = pacedOutcome.value;
    progress(`  paced lost call → task: p50 ${paced.taskMs.p50} ms, p99 ${paced.taskMs.p99} ms, max ${paced.taskMs.max} ms; ${paced.withoutTask} without a task`);
    progress(`  statistics: p50 ${afterFigures.latencyMs.p50} ms, p99 ${afterFigures.latencyMs.p99} ms, ${afterFigures.errors} errors of ${afterFigures.requests}`);

    const counts = { answered: truth.filter((c) => c.outcome === 'ANSWERED').length, abandoned: truth.filter((c) => c.outcome === 'ABANDONED').length };
    let profile: ProfileSummary | undefined;
    if (options.profile === 'always' || (options.profile === 'missed' && targetMissed({ lostToTask, ingestion, paced }))) {
      profile = await profilePass(service, pbx, db, options, progress);
    }
    return {
      date: new Date().toISOString(),
      replay: { day: options.day, timeZone: options.timeZone, seed: options.seed, queues: options.queues, callers: options.calls },
      raw: { ami, postgres: rawPostgres },
      truth: { calls: truth.length, ...counts, events: ingested.status.events, emittedCalls: ingested.status.emitted },
      ingestion,
      lostToTask,
      paced,
      busiestHourCallsPerSecond: busiestHourOf(truth, from),
      statistics: { perSecond: options.statsPerSecond, maxInFlight: options.statsMaxInFlight, during: duringFigures, after: afterFigures },
      ...(profile ? { profile } : {}),
      settings: {
        simulator: pbx.args.join(' '),
        service: Object.fromEntries(['CC_CALL_FLUSH_MS', 'CC_CALL_BATCH_SIZE', 'CC_CALLBACK_AUTODIAL', 'CC_CALLBACK_MAX_DIALLING'].map((name) => [name, service.env[name] ?? process.env[name] ?? 'default'])),
        nodeArgs: options.nodeArgs,
      },
      postgres: await postgresSettings(databaseUrl),
    };
  } finally {
    clearInterval(sampler);
    await service.process?.stop(10_000);
    await pbx.process?.stop();
    await booking.stop();
    await db.end().catch(() => undefined);
    await dropSchema(databaseUrl, schema).catch(() => undefined);
    await dropSchema(databaseUrl, booking.schema).catch(() => undefined);
    await deleteGroups(env, [namespaced(group, booking.namespace), namespaced(`bench-${runId}c`, booking.namespace), namespaced(`bench-${runId}c-outcomes`, booking.namespace)]);
  }
}

/**
 * Where the service's time goes: it is started again under `--cpu-prof` on the same tables and the
 * next day, smaller, is replayed into it; the profile is written when it stops.
 */
async function profilePass(service: ServiceUnderTest, pbx: PbxUnderTest, db: Client, options: ContactCentreOptions, progress: (m: string) => void): Promise<ProfileSummary> {
  const day = dayOf(options.day, 1);
  const dir = join(root, '.medbus', 'logs', `bench-contact-center-profile-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  progress(`contact centre: a target was missed; profiling a replay of ${day} (${options.profileCalls.toLocaleString('en')} callers) under --cpu-prof`);
  await service.process?.stop(10_000);
  const running = (service.process = startService(service, `${options.nodeArgs} --cpu-prof --cpu-prof-dir=${dir}`, 'contact-center-profiled'));
  await waitServiceReady(service, running);
  const ingested = await ingestDay(pbx, db, options, day, options.profileCalls, running, progress);
  const { from, to } = boundsOf(day, options.timeZone);
  const lost = await lostToTaskOf(db, ingested.truth, from, to);
  await running.stop(30_000);
  const file = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (file === undefined) throw new Error(`the profiled contact centre wrote no .cpuprofile into ${dir}`);
  const summary = summariseCpuProfile(file, { fromMs: ingested.started, toMs: ingested.ingestedAt });
  progress(`  profiled: ${ingested.truth.length} calls in ${round((ingested.ingestedAt - ingested.started) / 1000)} s; top: ${summary.top.slice(0, 5).map((t) => `${t.fn} ${t.share} %`).join('; ')}`);
  return { calls: ingested.truth.length, seconds: round((ingested.ingestedAt - ingested.started) / 1000), file: file.slice(root.length + 1), lostToTaskMs: lost.taskMs, ...summary };
}

const fmt = (n: number) => n.toLocaleString('en');

/** docs/benchmarks.md: the AMI read and the call-table insert beside the other raw limits. */
export function contactCentreRawRows(r: ContactCentreResult): string {
  const a = r.raw.ami;
  const p = r.raw.postgres;
  return [
    `| PBX simulator's AMI emission (${r.date}): a bare client logs in and reads the replay of a ${fmt(r.replay.callers)}-caller day without parsing it | ${fmt(a.eventsPerSecond)} events/s, ${fmt(a.callsPerSecond)} calls/s (${fmt(a.events)} events in ${a.seconds} s; simulator CPU ${a.simulatorCpuSeconds} s) | the day's ${fmt(a.calls)} calls in ${a.seconds} s at best |`,
    `| PostgreSQL batched insert (unnest, batches of ${p.batchSize}) of call rows into a copy of the contact centre's \`call\` table with its ${p.indexes} indexes (${r.date}) | ${fmt(p.rowsPerSecond)} rows/s | the day's ${fmt(r.truth.calls)} calls in ${round(r.truth.calls / p.rowsPerSecond)} s at best |`,
  ].join('\n');
}

const spreadText = (s: Spread) => `p50 ${s.p50} ms, **p99 ${s.p99} ms**, max ${s.max} ms`;

/** docs/benchmarks.md: the contact centre's rows against the targets. */
export function contactCentreRows(r: ContactCentreResult): string {
  const i = r.ingestion;
  const l = r.lostToTask;
  const s = r.statistics;
  const kinds = (f: StatisticsLoadFigures) =>
    Object.entries(f.byKind)
      .map(([kind, k]) => `${kind} ${k.p99}`)
      .join(', ');
  return [
    `| contact centre: a busy day from the PBX over AMI (${fmt(r.truth.calls)} calls, ${fmt(r.truth.events)} events of ${r.replay.day}), replay start → every call in the \`call\` table | a busy day (20,000+ calls) ingested | **${i.seconds} s**, ${fmt(i.callsPerSecond)} calls/s, ${fmt(i.eventsPerSecond)} events/s: **${i.shareOfAmiRaw} % of the AMI emission**, ${i.shareOfPostgresRaw} % of the raw insert; ${fmt(i.rowsOfDay)} rows of the day, as many as the PBX's ground truth |`,
    `| contact centre: a lost call becomes a call-back task, over the replayed day (${fmt(l.tasks)} tasks for ${fmt(l.lostCalls)} lost calls, the day sent as fast as the service reads), the PBX writing the abandon → the task's \`created_at\` | within 1 s | ${spreadText(l.taskMs)}; ${fmt(l.tasksOverOneSecond)} tasks over 1 s; every lost call covered: p99 ${l.coveredMs.p99} ms, max ${l.coveredMs.max} ms; **${l.withoutTask} lost calls without a task** |`,
    `| contact centre: a lost call becomes a call-back task at the live pace (${r.paced.calls} lost calls, ${r.paced.perSecond}/s, each a number of its own, after the day while supervisors poll) | within 1 s | ${spreadText(r.paced.taskMs)}; ${r.paced.overOneSecond} over 1 s; **${r.paced.withoutTask} without a task** |`,
    `| contact centre: statistics under load (${s.perSecond} supervisors' requests/s, open loop: live, day, daily, appeals), during the ingestion | p99 reported | ${spreadText(s.during.latencyMs)} (p99 by kind: ${kinds(s.during)}); ${s.during.errors} errors of ${fmt(s.during.requests)}${s.during.skipped ? `; ${fmt(s.during.skipped)} not sent, ${s.maxInFlight ?? '?'} screens waiting` : ''} |`,
    `| contact centre: the same after the ingestion (${s.after.seconds} s) | p99 reported | ${spreadText(s.after.latencyMs)} (p99 by kind: ${kinds(s.after)}); ${s.after.errors} errors of ${fmt(s.after.requests)}${s.after.skipped ? `; ${fmt(s.after.skipped)} not sent, ${s.maxInFlight ?? '?'} screens waiting` : ''} |`,
  ].join('\n');
}

/** docs/benchmarks.md: how the contact centre was measured and where its time went. */
export function contactCentreNotes(r: ContactCentreResult, cpus: number): string {
  const c = r.ingestion.cpuSeconds;
  const pg = r.postgres;
  const errors = (f: StatisticsLoadFigures) => (f.errors === 0 ? 'none' : Object.entries(f.errorCodes).map(([code, n]) => `${code} × ${n}`).join(', '));
  const p = r.profile;
  const pace = r.busiestHourCallsPerSecond > 0 ? Math.round(r.ingestion.callsPerSecond / r.busiestHourCallsPerSecond) : 0;
  const share = (name: string) => p?.packages.find((k) => k.name === name)?.share ?? 0;
  return `
### Contact centre (measured ${r.date})

The PBX (AMI) simulator and the contact-centre service as compiled processes; the service checks keys at a booking service of the
bench's own (its own bus, idle). The simulator (\`${r.settings.simulator}\`) replays the local day ${r.replay.day} (${r.replay.timeZone}) with
${fmt(r.replay.callers)} callers (seed ${r.replay.seed}: the daily curve, patience, re-dials, operators' pauses) as fast as its AMI clients read:
${fmt(r.truth.calls)} calls joined that day (${fmt(r.truth.answered)} answered, ${fmt(r.truth.abandoned)} lost), ${fmt(r.truth.events)} AMI events. The same replay read by a bare
client alone on a simulator of its own is the emission bound (raw limits above); the service's ingestion is timed from the replay's
start until its \`call\` table holds as many calls of that day as the PBX's ground truth (counted every 100 ms); the simulator wrote its
last event after ${r.ingestion.replaySeconds} s (it waits for its slowest reader). The service's batching and dialler settings: ${Object.entries(r.settings.service)
    .map(([k, v]) => `${k} ${v === 'default' ? '(its default)' : v}`)
    .join(', ')}${r.settings.nodeArgs ? `; node options ${r.settings.nodeArgs}` : ''}; its dialler called tasks back through the simulator meanwhile.

A lost call's delay is its task's \`created_at\` (PostgreSQL's clock) less the wall time the simulator wrote the call's last
events (QueueCallerAbandon, QueueCallerLeave, Hangup) to the AMI socket (the ground truth's \`emittedAt\`; same machine, same clock), for the first lost call of each task; a
re-dialled number's later lost calls join that task, and "every lost call covered" counts each of them until its own row was written with the
task in place. The statistics load is an open loop: requests go out at the rate whatever the answers do, in turn the head centre's supervisor
(consolidated) and Sochi's branch supervisor (his branch), over live figures, the day, the last 7 days per day and appeals by type; a
latency counts from the moment the request was due; at most ${r.statistics.maxInFlight ?? '(no bound)'} are unanswered at once (one per supervisor's screen), and a request
falling due beyond that is not sent but counted. Errors during the ingestion: ${errors(r.statistics.during)}; after: ${errors(r.statistics.after)}.
\`VACUUM (ANALYZE)\` of the service's tables runs between the two, untimed. Meanwhile ${r.paced.calls} lost calls are injected at the PBX at ${r.paced.perSecond}/s
(\`POST /admin/calls\`, 1 s of waiting on the PBX's clock), each from a number of its own: the pace of a real day, whose busiest hour
brought ${r.busiestHourCallsPerSecond} calls/s in this replay.

What the two lost-call figures mean: the replay is a burst, the whole day sent as fast as the service reads it (${fmt(r.ingestion.callsPerSecond)} calls/s,
${pace}× the busiest hour's pace), so a lost call waits behind every event written before it in the socket's buffers, and its delay is that backlog
over the service's rate; at the live pace there is no backlog and the delay is the service's own (its batch flush, the transaction).
The statistics figures during the ingestion likewise share the service's one event loop with the burst.
PostgreSQL ${pg['server_version'] ?? '?'}: shared_buffers ${pg['shared_buffers'] ?? '?'}, autovacuum ${pg['autovacuum'] ?? '?'}, work_mem ${pg['work_mem'] ?? '?'}, synchronous_commit ${pg['synchronous_commit'] ?? '?'}.

Where the ingestion's time goes (CPU seconds; ${cpus} cores): contact centre ${c.contactCentre}, simulator ${c.simulator}, PostgreSQL ${c.postgres}, Kafka ${c.kafka},
the bench itself ${c.bench}, everything else (other work on the machine) ${round(c.machine - c.contactCentre - c.simulator - c.postgres - c.kafka - c.bench)}; the machine ${c.machine} of the
${round(cpus * r.ingestion.seconds)} its cores offer in ${r.ingestion.seconds} s (${r.truth.calls > 0 ? fmt(Math.round((1e6 * c.contactCentre) / r.truth.calls)) : '?'} µs of the service's CPU per call). Peak RSS: contact centre ${r.ingestion.peakRssMb.contactCentre} MB,
simulator ${r.ingestion.peakRssMb.simulator} MB (a test double holding the day).
${
    p
      ? `
A target was missed, so the service was profiled: started again with \`--cpu-prof\` on the same tables, the next day replayed with
${fmt(p.calls)} calls (${p.seconds} s; lost call → task under the profiler p50 ${p.lostToTaskMs.p50} ms, p99 ${p.lostToTaskMs.p99} ms; the profiler slows it).
Of the ${fmt(p.sampledMs)} ms of that replay the service's thread was busy ${p.busyShare} %: reading AMI with the asterisk-manager library ${share('asterisk-manager')} %,
garbage collection ${share('(garbage collector)')} %, medbus's own code ${share('medbus (bundle)')} %, node's internals (sockets, streams, timers) ${share('node internals')} %,
PostgreSQL's client ${round(share('pg') + share('pg-protocol'))} %. Self time by package: ${p.packages.map((k) => `${k.name} ${k.share} %`).join(', ')}.
Hottest functions (self, share of busy time): ${p.top.map((t) => `\`${t.fn}\` ${t.share} %`).join('; ')}. Profile: ${p.file}.
`
      : ''
  }`;
}

if (require.main === module) {
  measureContactCentre(readStackEnv(), contactCentreOptionsFromEnv(), (message) => process.stdout.write(`[bench] ${message}\n`)).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
