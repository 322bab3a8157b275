import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { freePort, startProcess, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { bookingDbOf, compareInventoryWithMis, describeDifferences, equalsMis } from '../e2e/inventory-vs-mis';
import type { SimOrganisation } from '../e2e/region.process';
import type { BookingUnderTest } from './pipeline.bench';

const root = join(__dirname, '..', '..');
const adminToken = 'bench-admin-token';
const guid = '6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11';
const REFERENCE = { organisations: 300, doctorsPerOrg: 20, horizonDays: 14 } as const;

export interface MisResyncOptions {
  readonly organisations: number;
  readonly doctorsPerOrg: number;
  readonly horizonDays: number;
  /** Organisations compared slot by slot at the end (all when at least their number). */
  readonly compareOrganisations: number;
  readonly doctorConcurrency: number;
}

/** BENCH_MIS_RESYNC_SCALE=full measures the reference region; the default is a tenth of its organisations. */
export function misResyncOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): MisResyncOptions {
  const full = env.BENCH_MIS_RESYNC_SCALE === 'full';
  const n = (name: string, fallback: number) => Number(env[name] ?? fallback);
  return {
    organisations: n('BENCH_MIS_RESYNC_ORGANISATIONS', full ? REFERENCE.organisations : 30),
    doctorsPerOrg: n('BENCH_MIS_RESYNC_DOCTORS_PER_ORG', REFERENCE.doctorsPerOrg),
    horizonDays: n('BENCH_MIS_RESYNC_HORIZON_DAYS', REFERENCE.horizonDays),
    compareOrganisations: n('BENCH_MIS_RESYNC_COMPARE', 30),
    doctorConcurrency: n('BENCH_MIS_RESYNC_DOCTOR_CONCURRENCY', 4),
  };
}

export interface MisResyncResult {
  readonly region: { readonly organisations: number; readonly doctors: number; readonly horizonDays: number; readonly slots: number; readonly freeSlots: number };
  /** The simulator generating the region until it answered. */
  readonly simulatorStartSeconds: number;
  /** The adapter's first pass: from its start (after boot and migrations) to "sync finished". */
  readonly publishSeconds: number;
  /** Events the pass published (organisations, doctors, free slots). */
  readonly eventsPublished: number;
  /** From the adapter's start until the inventory held every published slot. */
  readonly endToEndSeconds: number;
  readonly publishedPerSecond: number;
  readonly appliedPerSecond: number;
  /** Linear extrapolation to the reference region (300 × 20 doctors × 14 days); equals the measurement at full scale. */
  readonly reference: { readonly scale: number; readonly publishSeconds: number; readonly endToEndSeconds: number; readonly extrapolated: boolean };
  readonly peakRssMb: { readonly adapter: number; readonly simulator: number; readonly booking: number };
  readonly compared: { readonly organisations: number; readonly equal: boolean; readonly differences: string };
}

function launch(name: string, args: string[], env: NodeJS.ProcessEnv): ServiceProcess {
  const command = 'npx';
  const logFile = join(root, '.medbus', 'logs', `bench-${name}.log`);
  return startProcess({ name, command, args: ['tsx', '--tsconfig', 'tsconfig.base.json', ...args], env, cwd: root, logFile });
}

const round = (n: number) => Math.round(n * 10) / 10;

interface LogLine {
  readonly timestamp: string;
  readonly message: string;
  readonly params?: Array<{ published?: number }>;
}

