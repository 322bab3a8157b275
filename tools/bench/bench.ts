import { cpus, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventPublisher, namespaced } from '@medbus/kafka';
import { readStackEnv, stackKafkaSecurity } from '@medbus/testing';
import { kafkaProducerLimit, postgresUpsertLimit, type KafkaRawLimit, type PostgresRawLimit } from './raw-limits';
import { dropSchema, rssMbOf, startBooking } from './pipeline.bench';
import { measureSearch, measureSearchAlone, searchNotes, searchOptionsFromEnv, searchRow, type ClosedLoopSearchResult, type SearchResult } from './search.bench';
import { measureResync, type ResyncResult } from './resync.bench';
import { freshnessOptionsFromEnv, measureFreshness, type FreshnessFigures, type FreshnessResult } from './freshness.bench';
import { deleteGroups, measureBooking, type BookingBenchResult } from './booking.bench';
import { measureMisResyncIntoEmptyInventory, misResyncRow, type MisResyncResult } from './mis-resync.bench';
import { federalExportOptionsFromEnv, federalNotes, federalRawRow, federalRows, measureFederalExport, type FederalExportResult } from './federal-export.bench';
import { contactCentreNotes, contactCentreOptionsFromEnv, contactCentreRawRows, contactCentreRows, measureContactCentre, type ContactCentreResult } from './contact-centre.bench';
import { consoleNotes, consoleOptionsFromEnv, consoleRawRow, consoleRows, measureConsole, type ConsoleResult } from './console.bench';
import { fullDumpOptionsOf, fullDumpRow, measureFullDump, type FullDumpResult } from './xmldump.bench';

/**
 * `npm run bench`: medbus's figures beside this machine's raw limits, measured in one run.
 * Writes docs/benchmarks.json (machine-readable, one entry per run) and docs/benchmarks.md.
 * `BENCH_ONLY=booking npm run bench` measures only the booking flow and keeps the other
 * sections' last figures (each section says when it was measured); `BENCH_ONLY=export` likewise
 * measures only the federal export, `BENCH_ONLY=contact-centre` only the contact centre,
 * `BENCH_ONLY=console` only the operator console in Chromium, `BENCH_ONLY=xmldump` only the XMLDump
 * adapter's full dump of the reference region. `BENCH_ONLY=docs` measures nothing: it
 * writes docs/benchmarks.md again from docs/benchmarks.json (after a change to how the figures read).
 */
const root = join(__dirname, '..', '..');

function progress(message: string): void {
  process.stdout.write(`[bench] ${message}\n`);
}

interface BenchRun {
  readonly date: string;
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  readonly raw: { kafka: KafkaRawLimit; postgres: PostgresRawLimit };
  readonly resync: ResyncResult;
  /** Set when the resync section and the PostgreSQL raw limit came from a later BENCH_ONLY=resync run. */
  readonly resyncMeasuredAt?: string;
  /** Closed-loop figures in runs before the open-loop search section. */
  readonly search: SearchResult | ClosedLoopSearchResult;
  readonly freshness: FreshnessResult;
  readonly bookingRssMb: number;
  /** Absent in runs before the booking flow existed. */
  readonly booking?: BookingBenchResult;
  /** Absent in runs before the resync from the MIS was measured. */
  readonly misResync?: MisResyncResult;
  /** Absent in runs before the federal export existed; dated itself (BENCH_ONLY=export measures it alone). */
  readonly federalExport?: FederalExportResult;
  /** Absent in runs before the contact centre existed; dated itself (BENCH_ONLY=contact-centre measures it alone). */
  readonly contactCentre?: ContactCentreResult;
  /** Absent in runs before the operator console existed; dated itself (BENCH_ONLY=console measures it alone). */
  readonly operatorConsole?: ConsoleResult;
  /** Absent in runs before the XMLDump adapter existed; dated itself (BENCH_ONLY=xmldump measures it alone). */
  readonly xmldumpFullDump?: FullDumpResult & { readonly date: string };
}

