import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { AllEvents, type SlotChanged } from '@medbus/contracts';
import { EventPublisher, type OutgoingEvent } from '@medbus/kafka';
import { stackKafkaSecurity } from '@medbus/testing';
import { deleteGroups } from './booking.bench';
import { dropSchema, startBooking, type BookingUnderTest } from './pipeline.bench';

/**
 * The operator's common searches over a full region, over HTTP, at a steady open-loop rate: each
 * request is sent at its scheduled instant whatever the answers before it did, and its latency is
 * counted from that instant, so a slow answer delays nothing and cannot hide a queue (a closed loop
 * of N clients measures the service at the rate it chooses to go, not at the rate asked of it).
 */

export interface RegionShape {
  readonly organisations: number;
  readonly districts: number;
  readonly practitionersPerOrganisation: number;
  readonly specialties: number;
  readonly days: number;
  readonly slotsPerDay: number;
  /** Share of slots booked, 0..1. */
  readonly bookedShare: number;
}

/** The product brief's reference region: 300 organisations, 6,000 practitioners, 14 days, about 2 M slots. */
export const referenceRegion: RegionShape = { organisations: 300, districts: 40, practitionersPerOrganisation: 20, specialties: 25, days: 14, slotsPerDay: 24, bookedShare: 0.4 };

const slotsOf = (shape: RegionShape) => shape.organisations * shape.practitionersPerOrganisation * shape.days * shape.slotsPerDay;

/**
 * Fills the inventory's own tables (with their production indexes) with a consistent region:
 * organisations in districts, their practitioners with specialties, and the practitioners' days,
 * slot copies of district and specialty taken from their rows as the projection does. Skipped when
 * the schema already holds about that many offered slots (a resync measured before left them there).
 * VACUUM (ANALYZE) after: autovacuum is off on the bench machines, and without it the planner
 * guesses and index-only scans read the heap.
 */