function logLines(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/**
 * A whole-region resync measured from the MIS: the HubService simulator holding the region, a
 * fresh adapter (empty published state) whose first pass reads every doctor's horizon and publishes
 * it, Kafka, and the bench's booking service applying it. The clock starts when the adapter has
 * booted and stops when the inventory holds every slot the pass published.
 */
export async function measureMisResync(
  booking: BookingUnderTest,
  env: Record<string, string>,
  options: MisResyncOptions,
  progress: (message: string) => void,
  rssOf: (pid: number) => number,
): Promise<MisResyncResult> {
  const runId = Date.now().toString(36);
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus';
  const oidRoot = `1.2.643.5.1.13.13.12.2.97.${Date.now() % 1_000_000_000}`;
  const [simPort, notifyPort] = [await freePort(), await freePort()];
  const simUrl = `http://127.0.0.1:${simPort}`;
  const adapterSchema = `bench_adapter_${runId}`;
  const adapterLog = join(root, '.medbus', 'logs', 'bench-resync-adapter.log');
  rmSync(adapterLog, { force: true });
  const peak = { adapter: 0, simulator: 0, booking: 0 };
  let sim: ServiceProcess | undefined;
  let adapter: ServiceProcess | undefined;
  const sampler = setInterval(() => {
    if (adapter) peak.adapter = Math.max(peak.adapter, rssOf(adapter.child.pid as number));
    if (sim) peak.simulator = Math.max(peak.simulator, rssOf(sim.child.pid as number));
    peak.booking = Math.max(peak.booking, booking.rssMb());
  }, 1_000);
  const db = new Client({ connectionString: databaseUrl, options: `-c search_path=${booking.schema}` });
  await db.connect();
  try {
    progress(`mis resync: simulator with ${options.organisations} organisations × ${options.doctorsPerOrg} doctors × ${options.horizonDays} days`);
    const simStarted = performance.now();
    sim = launch(
      'resync-simulator',
      [
        ...['tools/simulators/hubservice/main.ts', '--port', String(simPort), '--seed', '11', '--oid-root', oidRoot],
        ...['--organisations', String(options.organisations), '--doctors-per-org', String(options.doctorsPerOrg), '--horizon-days', String(options.horizonDays)],
        ...['--admin-token', adminToken, '--log-requests', 'false'],
      ],
      { ...process.env },
    );
    await waitForHttp(`${simUrl}/health`, sim, 600_000);
    const simulatorStartSeconds = round((performance.now() - simStarted) / 1000);
    const admin = async <T>(path: string) => (await (await fetch(`${simUrl}${path}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as T;
    const state = await admin<{ slots: number; free: number; doctors: number }>('/admin/state');
    const organisations = await admin<SimOrganisation[]>('/admin/organisations');
    progress(`  ${state.slots.toLocaleString('en')} slots (${state.free.toLocaleString('en')} free) generated in ${simulatorStartSeconds} s`);

    const adapterId = `bench-resync-${runId}`.slice(0, 40);
    await booking.register(organisations.map((o) => o.oid), adapterId);
    const adapterEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...env,
      DATABASE_URL: databaseUrl,
      ADAPTER_DATABASE_SCHEMA: adapterSchema,
      MIS_WSDL_URL: `${simUrl}/Hub25/HubService.svc?wsdl`,
      MIS_GUID: guid,
      ADAPTER_ID: adapterId,
      KAFKA_CLIENT_ID: 'bench-resync-adapter',
      KAFKA_NAMESPACE: booking.namespace,
      OTEL_SERVICE_NAME: 'bench-resync-adapter',
      OTEL_SDK_DISABLED: 'true',
      HTTP_PORT: String(notifyPort),
      ADAPTER_ORGANISATIONS: organisations.map((o) => o.oid).join(','),
      // One pass is measured: the next one is an hour away.
      POLL_INTERVAL_MS: '3600000',
      HEARTBEAT_INTERVAL_MS: '5000',
      HORIZON_DAYS: String(options.horizonDays),
      MIS_RATE_PER_SECOND: '100000',
      MIS_RATE_BURST: '100000',
      MIS_TIMEOUT_MS: '30000',
      SYNC_DOCTOR_CONCURRENCY: String(options.doctorConcurrency),
      ORGANISATION_TIME_ZONES: organisations.map((o) => `${o.oid}=${o.timeZone}`).join(','),
    };
    adapter = startProcess({
      name: 'adapter',
      command: 'npx',
      args: ['tsx', '--tsconfig', 'tsconfig.base.json', 'apps/mis-adapters/hubservice/src/main.ts'],
      env: adapterEnv,
      cwd: root,
      logFile: adapterLog,
    });
    await waitForHttp(`http://127.0.0.1:${notifyPort}/health`, adapter, 120_000);
    const startedLine = logLines(adapterLog).find((l) => l.message === 'HubService adapter started');
    const startedAt = startedLine ? Date.parse(startedLine.timestamp) : Date.now();
    progress('  adapter started; its first pass publishes the region');

    let finished: LogLine | undefined;
    let held = 0;
    let heldAt = 0;
    let lastReport = Date.now();
    let progressAt = Date.now();
    let lastHeld = 0;
    for (;;) {
      finished ??= logLines(adapterLog).find((l) => l.message === 'sync finished');
      // The pass counts doctors and slots it published (organisations apart).
      const expected = finished ? (finished.params?.[0]?.published ?? 0) - state.doctors : Infinity;
      held = Number(
        (await db.query<{ n: string }>(`SELECT count(*) AS n FROM inventory_slot WHERE organisation_oid LIKE $1`, [`${oidRoot}.%`])).rows[0]?.n ?? 0,
      );
      if (held >= expected) {
        heldAt = Date.now();
        break;
      }
      if (held > lastHeld) [lastHeld, progressAt] = [held, Date.now()];
      if (Date.now() - progressAt > 180_000) throw new Error(`the inventory held ${held} slots and took none for 3 minutes (is the booking service up? its RSS: ${booking.rssMb()} MB)`);
      if (Date.now() - lastReport > 15_000) {
        progress(`  ${held.toLocaleString('en')} slots in the inventory after ${round((Date.now() - startedAt) / 1000)} s${finished ? ', publishing finished' : ''}`);
        lastReport = Date.now();
      }
      if (!adapter.alive()) throw new Error(`the adapter exited: ${adapter.tail(20)}`);
      await sleep(500);
    }
    const finishedAt = Date.parse(finished?.timestamp ?? '');
    const eventsPublished = (finished?.params?.[0]?.published ?? 0) + organisations.length;
    const publishSeconds = round((finishedAt - startedAt) / 1000);
    const endToEndSeconds = round((heldAt - startedAt) / 1000);
    progress(`  published ${eventsPublished.toLocaleString('en')} events in ${publishSeconds} s; the inventory held all ${held.toLocaleString('en')} slots after ${endToEndSeconds} s`);

    const sample = organisations.slice(0, options.compareOrganisations);
    const results = await compareInventoryWithMis(sample, { simUrl, adminToken, bookingDb: bookingDbOf(databaseUrl, booking.schema) });
    const equal = results.every(equalsMis);
    progress(`  slot by slot, ${sample.length} organisations: ${describeDifferences(results)}`);

    const scale = (REFERENCE.organisations * REFERENCE.doctorsPerOrg * REFERENCE.horizonDays) / (options.organisations * options.doctorsPerOrg * options.horizonDays);
    return {
      region: { organisations: options.organisations, doctors: state.doctors, horizonDays: options.horizonDays, slots: state.slots, freeSlots: state.free },
      simulatorStartSeconds,
      publishSeconds,
      eventsPublished,
      endToEndSeconds,
      publishedPerSecond: Math.round(eventsPublished / publishSeconds),
      appliedPerSecond: Math.round(held / endToEndSeconds),
      reference: { scale: round(scale), publishSeconds: round(publishSeconds * scale), endToEndSeconds: round(endToEndSeconds * scale), extrapolated: scale !== 1 },
      peakRssMb: peak,
      compared: { organisations: sample.length, equal, differences: equal ? '' : describeDifferences(results).slice(0, 2_000) },
    };
  } finally {
    clearInterval(sampler);
    await adapter?.stop();
    await sim?.stop();
    await db.query(`DROP SCHEMA IF EXISTS "${adapterSchema}" CASCADE`).catch(() => undefined);
    await db.end().catch(() => undefined);
  }
}

/** The section with a booking service of its own (an empty inventory: a rebuild), as `npm run bench` runs it. */
export async function measureMisResyncIntoEmptyInventory(env: Record<string, string>, progress: (message: string) => void): Promise<MisResyncResult> {
  const { dropSchema, rssMbOf, startBooking } = await import('./pipeline.bench');
  const { deleteGroups } = await import('./booking.bench');
  const runId = `r${Date.now().toString(36)}`;
  // A port of its own: a fixed one may be taken by another run, whose service would answer instead.
  const booking = await startBooking(env, Number(process.env.BENCH_MIS_RESYNC_BOOKING_PORT ?? (await freePort())), runId);
  try {
    return await measureMisResync(booking, env, misResyncOptionsFromEnv(), progress, rssMbOf);
  } finally {
    await booking.stop();
    await dropSchema(env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus', booking.schema);
    await deleteGroups(env, [`bench-${runId}`, `bench-${runId}-outcomes`].map((group) => `${booking.namespace}.${group}`));
  }
}

/** docs/benchmarks.md's row for this section. */
export function misResyncRow(r: MisResyncResult): string {
  const region = `${r.region.organisations} organisations, ${r.region.doctors.toLocaleString('en')} doctors, ${r.region.horizonDays} days: ${r.region.slots.toLocaleString('en')} slots, ${r.region.freeSlots.toLocaleString('en')} free`;
  const reference = r.reference.extrapolated
    ? `; **extrapolated ×${r.reference.scale} to the reference region: ${r.reference.endToEndSeconds} s** (publishing ${r.reference.publishSeconds} s)`
    : '';
  return (
    `| resync from the MIS into an empty inventory: simulator → adapter's first full pass → Kafka → inventory (${region}) | 2 M slots < 2 min | ` +
    `published ${r.eventsPublished.toLocaleString('en')} events in ${r.publishSeconds} s (${r.publishedPerSecond.toLocaleString('en')}/s), inventory held all after **${r.endToEndSeconds} s** ` +
    `(${r.appliedPerSecond.toLocaleString('en')} slots/s)${reference}; peak RSS adapter ${r.peakRssMb.adapter} MB, simulator ${r.peakRssMb.simulator} MB, booking ${r.peakRssMb.booking} MB; ` +
    `inventory equals the MIS slot by slot (${r.compared.organisations} organisations): ${r.compared.equal ? 'yes' : 'no'} |`
  );
}

/**
 * This section alone: `npx tsx --tsconfig tsconfig.base.json tools/bench/mis-resync.bench.ts`
 * (BENCH_MIS_RESYNC_SCALE=full for the reference region); writes .medbus/bench-mis-resync.json.
 */
async function runAlone(): Promise<void> {
  const { readStackEnv } = await import('@medbus/testing');
  const progress = (message: string) => process.stdout.write(`[bench] ${message}\n`);
  const result = await measureMisResyncIntoEmptyInventory(readStackEnv(), progress);
  writeFileSync(join(root, '.medbus', 'bench-mis-resync.json'), JSON.stringify(result, null, 2) + '\n');
  progress(`wrote .medbus/bench-mis-resync.json: ${JSON.stringify(result)}`);
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