/** The XMLDump adapter's full dump of the reference region, dated. */
async function measureXmldump(env: Record<string, string>): Promise<FullDumpResult & { readonly date: string }> {
  const result = await measureFullDump(fullDumpOptionsOf([]), env, progress);
  return { ...result, date: new Date().toISOString() };
}

async function main(): Promise<void> {
  const env = readStackEnv();
  const only = process.env.BENCH_ONLY;
  if (only === 'search') {
    const file = join(root, 'docs', 'benchmarks.json');
    if (!existsSync(file)) throw new Error('BENCH_ONLY=search keeps the other sections of docs/benchmarks.json, and there is none: run the whole bench once');
    const previous = JSON.parse(readFileSync(file, 'utf8')) as BenchRun;
    write({ ...previous, search: await measureSearchAlone(env, progress) });
    return;
  }
  if (only === 'docs') {
    const file = join(root, 'docs', 'benchmarks.json');
    if (!existsSync(file)) throw new Error('BENCH_ONLY=docs writes docs/benchmarks.md from docs/benchmarks.json, and there is none: run the whole bench once');
    write(JSON.parse(readFileSync(file, 'utf8')) as BenchRun);
    return;
  }
  if (only !== undefined && only !== 'booking' && only !== 'resync' && only !== 'export' && only !== 'contact-centre' && only !== 'console' && only !== 'xmldump')
    throw new Error(`BENCH_ONLY=${only}: only "booking", "resync", "search", "export", "contact-centre", "console", "xmldump" or "docs" can run alone`);
  if (only === 'xmldump') {
    const file = join(root, 'docs', 'benchmarks.json');
    if (!existsSync(file)) throw new Error('BENCH_ONLY=xmldump keeps the other sections of docs/benchmarks.json, and there is none: run the whole bench once');
    const previous = JSON.parse(readFileSync(file, 'utf8')) as BenchRun;
    write({ ...previous, xmldumpFullDump: await measureXmldump(env) });
    return;
  }
  if (only === 'console') {
    const file = join(root, 'docs', 'benchmarks.json');
    if (!existsSync(file)) throw new Error('BENCH_ONLY=console keeps the other sections of docs/benchmarks.json, and there is none: run the whole bench once');
    const previous = JSON.parse(readFileSync(file, 'utf8')) as BenchRun;
    write({ ...previous, operatorConsole: await measureConsole(env, consoleOptionsFromEnv(), progress) });
    return;
  }
  if (only === 'contact-centre') {
    const file = join(root, 'docs', 'benchmarks.json');
    if (!existsSync(file)) throw new Error('BENCH_ONLY=contact-centre keeps the other sections of docs/benchmarks.json, and there is none: run the whole bench once');
    const previous = JSON.parse(readFileSync(file, 'utf8')) as BenchRun;
    write({ ...previous, contactCentre: await measureContactCentre(env, contactCentreOptionsFromEnv(), progress) });
    return;
  }
  if (only === 'export') {
    const file = join(root, 'docs', 'benchmarks.json');
    if (!existsSync(file)) throw new Error('BENCH_ONLY=export keeps the other sections of docs/benchmarks.json, and there is none: run the whole bench once');
    const previous = JSON.parse(readFileSync(file, 'utf8')) as BenchRun;
    write({ ...previous, federalExport: await measureFederalExport(env, federalExportOptionsFromEnv(), progress) });
    return;
  }
  if (only === 'booking') {
    const file = join(root, 'docs', 'benchmarks.json');
    if (!existsSync(file)) throw new Error('BENCH_ONLY=booking keeps the other sections of docs/benchmarks.json, and there is none: run the whole bench once');
    const previous = JSON.parse(readFileSync(file, 'utf8')) as BenchRun;
    const booking = await measureBooking(env, progress);
    write({ ...previous, booking });
    return;
  }

  const brokers = env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus';
  const size = Number(process.env.BENCH_RECORDS ?? 200_000);

  progress(`raw limit: Kafka ProducerPerformance, ${size} records of 300 bytes, acks=all`);
  const kafka = await kafkaProducerLimit(brokers, size, 300);
  progress(`  ${kafka.recordsPerSecond} records/s, p99 ${kafka.p99LatencyMs} ms`);

  const runId = Date.now().toString(36);
  const batchSize = 2_000;
  progress('starting a booking service of the bench (own consumer group and schema)');
  const booking = await startBooking(env, Number(process.env.BENCH_BOOKING_PORT ?? 3091), runId);
  const shape = { organisations: 300, practitionersPerOrganisation: 20, slots: Number(process.env.BENCH_RESYNC_SLOTS ?? 2_000_000) };
  // As many rows as the resync writes: a table twice the size of shared_buffers costs every upsert more than a small one.
  progress(`raw limit: PostgreSQL batched upsert into a copy of inventory_slot with its indexes, ${shape.slots} rows in batches of ${batchSize}`);
  const postgres = await postgresUpsertLimit(databaseUrl, booking.schema, shape.slots, batchSize);
  progress(`  empty ${postgres.emptyRowsPerSecond} rows/s, populated ${postgres.populatedRowsPerSecond} rows/s (${postgres.indexes} indexes)`);
  const publisher = new EventPublisher({ brokers: brokers.split(','), clientId: 'bench', schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7', namespace: booking.namespace, ...stackKafkaSecurity(env) }, { origin: booking.adapterId });
  let resync: ResyncResult;
  let search: SearchResult;
  let freshness: FreshnessResult;
  let bookingRssMb: number;
  try {
    resync = await measureResync(booking, publisher, { brokers: brokers.split(','), databaseUrl, runId, shape, batchSize }, progress);
    if (only === 'resync') {
      // Keeps the other sections of the last whole run, as BENCH_ONLY=booking does.
      const file = join(root, 'docs', 'benchmarks.json');
      if (existsSync(file)) {
        const previous = JSON.parse(readFileSync(file, 'utf8')) as BenchRun;
        write({ ...previous, raw: { ...previous.raw, postgres }, resync, resyncMeasuredAt: new Date().toISOString() });
      } else progress(JSON.stringify({ postgres, resync }, null, 2));
      return;
    }
    search = await measureSearch(booking, publisher, databaseUrl, searchOptionsFromEnv(), progress);
    freshness = await measureFreshness(booking, env, freshnessOptionsFromEnv(), publisher, progress, rssMbOf);
    bookingRssMb = booking.rssMb();
  } finally {
    await booking.stop();
    await publisher.close();
    await dropSchema(databaseUrl, booking.schema);
    await deleteGroups(env, [`bench-${runId}`, `bench-${runId}-outcomes`].map((group) => namespaced(group, booking.namespace)));
  }
  progress('resync from the MIS: simulator → adapter → Kafka → an empty inventory of its own');
  const misResync = await measureMisResyncIntoEmptyInventory(env, progress);
  // A failed booking section must not cost the figures above: they are written, then the run fails.
  let bookingFlow: BookingBenchResult | undefined;
  let sectionError: unknown;
  try {
    bookingFlow = await measureBooking(env, progress);
  } catch (error) {
    sectionError = error;
  }
  let federalExport: FederalExportResult | undefined;
  try {
    federalExport = await measureFederalExport(env, federalExportOptionsFromEnv(), progress);
  } catch (error) {
    sectionError ??= error;
  }
  let contactCentre: ContactCentreResult | undefined;
  try {
    contactCentre = await measureContactCentre(env, contactCentreOptionsFromEnv(), progress);
  } catch (error) {
    sectionError ??= error;
  }
  let operatorConsole: ConsoleResult | undefined;
  try {
    operatorConsole = await measureConsole(env, consoleOptionsFromEnv(), progress);
  } catch (error) {
    sectionError ??= error;
  }
  let xmldumpFullDump: (FullDumpResult & { readonly date: string }) | undefined;
  try {
    xmldumpFullDump = await measureXmldump(env);
  } catch (error) {
    sectionError ??= error;
  }

  const run: BenchRun = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    raw: { kafka, postgres },
    resync,
    search,
    freshness,
    bookingRssMb: Math.max(bookingRssMb, resync.peakRssMb),
    booking: bookingFlow,
    misResync,
    federalExport,
    contactCentre,
    operatorConsole,
    xmldumpFullDump,
  };
  write(run);
  if (sectionError !== undefined) throw sectionError;
}

function write(run: BenchRun): void {
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs', 'benchmarks.json'), JSON.stringify(run, null, 2) + '\n');
  writeFileSync(join(root, 'docs', 'benchmarks.md'), render(run));
  progress('wrote docs/benchmarks.md and docs/benchmarks.json');
}

function render(run: BenchRun): string {
  const { kafka, postgres } = run.raw;
  const refSlots = 2_000_000;
  const b = run.booking;
  const f = run.federalExport;
  const cc = run.contactCentre;
  const oc = run.operatorConsole;
  const xd = run.xmldumpFullDump;
  // A whole run is dated at its end; a booking section measured after it came from BENCH_ONLY=booking.
  const separate = b !== undefined && Date.parse(b.date) > Date.parse(run.date);
  return `# Benchmarks

Written by \`npm run bench\` on ${run.date.slice(0, 10)} (${run.date}); machine: ${run.machine.cpus} × ${run.machine.cpuModel},
${run.machine.memoryGiB} GiB, Node ${run.machine.node}. Targets from the product brief.${
    separate ? `\nThe booking-flow figures come from a later run of that section alone (\`BENCH_ONLY=booking\`, ${b.date}); the rest from the run above.` : ''
  }${
    run.resyncMeasuredAt ? `\nThe resync rows and the PostgreSQL raw limit come from a later run of that section alone (\`BENCH_ONLY=resync\`, ${run.resyncMeasuredAt}).` : ''
  }${f && Date.parse(f.date) > Date.parse(run.date) ? `\nThe federal export's figures come from a later run of that section alone (\`BENCH_ONLY=export\`, ${f.date}).` : ''}${
    cc && Date.parse(cc.date) > Date.parse(run.date) ? `\nThe contact centre's figures come from a later run of that section alone (\`BENCH_ONLY=contact-centre\`, ${cc.date}).` : ''
  }${oc && Date.parse(oc.date) > Date.parse(run.date) ? `\nThe operator console's figures come from a later run of that section alone (\`BENCH_ONLY=console\`, ${oc.date}).` : ''}${
    xd && Date.parse(xd.date) > Date.parse(run.date) ? `\nThe XMLDump full dump's figures come from a later run of that section alone (\`BENCH_ONLY=xmldump\`, ${xd.date}).` : ''
  }

## This machine's raw limits (same run)

| what | figure | what it bounds |
|---|---|---|
| Kafka ProducerPerformance, ${kafka.records} × ${kafka.recordBytes} B, acks=all, idempotent | ${kafka.recordsPerSecond.toLocaleString('en')} records/s (${kafka.mbPerSecond} MB/s), avg ${kafka.avgLatencyMs} ms, p99 ${kafka.p99LatencyMs} ms | 2 M slot events in ${(refSlots / kafka.recordsPerSecond).toFixed(1)} s at best |
| PostgreSQL batched version-wins upsert (unnest, batches of ${postgres.batchSize}) into a copy of \`inventory_slot\` with its ${postgres.indexes} indexes | empty table ${postgres.emptyRowsPerSecond.toLocaleString('en')} rows/s; populated, every row a newer version ${postgres.populatedRowsPerSecond.toLocaleString('en')} rows/s | 2 M slot rows in ${(refSlots / postgres.emptyRowsPerSecond).toFixed(1)} s (rebuild) / ${(refSlots / postgres.populatedRowsPerSecond).toFixed(1)} s (resync) at best |${b ? `
| HubService SetAppointment straight at the simulated MIS${separate ? ` (${b.date})` : ''} | one caller: ${b.setAppointment.sequential.callsPerSecond} calls/s, p50 ${b.setAppointment.sequential.latencyMs.p50} ms; ${b.setAppointment.concurrent.concurrency} callers: ${b.setAppointment.concurrent.callsPerSecond} calls/s, p99 ${b.setAppointment.concurrent.latencyMs.p99} ms | bookings at this MIS: one caller bounds an adapter carrying out one command at a time, ${b.setAppointment.concurrent.concurrency} callers one that works in parallel |` : ''}${f ? `\n${federalRawRow(f)}` : ''}${cc ? `\n${contactCentreRawRows(cc)}` : ''}${oc ? `\n${consoleRawRow(oc)}` : ''}

## medbus against the targets

| what | target | medbus |
|---|---|---|
${resyncRows(run)}
${run.misResync ? `${misResyncRow(run.misResync)}\n` : ''}${freshnessRows(run.freshness)}
${searchRow(run.search)}${b ? bookingRows(b) : ''}${f ? `\n${federalRows(f)}` : ''}${cc ? `\n${contactCentreRows(cc)}` : ''}${oc ? `\n${consoleRows(oc)}` : ''}${xd ? `\n${fullDumpRow(xd)}` : ''}
| memory per service | < 256 MB RSS | booking: ${run.bookingRssMb} MB peak; HubService adapter: ${run.freshness.adapterRssMb} MB (freshness region)${b ? `; under booking load: booking ${b.throughput.peakRssMb.booking} MB, adapter ${b.throughput.peakRssMb.adapter} MB` : ''}${f ? `; registry exporter: ${f.peakRssMb.exporter} MB (federal export)` : ''}${cc ? `; contact centre: ${cc.ingestion.peakRssMb.contactCentre} MB (a busy day's ingestion)` : ''}${oc ? `; contact centre serving the console: ${oc.rssMb.contactCentrePeak} MB` : ''} |

The resync rows use pre-built events (${run.resync.shape.organisations} organisations, ${(run.resync.shape.organisations * run.resync.shape.practitionersPerOrganisation).toLocaleString('en')} practitioners, ${run.resync.shape.slots.toLocaleString('en')} slots over 14 days)
published by the bench as fast as its producer goes, applied by the booking service's batched projection (batches of up to ${run.resync.batchSize},
${run.resync.shape.slots === 2_000_000 ? 'the reference region itself' : 'extrapolated linearly to 2 M'}); the clock stops when its consumer group has committed the topic's end offsets
(offsets are committed after each batch's transaction), then the rows are counted. \`VACUUM (ANALYZE)\` runs between the two, untimed.
${resyncWhereTimeGoes(run.resync)}
${searchNotes(run.search)}${b ? bookingNotes(run, b) : ''}${f ? federalNotes(f, run.machine.cpus) : ''}${cc ? contactCentreNotes(cc, run.machine.cpus) : ''}${oc ? consoleNotes(oc, run.machine.cpus) : ''}`;
}

function freshnessRows(f: FreshnessResult): string {
  // Runs before the reworked freshness section have neither paths nor stages.
  if (f.steady === undefined) return `| freshness: MIS change → visible in search (${f.changes} walk-ins) | p99 < 1 s | p50 ${f.latencyMs.p50} ms, **p99 ${f.latencyMs.p99} ms** (old method) |`;
  const row = (what: string, target: string, x: FreshnessFigures) =>
    `| ${what} | ${target} | p50 ${x.latencyMs.p50} ms, **p99 ${x.latencyMs.p99} ms**, max ${x.latencyMs.max} ms; ${x.missed} still offered after the timeout; stages p50/p99 ms: MIS→adapter ${x.stagesMs.toAdapter.p50}/${x.stagesMs.toAdapter.p99}, adapter→Kafka ${x.stagesMs.toKafka.p50}/${x.stagesMs.toKafka.p99}, Kafka→inventory ${x.stagesMs.toInventory.p50}/${x.stagesMs.toInventory.p99} |`;
  const region = `${f.region.organisations} clinics of the bench's own OIDs × ${f.region.doctorsPerOrg} doctors, ${f.changesPerSecond} walk-ins/s measured + ${f.backgroundWalkInsPerSecond}/s background, after the first sync drained (${f.initialSyncSeconds} s)`;
  return [
    row(`freshness, MIS notifies: front-desk walk-in → no longer offered free (${f.steady.notify.changes} changes; ${region})`, 'p99 < 1 s', f.steady.notify),
    row(`freshness, polled MIS (POLL_INTERVAL_MS ${f.pollIntervalMs}, ${f.steady.poll.changes} changes)`, 'within a poll interval', f.steady.poll),
    f.duringResync ? row(`freshness, MIS notifies, while ${f.duringResync.resyncEvents.toLocaleString('en')} slot events of other organisations are applied (${f.duringResync.changes} changes)`, '–', f.duringResync) : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Where a resync's time went: CPU seconds per process in each phase, against what two cores offer. */
function resyncWhereTimeGoes(r: ResyncResult): string {
  const phase = (name: string, p: ResyncResult['rebuild']) =>
    p.cpuSeconds === undefined
      ? ''
      : `- ${name}: ${p.seconds} s, ${p.batches} transactions of ${p.eventsPerBatch} events on average; CPU seconds: booking ${p.cpuSeconds.booking}, PostgreSQL ${p.cpuSeconds.postgres}, Kafka ${p.cpuSeconds.kafka}, the bench's producer and everything else ${Math.round((p.cpuSeconds.machine - p.cpuSeconds.booking - p.cpuSeconds.postgres - p.cpuSeconds.kafka) * 100) / 100}; the machine ${p.cpuSeconds.machine} of the ${Math.round(2 * p.seconds * 100) / 100} two cores offer (${Math.round((1e6 * (p.cpuSeconds.booking + p.cpuSeconds.postgres)) / p.events)} µs of booking and PostgreSQL CPU per event).\n`;
  return `\nWhere the resync's time goes (the machine is the limit when its cores are busy; profiles of the missed targets in docs/profiles/):\n${phase('rebuild', r.rebuild)}${phase('resync', r.resync)}`;
}

function resyncRows(run: BenchRun): string {
  const { rebuild, resync } = run.resync;
  const { emptyRowsPerSecond, populatedRowsPerSecond } = run.raw.postgres;
  const share = (ours: number, raw: number) => `${Math.round((100 * ours) / raw)} % of the raw upsert`;
  return [
    `| region rebuild into an empty inventory (${rebuild.events.toLocaleString('en')} slot events, Kafka → inventory) | < 2 min for 2 M, ≥ 50 % of the raw limit | ${rebuild.eventsPerSecond.toLocaleString('en')} events/s → **${rebuild.referenceRegionSeconds} s** for 2 M, ${share(rebuild.eventsPerSecond, emptyRowsPerSecond)} (publishing alone took ${rebuild.publishSeconds} s) |`,
    `| full region resync onto the populated inventory (${resync.events.toLocaleString('en')} newer versions) | < 2 min for 2 M, ≥ 50 % of the raw limit | ${resync.eventsPerSecond.toLocaleString('en')} events/s → **${resync.referenceRegionSeconds} s** for 2 M, ${share(resync.eventsPerSecond, populatedRowsPerSecond)} (publishing alone took ${resync.publishSeconds} s) |`,
  ].join('\n');
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, n) => a + n, 0);
const listed = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ') || 'none';

function bookingRows(b: BookingBenchResult): string {
  const t = b.throughput;
  const c = b.contention;
  return `
| booking end to end, simulated MIS answering (${t.concurrency} clients, ${t.seconds} s, POST /v1/appointments) | 200 bookings/s sustained, p99 < 300 ms | **${t.bookingsPerSecond} bookings/s** (slowest second ${t.slowestSecond}), p50 ${t.latencyMs.p50} ms, p95 ${t.latencyMs.p95} ms, **p99 ${t.latencyMs.p99} ms**; ${t.confirmed} confirmed, ${t.pending} pending, ${sum(t.refused)} refused, ${t.errors} errors of ${t.requests} |
| double bookings under contention (${c.clients} clients × ${c.hotSlots} hot slots) | zero, and inventory equals the MIS afterwards | ${c.successes} of ${c.hotSlots} booked in ${c.wallSeconds} s; **${c.doubleBookingsInMedbus + c.doubleBookingsAtMis} double bookings**; inventory equals the MIS: **${c.inventoryEqualsMis ? 'yes' : `no, ${c.inventoryMismatches} slots differ`}** |`;
}

function bookingNotes(run: BenchRun, b: BookingBenchResult): string {
  const t = b.throughput;
  const c = b.contention;
  return `
### Booking flow (measured ${b.date})

Every piece a real process: the HubService simulator (${b.region.organisations} clinics × ${b.region.doctorsPerOrg} doctors, no injected
latency, errors or walk-ins), its medbus adapter carrying out the booking commands, and a booking
service of the bench's own, over the local Kafka and Postgres; ${(b.region.freeSlots - b.region.missingFromInventory).toLocaleString('en')} of the MIS's ${b.region.freeSlots.toLocaleString('en')} free slots were
offered in the inventory ${b.region.syncSeconds} s after the start${b.region.missingFromInventory > 0 ? ` (**${b.region.missingFromInventory} never were**: left out of the bench)` : ''}. ${b.identify.patients} patients were first registered at their clinics through
\`POST /v1/patients/identify\` (\`register: true\`; p50 ${b.identify.latencyMs.p50} ms, p99 ${b.identify.latencyMs.p99} ms).

- **Throughput**: ${t.concurrency} clients book distinct free slots (each with a patient who has nothing
  with that doctor that day, and a fresh \`Idempotency-Key\`) for ${t.seconds} s after 3 s of warm-up; a booking counts
  when the call answered 201 CONFIRMED. Refusals: ${listed(t.refused)}. ${t.pending > 0 ? `The ${t.pending} calls answered 202 ended as: ${listed(t.pendingSettled)}.` : 'No call answered 202.'}
  Confirmed bookings the MIS does not show for that patient: ${t.misMismatches}. During the window the booking service kept
  ${t.cpuCores.booking} cores busy, the adapter ${t.cpuCores.adapter}, the simulator ${t.cpuCores.simulator}, the bench's own clients ${t.cpuCores.benchClients ?? '?'};
  the whole machine ${t.cpuCores.machine ?? '?'} of ${run.machine.cpus} (Kafka and PostgreSQL included; 1-min load average at the end: ${t.cpuCores.loadAverage}).
  One client alone, one booking after another: p50 ${b.singleClient.latencyMs.p50} ms, p99 ${b.singleClient.latencyMs.p99} ms (${b.singleClient.confirmed} of ${b.singleClient.bookings} confirmed).
  Where a confirmed booking's time went (p50 / p95 ms): booking's outbox relay ${t.stagesMs.bookingRelay.p50} / ${t.stagesMs.bookingRelay.p95},
  Kafka and the adapter's queue ${t.stagesMs.toAdapter.p50} / ${t.stagesMs.toAdapter.p95}, at the MIS with the adapter's bookkeeping ${t.stagesMs.atMis.p50} / ${t.stagesMs.atMis.p95},
  adapter's outbox relay ${t.stagesMs.adapterRelay.p50} / ${t.stagesMs.adapterRelay.p95}, Kafka and applying the outcome ${t.stagesMs.toBooking.p50} / ${t.stagesMs.toBooking.p95}.
  The adapter finished a command every ${t.adapterMsPerCommand} ms while it had work queued
  (${t.adapterMsPerCommand > 0 ? Math.round(1000 / t.adapterMsPerCommand) : '–'} commands/s).
- **Contention storm**: ${c.clients} clients, each a distinct patient of one clinic, race for its ${c.hotSlots} hot
  slots; each client tries the slots in its own random order, one attempt at a time, until it holds a
  confirmed appointment (a 202 is followed to its end) or none is left. ${c.attempts} attempts in ${c.wallSeconds} s;
  refusals: ${listed(c.refused)}; ${c.errors} errors, ${c.unresolved} still pending after 60 s.
  Double bookings: ${c.doubleBookingsInMedbus} slots with two active appointments in medbus, ${c.doubleBookingsAtMis} slots the MIS
  gives to another patient than medbus confirmed; ${c.confirmedButFreeAtMis} confirmed but free at the MIS, ${c.bookedAtMisWithoutAppointment} booked at the MIS
  without a confirmed appointment, ${c.patientsWithTwoAtMis} patients holding two hot slots at the MIS. Inventory (status, no hold
  left) against the MIS slot by slot: ${c.inventoryMismatches} differ after ${c.settleSeconds} s.
`;
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