export async function fillRegion(databaseUrl: string, schema: string, shape: RegionShape, progress: (m: string) => void): Promise<{ slots: number; filled: boolean }> {
  const db = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await db.connect();
  try {
    const [{ n: before }] = (await db.query(`SELECT count(*)::int AS n FROM inventory_slot WHERE offered`)).rows as { n: number }[];
    if (before >= slotsOf(shape) * 0.9) {
      // A resync leaves dead row versions and pages the visibility map no longer calls all-visible.
      await vacuumInventory(db);
      progress(`  ${before.toLocaleString('en')} offered slots already there, vacuumed and analysed`);
      return { slots: before, filled: false };
    }
    const started = Date.now();
    await db.query(
      `INSERT INTO inventory_organisation (organisation_oid, full_name, short_name, district_id, district_name, mis_vendor, time_zone, active, address, removed, source_version, occurred_at)
       SELECT 'search.' || o, 'Search clinic ' || o, 'Search ' || o, 'search-d' || (o % $2::int), 'District ' || (o % $2::int), 'bench', 'Europe/Moscow', true, NULL, false, 1, now()
       FROM generate_series(0, $1::int - 1) AS o
       ON CONFLICT DO NOTHING`,
      [shape.organisations, shape.districts],
    );
    // Specialties are spread unevenly over an organisation's practitioners, as in a real clinic
    // (many therapists, one of a rarer kind), by stepping through the list at a stride.
    await db.query(
      `INSERT INTO inventory_practitioner (resource_id, organisation_oid, local_resource_id, display_name, specialty_nsi_code, specialty_mis_code, specialty_name,
         position_nsi_code, position_name, room, active, removed, source_version, occurred_at)
       SELECT 'search.' || o || ':D' || r, 'search.' || o, 'D' || r, 'Doctor ' || o || '-' || r,
              'sp' || ((o * 7 + r * r) % $3::int), 'S' || ((o * 7 + r * r) % $3::int), 'Specialty ' || ((o * 7 + r * r) % $3::int),
              'pos' || (r % 5), 'Position ' || (r % 5), (100 + r)::text, true, false, 1, now()
       FROM generate_series(0, $1::int - 1) AS o CROSS JOIN generate_series(0, $2::int - 1) AS r
       ON CONFLICT DO NOTHING`,
      [shape.organisations, shape.practitionersPerOrganisation, shape.specialties],
    );
    await db.query(
      `INSERT INTO inventory_organisation_heartbeat (organisation_oid, adapter_id, mis_vendor, mis_reachable, last_successful_sync_at, heartbeat_interval_ms, heartbeat_at)
       SELECT organisation_oid, 'search-adapter', 'bench', true, now(), 3600000, now() FROM inventory_organisation WHERE organisation_oid LIKE 'search.%'
       ON CONFLICT DO NOTHING`,
    );
    // A day at a time, so a long fill says how far it is. Half the practitioners work mornings from
    // 08:00 Moscow time, half afternoons; the days start tomorrow, so every slot is in the future.
    for (let day = 1; day <= shape.days; day++) {
      await db.query(
        `INSERT INTO inventory_slot (slot_id, organisation_oid, resource_id, local_slot_id, local_resource_id, starts_at, ends_at, status, booking_channels, room,
           removed, source_version, occurred_at, district_id, specialty_nsi_code, position_nsi_code, offered)
         SELECT p.resource_id || ':' || $1::int || '.' || k, p.organisation_oid, p.resource_id, $1::int || '.' || k, p.local_resource_id, t.starts_at, t.starts_at + interval '15 minutes',
                CASE WHEN abs(hashtext(p.resource_id || k || $1::int) % 1000) < $3::float * 1000 THEN 'BOOKED' ELSE 'FREE' END,
                ARRAY['CONTACT_CENTRE', 'PORTAL'], NULL, false, 1, now(), o.district_id, p.specialty_nsi_code, p.position_nsi_code, true
         FROM inventory_practitioner p
         JOIN inventory_organisation o ON o.organisation_oid = p.organisation_oid
         CROSS JOIN generate_series(0, $2::int - 1) AS k
         CROSS JOIN LATERAL (
           SELECT date_trunc('day', now() AT TIME ZONE 'Europe/Moscow') AT TIME ZONE 'Europe/Moscow' + $1::int * interval '1 day' + interval '8 hours'
                  + CASE WHEN hashtext(p.resource_id) % 2 = 0 THEN interval '0 hours' ELSE interval '6 hours' END + k * interval '15 minutes' AS starts_at
         ) t
         WHERE p.resource_id LIKE 'search.%'
         ON CONFLICT DO NOTHING`,
        [day, shape.slotsPerDay, shape.bookedShare],
      );
      progress(`  day ${day} of ${shape.days} filled (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    await vacuumInventory(db);
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM inventory_slot WHERE offered`)).rows as { n: number }[];
    progress(`  ${n.toLocaleString('en')} offered slots after ${Math.round((Date.now() - started) / 1000)} s, vacuumed and analysed`);
    return { slots: n, filled: true };
  } finally {
    await db.end();
  }
}

async function vacuumInventory(db: Client): Promise<void> {
  for (const table of ['inventory_organisation', 'inventory_practitioner', 'inventory_organisation_heartbeat', 'inventory_slot']) await db.query(`VACUUM (ANALYZE) ${table}`);
}

async function organisationsIn(databaseUrl: string, schema: string): Promise<string[]> {
  const db = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await db.connect();
  try {
    return ((await db.query(`SELECT organisation_oid FROM inventory_organisation`)).rows as { organisation_oid: string }[]).map((row) => row.organisation_oid);
  } finally {
    await db.end();
  }
}

/** What the searches ask for, read from the inventory so that they hit whatever filled it. */
export interface SearchTargets {
  readonly districtSpecialties: readonly (readonly [string, string])[];
  readonly districts: readonly string[];
  readonly organisations: readonly string[];
  readonly practitioners: readonly string[];
  readonly slots: number;
  readonly freeSlots: number;
}

