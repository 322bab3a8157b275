import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { adapterTopicsOf, deleteNamespaceTopics, ensureTopics } from '@medbus/kafka';
import { freePort, readStackEnv, stackKafkaSecurity, startProcess, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { compiledServices, nodeCommandOf } from '../build/build-services';

const root = join(__dirname, '..', '..');
const adminToken = 'bench-xmldump-admin-token';
const login = 'bench-xmldump';
const password = 'bench-xmldump-password';
const REFERENCE = { organisations: 300, doctorsPerOrg: 20, horizonDays: 14 } as const;
/** The memory target of every medbus service (docs/benchmarks.md, "memory per service"). */
const rssTargetMb = 256;

export interface FullDumpOptions {
  readonly organisations: number;
  readonly doctorsPerOrg: number;
  readonly horizonDays: number;
}

/** `--organisations N` (and `--doctors-per-org`, `--horizon-days`) on the command line, else BENCH_XMLDUMP_*, else the reference region. */
export function fullDumpOptionsOf(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): FullDumpOptions {
  const option = (flag: string, variable: string, fallback: number) => {
    const at = argv.indexOf(flag);
    const value = Number(at >= 0 ? argv[at + 1] : (env[variable] ?? fallback));
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} / ${variable} must be a positive integer`);
    return value;
  };
  return {
    organisations: option('--organisations', 'BENCH_XMLDUMP_ORGANISATIONS', REFERENCE.organisations),
    doctorsPerOrg: option('--doctors-per-org', 'BENCH_XMLDUMP_DOCTORS_PER_ORG', REFERENCE.doctorsPerOrg),
    horizonDays: option('--horizon-days', 'BENCH_XMLDUMP_HORIZON_DAYS', REFERENCE.horizonDays),
  };
}

export interface FullDumpResult {
  readonly region: { readonly organisations: number; readonly doctors: number; readonly horizonDays: number; readonly tickets: number };
  /** The full dump the simulator wrote at start, as its index lists it. */
  readonly dumpMb: number;
  /** The adapter's own figures for its first dump (its `dump applied` log line). */
  readonly downloadSeconds: number;
  readonly validateSeconds: number;
  readonly publishSeconds: number;
  /** Events the publishing pass put on Kafka (organisations, doctors, tickets). */
  readonly eventsPublished: number;
  readonly publishedPerSecond: number;
  /** The adapter's peak resident memory (VmHWM), and whether it stayed under the services' target. */
  readonly peakRssMb: { readonly adapter: number; readonly simulator: number };
  readonly underTarget: boolean;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A process's resident memory high-water mark in MB (VmHWM: the kernel keeps the peak, so sampling cannot miss it while it runs). */
function peakRssMbOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

interface AppliedLine {
  readonly bytes: number;
  readonly tickets: number;
  readonly published: number;
  readonly downloadMs: number;
  readonly validateMs: number;
  readonly publishMs: number;
}

/** The adapter's `dump applied` line for its first dump, once it has written it. */
function appliedLineOf(logFile: string): AppliedLine | undefined {
  if (!existsSync(logFile)) return undefined;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as { message?: unknown; params?: unknown[] };
    if (record.message === 'dump applied') return record.params?.[0] as AppliedLine;
  }
  return undefined;
}

/**
 * The XMLDump adapter's first full dump, every piece a compiled process: the XMLDump simulator
 * holding the region writes its full dump at start; a fresh adapter (its own Kafka namespace and
 * Postgres schema, nothing published before) downloads it over HTTP, reads it once to its End
 * (validation) and once more to publish it. Reported: the dump's size, the adapter's download,
 * validation and publishing times (from its own log), the events published, and its peak RSS
 * against the 256 MB every service is held to: the dump is streamed, never held.
 */
export async function measureFullDump(
  options: FullDumpOptions = fullDumpOptionsOf([]),
  env: Record<string, string> = readStackEnv(),
  progress: (message: string) => void = (message) => process.stdout.write(`[bench] ${message}\n`),
): Promise<FullDumpResult> {
  const runId = Date.now().toString(36);
  const namespace = `bench-xmldump-${runId}`;
  const adapterId = `bench-xmldump-${runId}`.slice(0, 40);
  const schema = `bench_xmldump_${runId}`;
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus';
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const connection = { brokers, ...stackKafkaSecurity(env) };
  const oidRoot = `1.2.643.5.1.13.13.12.2.925.${Date.now() % 1_000_000_000}`;
  const [simPort, adapterPort] = [await freePort(), await freePort()];
  const simUrl = `http://127.0.0.1:${simPort}`;
  const adapterLog = join(root, '.medbus', 'logs', 'bench-xmldump-adapter.log');
  rmSync(adapterLog, { force: true });
  const peak = { adapter: 0, simulator: 0 };
  let sim: ServiceProcess | undefined;
  let adapter: ServiceProcess | undefined;
  const sampler = setInterval(() => {
    peak.adapter = Math.max(peak.adapter, peakRssMbOf(adapter?.child.pid));
    peak.simulator = Math.max(peak.simulator, peakRssMbOf(sim?.child.pid));
  }, 500);
  await ensureTopics({ ...connection, namespace }, adapterTopicsOf(adapterId), 3);
  try {
    progress(`xmldump full dump: simulator with ${options.organisations} organisations × ${options.doctorsPerOrg} doctors × ${options.horizonDays} days`);
    sim = startProcess({
      name: 'xmldump-simulator',
      ...nodeCommandOf(compiledServices.xmldumpSimulator, [
        ...['--port', String(simPort), '--sftp-port', '0', '--seed', '11', '--oid-root', oidRoot, '--admin-token', adminToken],
        ...['--organisations', String(options.organisations), '--doctors-per-org', String(options.doctorsPerOrg), '--horizon-days', String(options.horizonDays)],
        ...['--partial-interval', '0', '--login', login, '--password', password, '--log-requests', 'false'],
      ]),
      env: { ...process.env },
      cwd: root,
      logFile: join(root, '.medbus', 'logs', 'bench-xmldump-simulator.log'),
    });
    await waitForHttp(`${simUrl}/health`, sim, 900_000);
    const admin = async <T>(path: string) => (await (await fetch(`${simUrl}${path}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as T;
    const state = await admin<{ doctors: number; dumps: { listed: Array<{ name: string; size: number }> } }>('/admin/state');
    const organisations = await admin<Array<{ oid: string }>>('/admin/organisations');
    const dump = state.dumps.listed[0];
    if (!dump) throw new Error('the simulator listed no dump');
    progress(`  ${dump.name}: ${round(dump.size / 1024 ** 2)} MB`);

    adapter = startProcess({
      name: 'xmldump-adapter',
      ...nodeCommandOf(compiledServices.xmldumpAdapter),
      env: {
        ...process.env,
        ...env,
        DATABASE_URL: databaseUrl,
        ADAPTER_DATABASE_SCHEMA: schema,
        ADAPTER_ID: adapterId,
        ADAPTER_ORGANISATIONS: organisations.map((o) => o.oid).join(','),
        KAFKA_CLIENT_ID: 'bench-xmldump-adapter',
        KAFKA_NAMESPACE: namespace,
        OTEL_SERVICE_NAME: 'bench-xmldump-adapter',
        OTEL_SDK_DISABLED: 'true',
        HTTP_PORT: String(adapterPort),
        DUMP_URL: `${simUrl}/dumps/`,
        MIS_LOGIN: login,
        MIS_PASSWORD: password,
        MIS_TIMEOUT_MS: '60000',
        // One dump is measured: the next read of the index is an hour away.
        DUMP_POLL_INTERVAL_MS: '3600000',
        HORIZON_DAYS: String(options.horizonDays),
        HEARTBEAT_INTERVAL_MS: '5000',
      },
      cwd: root,
      logFile: adapterLog,
    });
    await waitForHttp(`http://127.0.0.1:${adapterPort}/health`, adapter, 120_000);
    progress('  adapter started; its first pass downloads, validates and publishes the dump');
    let applied: AppliedLine | undefined;
    let reportedAt = Date.now();
    const startedAt = Date.now();
    while (!(applied = appliedLineOf(adapterLog))) {
      if (!adapter.alive()) throw new Error(`the adapter exited: ${adapter.tail(20)}`);
      if (Date.now() - startedAt > 1_800_000) throw new Error(`the adapter applied no dump in 30 minutes: ${adapter.tail(20)}`);
      if (Date.now() - reportedAt > 15_000) {
        progress(`  ${round((Date.now() - startedAt) / 1000)} s, adapter peak RSS ${peak.adapter} MB`);
        reportedAt = Date.now();
      }
      await sleep(500);
    }
    peak.adapter = Math.max(peak.adapter, peakRssMbOf(adapter.child.pid));
    const publishSeconds = round(applied.publishMs / 1000);
    const result: FullDumpResult = {
      region: { organisations: options.organisations, doctors: state.doctors, horizonDays: options.horizonDays, tickets: applied.tickets },
      dumpMb: round(applied.bytes / 1024 ** 2),
      downloadSeconds: round(applied.downloadMs / 1000),
      validateSeconds: round(applied.validateMs / 1000),
      publishSeconds,
      eventsPublished: applied.published,
      publishedPerSecond: Math.round(applied.published / Math.max(publishSeconds, 0.1)),
      peakRssMb: { ...peak },
      underTarget: peak.adapter > 0 && peak.adapter < rssTargetMb,
    };
    progress(
      `  ${result.dumpMb} MB downloaded in ${result.downloadSeconds} s, validated in ${result.validateSeconds} s, ${result.eventsPublished.toLocaleString('en')} events published in ${publishSeconds} s; ` +
        `adapter peak RSS ${peak.adapter} MB (${result.underTarget ? 'under' : 'NOT under'} ${rssTargetMb} MB), simulator ${peak.simulator} MB`,
    );
    return result;
  } finally {
    clearInterval(sampler);
    await adapter?.stop();
    await sim?.stop();
    await deleteNamespaceTopics(connection, namespace).catch(() => undefined);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await db.end().catch(() => undefined);
  }
}

/** docs/benchmarks.md's row for this section. */
export function fullDumpRow(r: FullDumpResult): string {
  const region = `${r.region.organisations} organisations, ${r.region.doctors.toLocaleString('en')} doctors, ${r.region.horizonDays} days: ${r.region.tickets.toLocaleString('en')} tickets`;
  return (
    `| XMLDump full dump: simulator → adapter (download, validating pass, publishing pass) → Kafka (${region}) | < ${rssTargetMb} MB RSS, nothing held but one doctor's days | ` +
    `${r.dumpMb} MB: download ${r.downloadSeconds} s, validation ${r.validateSeconds} s, publishing ${r.publishSeconds} s (${r.eventsPublished.toLocaleString('en')} events, ${r.publishedPerSecond.toLocaleString('en')}/s); ` +
    `adapter peak RSS **${r.peakRssMb.adapter} MB** (${r.underTarget ? 'under' : 'over'} ${rssTargetMb} MB) |`
  );
}

// `npm run build`, then `tsx --tsconfig tsconfig.base.json tools/bench/xmldump.bench.ts --organisations 30` measures it alone.
if (require.main === module) {
  measureFullDump(fullDumpOptionsOf()).then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