export async function searchTargets(databaseUrl: string, schema: string): Promise<SearchTargets> {
  const db = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await db.connect();
  try {
    const pairs = await db.query(
      `SELECT DISTINCT o.district_id, p.specialty_nsi_code FROM inventory_practitioner p JOIN inventory_organisation o USING (organisation_oid)
       WHERE p.active AND NOT p.removed AND o.active AND NOT o.removed AND o.district_id IS NOT NULL AND p.specialty_nsi_code IS NOT NULL ORDER BY 1, 2`,
    );
    const organisations = await db.query(`SELECT organisation_oid, district_id FROM inventory_organisation WHERE active AND NOT removed ORDER BY 1`);
    const practitioners = await db.query(`SELECT resource_id FROM inventory_practitioner WHERE active AND NOT removed ORDER BY hashtext(resource_id) LIMIT 3000`);
    const counts = await db.query(`SELECT count(*)::int AS slots, count(*) FILTER (WHERE status = 'FREE')::int AS free FROM inventory_slot WHERE offered`);
    return {
      districtSpecialties: pairs.rows.map((r: { district_id: string; specialty_nsi_code: string }) => [r.district_id, r.specialty_nsi_code] as const),
      districts: [...new Set(organisations.rows.map((r: { district_id: string | null }) => r.district_id).filter((d): d is string => d !== null))],
      organisations: organisations.rows.map((r: { organisation_oid: string }) => r.organisation_oid),
      practitioners: practitioners.rows.map((r: { resource_id: string }) => r.resource_id),
      slots: counts.rows[0].slots as number,
      freeSlots: counts.rows[0].free as number,
    };
  } finally {
    await db.end();
  }
}

export const searchKinds = [
  'specialty in a district, 14 days',
  "a doctor's next free slots",
  "one organisation's day",
  'catalogue: organisations of the region',
  'catalogue: organisations of a district',
  'catalogue: specialties of a district',
  'catalogue: practitioners of an organisation',
] as const;
export type SearchKind = (typeof searchKinds)[number];

/**
 * Request `i` of the mix: a quarter each for the three slot searches, a quarter for the catalogue
 * (its four lists in turn). Windows are computed from `now` so that every request asks for the future.
 */
export function searchRequest(targets: SearchTargets, i: number, now: number): { kind: SearchKind; path: string } {
  const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];
  const n = Math.floor(i / 4) * 7919;
  const day = (d: number) => new Date(Math.floor(now / 86_400_000) * 86_400_000 + d * 86_400_000).toISOString();
  const q = encodeURIComponent;
  switch (i % 4) {
    case 0: {
      const [district, specialty] = pick(targets.districtSpecialties, n);
      return { kind: searchKinds[0], path: `/v1/slots?district=${q(district)}&specialty=${q(specialty)}&freeOnly=true&to=${q(day(15))}&limit=50` };
    }
    case 1:
      return { kind: searchKinds[1], path: `/v1/slots?practitioner=${q(pick(targets.practitioners, n))}&freeOnly=true&limit=20` };
    case 2: {
      const d = 1 + (n % 14);
      return { kind: searchKinds[2], path: `/v1/slots?organisation=${q(pick(targets.organisations, n))}&freeOnly=true&from=${q(day(d))}&to=${q(day(d + 1))}&limit=200` };
    }
    default: {
      const which = Math.floor(i / 4) % 4;
      if (which === 0) return { kind: searchKinds[3], path: `/v1/organisations` };
      if (which === 1) return { kind: searchKinds[4], path: `/v1/organisations?district=${q(pick(targets.districts, n))}` };
      if (which === 2) return { kind: searchKinds[5], path: `/v1/specialties?district=${q(pick(targets.districts, n))}` };
      return { kind: searchKinds[6], path: `/v1/practitioners?organisation=${q(pick(targets.organisations, n))}` };
    }
  }
}

export interface Latency {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function latencyOf(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: round(sorted.at(-1) ?? NaN) };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Busy and total jiffies of all CPUs so far (/proc/stat), to tell a saturated machine from a slow service. */
function cpuJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, n) => a + n, 0);
  // idle and iowait
  return { busy: total - fields[3] - fields[4], total };
}

export interface SearchStep {
  /** Requests per second asked for. */
  readonly rate: number;
  readonly seconds: number;
  readonly errors: number;
  /** Why requests failed (HTTP status or the client's error), counted; warm-up included. */
  readonly failures: Record<string, number>;
  /** Requests sent more than 5 ms after their scheduled instant (the bench client itself fell behind). */
  readonly lateSends: number;
  readonly overall: Latency;
  readonly byKind: Record<string, Latency>;
  /** Share of the machine's CPU time busy during the step (every process: the service, PostgreSQL, the bench, anything else). */
  readonly machineBusy: number;
  /** 1-minute load average at the end of the step. */
  readonly loadAverage: number;
  /** The booking service's CPU time per request during the step (its consumer's work included). */
  readonly serviceCpuMsPerRequest: number;
}

/**
 * `rate` requests per second for `seconds`, each sent at its scheduled instant; latency from that
 * instant to the last byte of the answer. A warm-up second before is not counted.
 */
export async function measureSearchStep(booking: BookingUnderTest, targets: SearchTargets, rate: number, seconds: number, warmUpSeconds = 1): Promise<SearchStep> {
  const headers = { authorization: `Bearer ${booking.apiKey}` };
  const samples: { kind: SearchKind; ms: number; ok: boolean; late: boolean }[] = [];
  const failures: Record<string, number> = {};
  const failed = (why: string) => {
    failures[why] = (failures[why] ?? 0) + 1;
    return false;
  };
  const total = Math.round(rate * (seconds + warmUpSeconds));
  const warmUp = Math.round(rate * warmUpSeconds);
  const cpuBefore = cpuJiffies();
  const serviceCpuBefore = booking.cpuSeconds();
  const begin = performance.now() + 20;
  const wallBegin = Date.now() + 20;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const late = performance.now() - due > 5;
    const { kind, path } = searchRequest(targets, i, wallBegin + (due - begin));
    inFlight.push(
      fetch(`${booking.url}${path}`, { headers })
        .then(async (response) => {
          await response.arrayBuffer();
          return response.ok || failed(`HTTP ${response.status}`);
        })
        .catch((error: unknown) => failed(`${(error as Error).name}: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`))
        .then((ok) => {
          if (i >= warmUp) samples.push({ kind, ms: performance.now() - due, ok, late });
        }),
    );
  }
  await Promise.all(inFlight);
  const cpuAfter = cpuJiffies();
  const serviceCpu = booking.cpuSeconds() - serviceCpuBefore;
  const byKind: Record<string, Latency> = {};
  for (const kind of searchKinds) {
    const of = samples.filter((s) => s.kind === kind).map((s) => s.ms);
    if (of.length > 0) byKind[kind] = latencyOf(of);
  }
  return {
    rate,
    seconds,
    errors: samples.filter((s) => !s.ok).length,
    failures,
    lateSends: samples.filter((s) => s.late).length,
    overall: latencyOf(samples.map((s) => s.ms)),
    byKind,
    machineBusy: Math.round(((cpuAfter.busy - cpuBefore.busy) / Math.max(1, cpuAfter.total - cpuBefore.total)) * 100) / 100,
    loadAverage: round(loadavg()[0]),
    serviceCpuMsPerRequest: round((serviceCpu * 1000) / total),
  };
}

/**
 * A writer beside the searches, as a resync is: SlotChanged events for slots of the inventory,
 * published to the booking service under test at `eventsPerSecond`, flipping FREE and BOOKED with a
 * newer version each time, so the projection really rewrites rows and their index entries.
 * Returns a function that stops it and says how many events it published.
 */
export async function startSlotWriter(
  publisher: EventPublisher,
  databaseUrl: string,
  schema: string,
  eventsPerSecond: number,
): Promise<() => Promise<{ events: number; seconds: number }>> {
  const db = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await db.connect();
  const { rows } = await db
    .query(
      `SELECT slot_id, local_slot_id, organisation_oid, resource_id, local_resource_id, starts_at, ends_at, status, booking_channels, room, source_version
       FROM inventory_slot WHERE offered ORDER BY hashtext(slot_id) LIMIT 50000`,
    )
    .finally(() => db.end());
  const slots = rows as {
    slot_id: string; local_slot_id: string; organisation_oid: string; resource_id: string; local_resource_id: string; starts_at: Date; ends_at: Date;
    status: 'FREE' | 'BOOKED' | 'HELD' | 'BLOCKED'; booking_channels: string[]; room: string | null; source_version: string;
  }[];
  let running = true;
  let events = 0;
  const started = Date.now();
  const tick = 100;
  const perTick = Math.max(1, Math.round((eventsPerSecond * tick) / 1000));
  const loop = (async () => {
    for (let round = 1; running; round++) {
      const due = started + round * tick;
      const batch: OutgoingEvent[] = [];
      for (let k = 0; k < perTick; k++, events++) {
        const slot = slots[events % slots.length];
        const flips = Math.floor(events / slots.length) + 1;
        const value: SlotChanged = {
          slotId: slot.slot_id, localSlotId: slot.local_slot_id, organisationOid: slot.organisation_oid, resourceId: slot.resource_id, localResourceId: slot.local_resource_id,
          startsAt: slot.starts_at.getTime(), endsAt: slot.ends_at.getTime(),
          status: (slot.status === 'FREE') === (flips % 2 === 1) ? 'BOOKED' : 'FREE',
          bookingChannels: slot.booking_channels as SlotChanged['bookingChannels'], room: slot.room,
          sourceVersion: Number(slot.source_version) + flips, occurredAt: Date.now(),
        };
        batch.push({ event: AllEvents.SlotChanged, key: value.slotId, value });
      }
      await publisher.publishAll(batch);
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { events, seconds: (Date.now() - started) / 1000 };
  };
}

export interface SearchResult {
  readonly slotsInInventory: number;
  readonly freeSlots: number;
  readonly organisations: number;
  readonly districts: number;
  readonly practitioners: number;
  /** The inventory was filled by this section (else a resync measured before had filled it). */
  readonly filledBySearchSection: boolean;
  readonly postgres: Record<string, string>;
  /** Connections in the booking service's pool (TypeORM `extra.max`; node-postgres' default is 10). */
  readonly poolSize: number;
  /** Target p99 in ms and the rate it must hold at. */
  readonly target: { readonly p99Ms: number; readonly rate: number };
  readonly steps: readonly SearchStep[];
  /** Highest stepped rate with p99 under the target and no errors, every lower step too; null when the first missed. */
  readonly highestRateUnderTarget: number | null;
  /** The target rate again while a writer rewrites slots through the booking service's consumer. */
  readonly duringWrites?: SearchStep & { readonly writerEventsPerSecond: number; readonly writerPublished: number };
}

export async function postgresSettings(databaseUrl: string): Promise<Record<string, string>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT name, setting, unit FROM pg_settings
       WHERE name IN ('server_version', 'shared_buffers', 'autovacuum', 'work_mem', 'effective_cache_size', 'max_connections', 'random_page_cost', 'jit', 'synchronous_commit')
       ORDER BY name`,
    );
    return Object.fromEntries(
      (rows as { name: string; setting: string; unit: string | null }[]).map((r) => [r.name, r.unit === '8kB' ? `${(Number(r.setting) * 8) / 1024} MB` : `${r.setting}${r.unit ?? ''}`]),
    );
  } finally {
    await db.end();
  }
}

export interface SearchOptions {
  readonly shape: RegionShape;
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly target: { readonly p99Ms: number; readonly rate: number };
  /** SlotChanged events per second during the last step; 0 skips it. */
  readonly writerEventsPerSecond: number;
}

export function searchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SearchOptions {
  return {
    shape: referenceRegion,
    rates: (env.BENCH_SEARCH_RATES ?? '200,300,400,600,800,1000').split(',').map(Number),
    seconds: Number(env.BENCH_SEARCH_SECONDS ?? 10),
    target: { p99Ms: 25, rate: 200 },
    writerEventsPerSecond: Number(env.BENCH_SEARCH_WRITER_EVENTS ?? 1000),
  };
}

/** The search section: fill (or reuse) the region, step the rate up, then the target rate beside a writer. */
export async function measureSearch(
  booking: BookingUnderTest,
  publisher: EventPublisher,
  databaseUrl: string,
  options: SearchOptions,
  progress: (m: string) => void,
): Promise<SearchResult> {
  progress(`search: a consistent region (${options.shape.organisations} organisations, ${options.shape.organisations * options.shape.practitionersPerOrganisation} practitioners, ${slotsOf(options.shape).toLocaleString('en')} slots)`);
  const fill = await fillRegion(databaseUrl, booking.schema, options.shape, progress);
  const targets = await searchTargets(databaseUrl, booking.schema);
  const steps: SearchStep[] = [];
  let highestRateUnderTarget: number | null = null;
  let missedBefore = false;
  for (const rate of options.rates) {
    const step = await measureSearchStep(booking, targets, rate, options.seconds);
    steps.push(step);
    progress(`  ${rate} req/s: p50 ${step.overall.p50} ms, p99 ${step.overall.p99} ms, max ${step.overall.max} ms, ${step.errors} errors, ${step.lateSends} late sends; machine ${Math.round(step.machineBusy * 100)} % busy, load ${step.loadAverage}, booking ${step.serviceCpuMsPerRequest} ms CPU per request`);
    const passed = step.overall.p99 < options.target.p99Ms && step.errors === 0;
    if (!passed) missedBefore = true;
    else if (!missedBefore) highestRateUnderTarget = rate;
    // A few steps past the target show how latency grows; past a second it only shows a queue.
    if (step.overall.p99 >= 1_000 || step.errors > 0) break;
  }
  let duringWrites: SearchResult['duringWrites'];
  let written = { events: 0, seconds: 1 };
  if (options.writerEventsPerSecond > 0) {
    progress(`  ${options.target.rate} req/s while ${options.writerEventsPerSecond} SlotChanged events/s are published to the booking service`);
    // The writer speaks as the bench's adapter for every organisation of the inventory, however it was filled.
    await booking.register(await organisationsIn(databaseUrl, booking.schema));
    const stopWriter = await startSlotWriter(publisher, databaseUrl, booking.schema, options.writerEventsPerSecond);
    let step: SearchStep;
    try {
      // Let the consumer reach its pace before measuring.
      await sleep(3_000);
      step = await measureSearchStep(booking, targets, options.target.rate, options.seconds);
    } finally {
      written = await stopWriter();
    }
    duringWrites = { ...step, writerEventsPerSecond: Math.round(written.events / written.seconds), writerPublished: written.events };
    progress(`  p50 ${step.overall.p50} ms, p99 ${step.overall.p99} ms, max ${step.overall.max} ms, ${step.errors} errors (writer published ${written.events} events)`);
  }
  return {
    slotsInInventory: targets.slots,
    freeSlots: targets.freeSlots,
    organisations: targets.organisations.length,
    districts: targets.districts.length,
    practitioners: (await countPractitioners(databaseUrl, booking.schema)),
    filledBySearchSection: fill.filled,
    postgres: await postgresSettings(databaseUrl),
    // The booking service's TypeORM options set no extra.max: node-postgres' default pool.
    poolSize: 10,
    target: options.target,
    steps,
    highestRateUnderTarget,
    duringWrites,
  };
}

async function countPractitioners(databaseUrl: string, schema: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await db.connect();
  try {
    return ((await db.query(`SELECT count(*)::int AS n FROM inventory_practitioner WHERE active AND NOT removed`)).rows[0] as { n: number }).n;
  } finally {
    await db.end();
  }
}

/**
 * `BENCH_ONLY=search`: the search section with a booking service of its own. BENCH_SEARCH_KEEP=1
 * keeps its schema (bench_search) for the next run, which then skips the fill.
 */
export async function measureSearchAlone(env: Record<string, string>, progress: (m: string) => void): Promise<SearchResult> {
  const keep = process.env.BENCH_SEARCH_KEEP === '1';
  const runId = keep ? 'search' : `search${Date.now().toString(36)}`;
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus';
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  progress('starting a booking service of the bench (own consumer group and schema)');
  const booking = await startBooking(env, Number(process.env.BENCH_BOOKING_PORT ?? 3092), runId);
  const publisher = new EventPublisher({ brokers, clientId: 'bench-search', schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7', namespace: booking.namespace, ...stackKafkaSecurity(env) }, { origin: booking.adapterId });
  try {
    return await measureSearch(booking, publisher, databaseUrl, searchOptionsFromEnv(), progress);
  } finally {
    await booking.stop();
    await publisher.close();
    if (!keep) await dropSchema(databaseUrl, booking.schema);
    await deleteGroups(env, [`bench-${runId}`, `bench-${runId}-outcomes`]);
  }
}

/** The search figures of runs before this section was open-loop (16 closed-loop clients). */
export interface ClosedLoopSearchResult {
  readonly slotsInInventory: number;
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
}

const isOpenLoop = (search: SearchResult | ClosedLoopSearchResult): search is SearchResult => 'steps' in search;

/** The search row of docs/benchmarks.md's table of targets. */
export function searchRow(search: SearchResult | ClosedLoopSearchResult): string {
  if (!isOpenLoop(search)) {
    return `| unified slot search, ${search.slotsInInventory.toLocaleString('en')} slots, ${search.concurrency} concurrent clients (closed loop) | p99 < 25 ms | p50 ${search.latencyMs.p50} ms, **p99 ${search.latencyMs.p99} ms**, ${search.requestsPerSecond} req/s, ${search.errors} errors of ${search.requests} |`;
  }
  const atTarget = search.steps.find((s) => s.rate === search.target.rate) ?? search.steps.at(-1);
  const writes = search.duringWrites;
  return `| operator searches and catalogue over HTTP, ${search.slotsInInventory.toLocaleString('en')} slots, open loop at ${search.target.rate} req/s${writes ? ', alone and while a writer rewrites slots' : ''} | p99 < ${search.target.p99Ms} ms at ${search.target.rate} req/s | ${
    atTarget ? `at ${atTarget.rate} req/s p50 ${atTarget.overall.p50} ms, **p99 ${atTarget.overall.p99} ms**, max ${atTarget.overall.max} ms, ${atTarget.errors} errors` : 'not measured'
  }${writes ? `; while writing ${writes.writerEventsPerSecond} events/s: p50 ${writes.overall.p50} ms, **p99 ${writes.overall.p99} ms**, max ${writes.overall.max} ms` : ''}; p99 stays under ${search.target.p99Ms} ms up to **${search.highestRateUnderTarget ?? '–'} req/s** |`;
}

/** Per query kind and per rate, after the table. */
export function searchNotes(search: SearchResult | ClosedLoopSearchResult): string {
  if (!isOpenLoop(search)) return '';
  const cell = (l: Latency | undefined) => (l ? `${l.p50} / ${l.p99} / ${l.max}` : '–');
  const columns = [...search.steps, ...(search.duringWrites ? [search.duringWrites] : [])];
  const header = columns.map((s) => (s === search.duringWrites ? `${s.rate} req/s + writer` : `${s.rate} req/s`));
  const rows = [
    ...searchKinds.map((kind) => `| ${kind} | ${columns.map((s) => cell(s.byKind[kind])).join(' | ')} |`),
    `| **all** | ${columns.map((s) => `**${cell(s.overall)}**`).join(' | ')} |`,
    `| errors; sends more than 5 ms late | ${columns.map((s) => `${s.errors}; ${s.lateSends}`).join(' | ')} |`,
    `| machine CPU busy; load average | ${columns.map((s) => `${Math.round(s.machineBusy * 100)} %; ${s.loadAverage}`).join(' | ')} |`,
    `| booking service CPU per request (ms) | ${columns.map((s) => s.serviceCpuMsPerRequest).join(' | ')} |`,
  ];
  const pg = search.postgres;
  return `
### Search (p50 / p99 / max ms, from each request's scheduled send time)

${search.organisations} organisations in ${search.districts} districts, ${search.practitioners.toLocaleString('en')} practitioners, ${search.slotsInInventory.toLocaleString('en')} offered slots
(${search.freeSlots.toLocaleString('en')} free) over 14 days, ${search.filledBySearchSection ? 'filled by this section with SQL into the real tables and indexes' : 'already in the inventory (left by the resync section)'}, then \`VACUUM (ANALYZE)\`.
Requests are sent open loop at a fixed rate for ${search.steps[0]?.seconds ?? '?'} s per step, a quarter each to the three slot searches and a quarter to the
catalogue's four lists in turn; the rate is stepped up until p99 passes a second (or a request fails).${
    search.duringWrites ? ` The last column is ${search.duringWrites.rate} req/s while ${search.duringWrites.writerEventsPerSecond} SlotChanged events/s were published to the booking service (${search.duringWrites.writerPublished} in all).` : ''
  }
PostgreSQL ${pg['server_version'] ?? '?'}: shared_buffers ${pg['shared_buffers'] ?? '?'}, autovacuum ${pg['autovacuum'] ?? '?'}, work_mem ${pg['work_mem'] ?? '?'}, effective_cache_size ${pg['effective_cache_size'] ?? '?'}, jit ${pg['jit'] ?? '?'}; booking's pool ${search.poolSize} connections.

| query | ${header.join(' | ')} |
|---|${columns.map(() => '---').join('|')}|
${rows.join('\n')}
`;
}
