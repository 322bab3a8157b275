import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { AllEvents, Topics, type OrganisationPublished, type ResourcePublished, type SlotChanged, type SlotPublished } from '@medbus/contracts';
import { FerNamespace, ferRegistryPath, ferSoapActionOf, type FerOperation } from '@medbus/federal-registry';
import { EventPublisher, adapterTopicOf, adapterTopicsOf, deleteNamespaceTopics, ensureTopics, isPerAdapterTopic, namespaced, type OutgoingEvent } from '@medbus/kafka';
import { freePort, readStackEnv, stackKafka, stackKafkaSecurity, startProcess, waitForHttp, type ServiceProcess } from '@medbus/testing';
import { compiledServices, nodeCommandOf } from '../build/build-services';
import { clientsCli } from '../e2e/region.process';
import { deleteGroups } from './booking.bench';
import { cpuSecondsOf, dropSchema, rssMbOf, startBooking, type BookingUnderTest } from './pipeline.bench';
import { processCpu } from './resync.bench';
import { postgresSettings } from './search.bench';

/**
 * The federal export (issue 10) of the reference region, every piece a compiled process: the
 * federal registry's simulator and the registry exporter, over the local Kafka and PostgreSQL in a
 * namespace of the bench's own. The region's events (300 organisations, 6,000 practitioners,
 * 2,000,000 slots over 14 days) are on Kafka before the exporter starts; most practitioners have a
 * SNILS and most slots are open to the federal portal, so what is exportable is counted from them.
 *
 * Measured, beside the simulator's own intake (a bare client, same run):
 * - the initial export: from the exporter's start until the simulator holds every exportable slot;
 * - a change's arrival at the federal side: slot changes at a steady rate after the export drained,
 *   from publishing until the simulator received that state (its `receivedAt`);
 * - a federal outage's backlog: the simulator down while a 10-minute outage's changes are published,
 *   then up: until the backlog is 0 and the simulator equals the federal view.
 *
 * The exporter calls booking only to learn which organisations an adapter may speak for and to check
 * its own callers' keys: the bench's booking service runs on a bus of its own, so it applies none of
 * the region's events and takes no CPU from the measurement.
 *
 * Alone, printing the figures: `npx tsx --tsconfig tsconfig.base.json tools/bench/federal-export.bench.ts`
 * (stack up, `npm run build` first). Into docs/benchmarks.*, keeping the other sections:
 * `BENCH_ONLY=export npm run bench`.
 */

const root = join(__dirname, '..', '..');

export interface FederalExportOptions {
  readonly organisations: number;
  readonly practitionersPerOrganisation: number;
  readonly slots: number;
  /** The exporter's FER_MAX_BATCH and FER_CALLS_PER_SECOND: what bounds it once the simulator's limits are raised. */
  readonly maxBatch: number;
  readonly callsPerSecond: number;
  /** The exporter's FER_RETRY_MAX_DELAY_MS (its default): how long an outage's backoff may make it wait once the federal side is back. */
  readonly retryMaxDelayMs: number;
  /** Slots the bare client sends for the simulator's raw intake. */
  readonly rawSlots: number;
  readonly changes: number;
  readonly changesPerSecond: number;
  readonly outageMinutes: number;
  /**
   * How long the federal side stays down at least: the outage's changes are published in seconds, but
   * after a real 10-minute outage the exporter's backoff has grown to FER_RETRY_MAX_DELAY_MS; held long
   * enough (1 + 2 + 4 … s) for it to get there, the wait after the return is the one a real outage gives.
   */
  readonly outageHoldSeconds: number;
  /** Slot changes per second the whole region makes (walk-ins, cancellations): a 10-minute outage accumulates minutes × 60 × this. */
  readonly regionChangesPerSecond: number;
}

export function federalExportOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): FederalExportOptions {
  const n = (name: string, fallback: number) => Number(env[name] ?? fallback);
  return {
    organisations: n('BENCH_EXPORT_ORGANISATIONS', 300),
    practitionersPerOrganisation: n('BENCH_EXPORT_PRACTITIONERS_PER_ORG', 20),
    slots: n('BENCH_EXPORT_SLOTS', 2_000_000),
    maxBatch: n('BENCH_EXPORT_MAX_BATCH', 500),
    callsPerSecond: n('BENCH_EXPORT_CALLS_PER_SECOND', 20),
    retryMaxDelayMs: n('BENCH_EXPORT_RETRY_MAX_DELAY_MS', 60_000),
    rawSlots: n('BENCH_EXPORT_RAW_SLOTS', 300_000),
    changes: n('BENCH_EXPORT_CHANGES', 500),
    changesPerSecond: n('BENCH_EXPORT_CHANGE_RATE', 10),
    outageMinutes: n('BENCH_EXPORT_OUTAGE_MINUTES', 10),
    outageHoldSeconds: n('BENCH_EXPORT_OUTAGE_HOLD_SECONDS', 150),
    regionChangesPerSecond: n('BENCH_EXPORT_REGION_CHANGE_RATE', 20),
  };
}

export interface FederalRawLimit {
  readonly slots: number;
  readonly batchSize: number;
  readonly calls: number;
  readonly slotsPerSecond: number;
  readonly callMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** The simulator's CPU seconds per 1,000 slots it took. */
  readonly simulatorCpuMsPerThousand: number;
}

export interface FederalExportPhaseCpu {
  readonly exporter: number;
  readonly postgres: number;
  readonly simulator: number;
  readonly kafka: number;
  readonly machine: number;
  /** The bench's own process (its polling and publishing), so that what is left is other work on the machine. */
  readonly bench?: number;
}

export interface FederalExportResult {
  readonly date: string;
  readonly region: {
    readonly organisations: number;
    readonly practitioners: number;
    readonly practitionersWithoutSnils: number;
    readonly slots: number;
    readonly closedToFederalPortal: number;
    readonly exportableLocations: number;
    readonly exportableSlots: number;
  };
  readonly settings: { readonly maxBatch: number; readonly callsPerSecond: number; readonly retryMaxDelayMs: number; readonly simulator: string };
  readonly raw: FederalRawLimit;
  readonly initial: {
    readonly publishSeconds: number;
    /** Exporter's start → its consumer group had committed the topics' end offsets (every event in its tables). */
    readonly consumedSeconds: number;
    /** Exporter's start → the simulator held every exportable location and slot. */
    readonly seconds: number;
    readonly slotsPerSecond: number;
    readonly shareOfRaw: number;
    readonly calls: Record<string, number>;
    readonly rejected: number;
    readonly cpuSeconds: FederalExportPhaseCpu;
    /** The ceiling the exporter's own settings give: FER_CALLS_PER_SECOND × FER_MAX_BATCH. */
    readonly configuredSlotsPerSecond: number;
  };
  readonly change: {
    readonly changes: number;
    readonly changesPerSecond: number;
    readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
    readonly missed: number;
  };
  readonly outage: {
    readonly regionChangesPerSecond: number;
    readonly minutes: number;
    readonly changes: number;
    readonly backlogBeforeUp: number | null;
    /** How long the federal side was down, and how much of the exporter's backoff was left when it came back. */
    readonly downSeconds?: number;
    readonly backoffLeftSeconds?: number | null;
    /** The federal side up → its first accepted object (the exporter's backoff). */
    readonly firstAcceptedSeconds: number;
    /** The federal side up → backlog 0 and every change held. */
    readonly drainSeconds: number;
    /** Changes per second from the first accepted object to the last. */
    readonly slotsPerSecond: number;
    readonly shareOfRaw: number;
    readonly cpuSeconds: FederalExportPhaseCpu;
  };
  /** The simulator's state against the federal view, object by object, at the end. */
  readonly equal: { readonly organisations: number; readonly equal: boolean; readonly differences: number; readonly example: string };
  readonly peakRssMb: { readonly exporter: number; readonly simulator: number };
  readonly postgres: Record<string, string>;
}

// Codes of the simulator's NSI sample (1066), one per practitioner in turn.
const specialties = ['76', '31', '43', '47', '48', '49', '80', '2'];
const round = (n: number) => Math.round(n * 100) / 100;

/** A valid SNILS (Pension Fund check number) for practitioner `p`, above 001-001-998 so the check applies. */
export function snilsOf(p: number): string {
  const firstNine = String(100_000_000 + p * 7_919).padStart(9, '0');
  const sum = [...firstNine].reduce((acc, digit, i) => acc + Number(digit) * (9 - i), 0);
  const reduced = sum > 101 ? sum % 101 : sum;
  return `${firstNine}${String(reduced < 100 ? reduced : 0).padStart(2, '0')}`;
}

/**
 * The bench's region: practitioner `p` belongs to organisation `p % organisations`; slot `i` to
 * practitioner `i % practitioners`, 32 a day from 08:00 Moscow over 14 days. One practitioner in 50
 * has no SNILS (held back, a data-quality error); one slot in 10 is closed to the federal portal; one
 * in 5 is booked (exported BUSY).
 */
export class BenchRegion {
  readonly practitioners: number;
  readonly oids: string[];

  constructor(
    readonly shape: Pick<FederalExportOptions, 'organisations' | 'practitionersPerOrganisation' | 'slots'>,
    readonly oidRoot: string,
    private readonly start: number,
  ) {
    this.practitioners = shape.organisations * shape.practitionersPerOrganisation;
    this.oids = Array.from({ length: shape.organisations }, (_, o) => `${oidRoot}.${o}`);
  }

  hasSnils(p: number): boolean {
    return p % 50 !== 7;
  }

  practitionerOf(i: number): number {
    return i % this.practitioners;
  }

  organisationOf(i: number): number {
    return this.practitionerOf(i) % this.shape.organisations;
  }

  resourceIdOf(p: number): string {
    return `${this.oids[p % this.shape.organisations]}:D${Math.floor(p / this.shape.organisations)}`;
  }

  slotIdOf(i: number): string {
    return `${this.oids[this.organisationOf(i)]}:S${i}`;
  }

  openToFederalPortal(i: number): boolean {
    return i % 10 !== 3;
  }

  exportable(i: number): boolean {
    return this.openToFederalPortal(i) && this.hasSnils(this.practitionerOf(i));
  }

  bookedAtFirst(i: number): boolean {
    return i % 5 === 0;
  }

  catalogue(now: number): OutgoingEvent[] {
    const events: OutgoingEvent[] = this.oids.map((oid, o) => {
      const organisation: OrganisationPublished = {
        organisationOid: oid, fullName: `Export clinic ${o}`, shortName: `Export ${o}`, districtId: `export-${o % 40}`, districtName: `District ${o % 40}`,
        misVendor: 'bench', timeZone: 'Europe/Moscow', active: true, address: null, sourceVersion: 1, occurredAt: now,
      };
      return { event: AllEvents.OrganisationPublished, key: oid, value: organisation };
    });
    for (let p = 0; p < this.practitioners; p++) {
      const o = p % this.shape.organisations;
      const code = specialties[p % specialties.length];
      const practitioner: ResourcePublished = {
        resourceId: this.resourceIdOf(p), organisationOid: this.oids[o], localResourceId: `D${Math.floor(p / this.shape.organisations)}`, federalPractitionerId: null,
        practitionerSnils: this.hasSnils(p) ? snilsOf(p) : null, displayName: `Doctor ${p}`,
        specialty: { nsiCode: code, misCode: `S${code}`, misName: `Specialty ${code}` }, position: null, departmentOid: null, departmentName: null,
        room: null, active: true, sourceVersion: 1, occurredAt: now, patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false,
      };
      events.push({ event: AllEvents.ResourcePublished, key: practitioner.resourceId, value: practitioner });
    }
    return events;
  }

  private slotState(i: number, version: number, booked: boolean): SlotPublished {
    const p = this.practitionerOf(i);
    const step = Math.floor(i / this.practitioners);
    const startsAt = this.start + Math.floor(step / 32) * 86_400_000 + (step % 32) * 15 * 60_000;
    return {
      slotId: this.slotIdOf(i), localSlotId: `S${i}`, organisationOid: this.oids[p % this.shape.organisations], resourceId: this.resourceIdOf(p),
      localResourceId: `D${Math.floor(p / this.shape.organisations)}`, startsAt, endsAt: startsAt + 15 * 60_000, status: booked ? 'BOOKED' : 'FREE',
      bookingChannels: this.openToFederalPortal(i) ? ['CONTACT_CENTRE', 'PORTAL', 'FEDERAL_PORTAL'] : ['CONTACT_CENTRE', 'PORTAL'],
      room: null, sourceVersion: version, occurredAt: Date.now(),
    };
  }

  slotPublished(i: number): OutgoingEvent {
    const slot = this.slotState(i, 1, this.bookedAtFirst(i));
    return { event: AllEvents.SlotPublished, key: slot.slotId, value: slot };
  }

  /** The slot's status flipped at the MIS (a walk-in takes a free one, a cancellation frees a booked one). */
  slotFlipped(i: number): OutgoingEvent {
    const slot: SlotChanged = this.slotState(i, 2, !this.bookedAtFirst(i));
    return { event: AllEvents.SlotChanged, key: slot.slotId, value: slot };
  }

  /** `count` exportable slots of organisations [from, to), spread over them (a stride through the slots). */
  pick(count: number, from: number, to: number, taken: ReadonlySet<number> = new Set()): number[] {
    const picked = new Set<number>();
    const stride = 7_919;
    for (let k = 0, i = 0; picked.size < count && k < this.shape.slots; k++, i = (i + stride) % this.shape.slots) {
      const o = this.organisationOf(i);
      if (o >= from && o < to && this.exportable(i) && !taken.has(i)) picked.add(i);
    }
    if (picked.size < count) throw new Error(`the region has only ${picked.size} exportable slots to change in organisations ${from}..${to - 1}`);
    return [...picked];
  }
}

/** The simulator's admin API (bearer token). */
class FederalSimAdmin {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`federal simulator ${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  register(oids: readonly string[]): Promise<unknown> {
    return this.call('PUT', '/admin/frmo', { oids });
  }

  faults(mode: 'up' | 'down'): Promise<unknown> {
    return this.call('POST', '/admin/faults', { mode });
  }

  stats(): Promise<SimStats> {
    return this.call<SimStats>('GET', '/admin/stats');
  }

  state(mo: string): Promise<SimState> {
    return this.call<SimState>('GET', `/admin/state?mo=${encodeURIComponent(mo)}`);
  }
}

type Outcomes = { accepted: number; unchanged: number; rejected: number };

interface SimStats {
  readonly calls: Record<string, number>;
  readonly operations: Record<string, Outcomes>;
  /** What it holds now, over every organisation. */
  readonly totals: { readonly locations: number; readonly slots: number };
}

interface SimSlot {
  readonly Slot_Id: string;
  readonly Location_Id: string;
  readonly Status: string;
  readonly Version: number;
}

interface SimState {
  readonly locations: ReadonlyArray<{ readonly Location_Id: string }>;
  readonly slots: readonly SimSlot[];
  /** When the simulator took each slot's held version, epoch ms by Slot_Id. */
  readonly receivedAt?: Readonly<Record<string, number>>;
}

const accepted = (stats: SimStats, operation: string) => stats.operations[operation]?.accepted ?? 0;
const rejectedOf = (stats: SimStats) => Object.values(stats.operations).reduce((n, o) => n + o.rejected, 0);

interface SimulatorUnderTest {
  readonly process: ServiceProcess;
  readonly admin: FederalSimAdmin;
  /** Its command-line options, for the report. */
  readonly args: readonly string[];
}

function startSimulator(port: number, login: string, password: string, maxBatch: number, logName: string): SimulatorUnderTest {
  const token = randomBytes(12).toString('hex');
  // Limits raised far above what the exporter sends: its own FER_CALLS_PER_SECOND and FER_MAX_BATCH bound it.
  const args = ['--rate-per-second', '100000', '--daily-quota', '1000000000', '--max-batch', String(maxBatch), '--log-requests', 'false'];
  const process_ = startProcess({
    name: logName,
    ...nodeCommandOf(compiledServices.federalSimulator, ['--host', '127.0.0.1', '--port', String(port), ...args]),
    env: { ...process.env, FERSIM_ADMIN_TOKEN: token, FERSIM_LOGINS: `${login}:${password}` },
    cwd: root,
    logFile: join(root, '.medbus', 'logs', `bench-${logName}.log`),
  });
  return { process: process_, admin: new FederalSimAdmin(`http://127.0.0.1:${port}`, token), args };
}

/** The push API spoken by hand: the smallest client, so its own cost is not what is measured. */
class BareFerClient {
  private session = '';

  constructor(private readonly endpoint: string) {}

  private async call(operation: FerOperation, inner: string): Promise<string> {
    const body = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:fer="${FerNamespace}"><soap:Body><fer:${operation}>${inner}</fer:${operation}></soap:Body></soap:Envelope>`;
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${ferSoapActionOf(operation)}"` },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${operation} answered ${response.status}: ${text.slice(0, 500)}`);
    return text;
  }

  async open(login: string, password: string): Promise<void> {
    const answer = await this.call('OpenSession', `<fer:Login>${login}</fer:Login><fer:Password>${password}</fer:Password>`);
    this.session = /<(?:\w+:)?Session_ID>([^<]+)</.exec(answer)?.[1] ?? '';
    if (!this.session) throw new Error(`OpenSession gave no Session_ID: ${answer.slice(0, 300)}`);
  }

  /** Sends items; answers how many the federal side accepted. */
  async update(operation: 'UpdateLocations' | 'UpdateSlots', items: readonly string[]): Promise<number> {
    const answer = await this.call(operation, `<fer:Session_ID>${this.session}</fer:Session_ID>${items.join('')}`);
    return answer.split('>ACCEPTED<').length - 1;
  }
}

function locationXml(region: BenchRegion, p: number): string {
  const code = specialties[p % specialties.length];
  return (
    `<fer:Location><fer:Location_Id>${region.resourceIdOf(p)}</fer:Location_Id><fer:MO_OID>${region.oids[p % region.shape.organisations]}</fer:MO_OID>` +
    `<fer:Doctor_SNILS>${snilsOf(p)}</fer:Doctor_SNILS><fer:Doctor_Name>Doctor ${p}</fer:Doctor_Name><fer:Specialty_Code>${code}</fer:Specialty_Code>` +
    `<fer:Channels><fer:Channel>CONTACT_CENTRE</fer:Channel><fer:Channel>PORTAL</fer:Channel><fer:Channel>FEDERAL_PORTAL</fer:Channel></fer:Channels><fer:Version>1</fer:Version></fer:Location>`
  );
}

function slotXml(region: BenchRegion, i: number): string {
  const slot = region.slotPublished(i).value as SlotPublished;
  return (
    `<fer:Slot><fer:Slot_Id>${slot.slotId}</fer:Slot_Id><fer:Location_Id>${slot.resourceId}</fer:Location_Id><fer:MO_OID>${slot.organisationOid}</fer:MO_OID>` +
    `<fer:Visit_Start>${new Date(slot.startsAt).toISOString()}</fer:Visit_Start><fer:Visit_End>${new Date(slot.endsAt).toISOString()}</fer:Visit_End>` +
    `<fer:Status>${slot.status === 'FREE' ? 'FREE' : 'BUSY'}</fer:Status><fer:Version>1</fer:Version></fer:Slot>`
  );
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/**
 * The simulator's own intake: a bare client sends the region's exportable slots (after their
 * locations) in UpdateSlots batches of the exporter's size, one call after another, as fast as the
 * simulator answers. Its own simulator process, started and stopped here.
 */
export async function measureRawIntake(region: BenchRegion, options: FederalExportOptions, progress: (m: string) => void): Promise<FederalRawLimit> {
  const [login, password] = ['bench-raw', randomBytes(12).toString('hex')];
  const sim = startSimulator(await freePort(), login, password, options.maxBatch, 'federal-simulator-raw');
  try {
    await waitForHttp(`${sim.admin.url}/health`, sim.process, 60_000);
    await sim.admin.register(region.oids);
    const client = new BareFerClient(`${sim.admin.url}${ferRegistryPath}`);
    await client.open(login, password);
    const practitioners = Array.from({ length: region.practitioners }, (_, p) => p).filter((p) => region.hasSnils(p));
    for (let k = 0; k < practitioners.length; k += options.maxBatch) {
      await client.update('UpdateLocations', practitioners.slice(k, k + options.maxBatch).map((p) => locationXml(region, p)));
    }
    const slots: number[] = [];
    for (let i = 0; slots.length < options.rawSlots && i < region.shape.slots; i++) if (region.exportable(i)) slots.push(i);
    progress(`raw limit: the federal simulator's intake, ${slots.length.toLocaleString('en')} slots in UpdateSlots batches of ${options.maxBatch}, one call at a time`);
    const cpuBefore = cpuSecondsOf(sim.process.child.pid as number);
    const callMs: number[] = [];
    let acceptedSlots = 0;
    const started = performance.now();
    for (let k = 0; k < slots.length; k += options.maxBatch) {
      // Built outside the timed call: the client's own XML is not the simulator's intake.
      const batch = slots.slice(k, k + options.maxBatch).map((i) => slotXml(region, i));
      const callStarted = performance.now();
      acceptedSlots += await client.update('UpdateSlots', batch);
      callMs.push(performance.now() - callStarted);
    }
    const seconds = callMs.reduce((a, ms) => a + ms, 0) / 1000;
    const cpu = cpuSecondsOf(sim.process.child.pid as number) - cpuBefore;
    if (acceptedSlots !== slots.length) throw new Error(`the simulator accepted ${acceptedSlots} of ${slots.length} slots from the bare client`);
    const sorted = [...callMs].sort((a, b) => a - b);
    const result: FederalRawLimit = {
      slots: slots.length,
      batchSize: options.maxBatch,
      calls: callMs.length,
      slotsPerSecond: Math.round(slots.length / seconds),
      callMs: { p50: round(quantile(sorted, 0.5)), p99: round(quantile(sorted, 0.99)), max: round(sorted.at(-1) ?? NaN) },
      simulatorCpuMsPerThousand: round((1000 * cpu) / (slots.length / 1000)),
    };
    progress(`  ${result.slotsPerSecond.toLocaleString('en')} slots/s (${round((performance.now() - started) / 1000)} s wall), call p50 ${result.callMs.p50} ms, p99 ${result.callMs.p99} ms`);
    return result;
  } finally {
    await sim.process.stop();
  }
}

type KafkaAdmin = ReturnType<ReturnType<typeof stackKafka>['admin']>;

async function groupLag(admin: KafkaAdmin, groupId: string, topics: readonly string[]): Promise<number> {
  let lag = 0;
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    lag += ends.reduce((n, end) => n + Math.max(0, Number(end.high) - Math.max(at.get(end.partition) ?? 0, Number(end.low))), 0);
  }
  return lag;
}

/** Polls `probe` every `everyMs` until it answers a value; reports progress every 15 s; fails after `timeoutMs`. */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs: number, progress: (m: string) => void, report: () => Promise<string>, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}: ${await report()}`);
    if (Date.now() - lastReport > 15_000) {
      progress(`  ${await report()}`);
      lastReport = Date.now();
    }
    await sleep(everyMs);
  }
}

interface ExportStatusBody {
  readonly federal?: { readonly backoffUntil?: string | null };
  readonly organisations?: ReadonlyArray<{ readonly backlog?: number | Record<string, number> }>;
}

/** When the exporter's backoff ends (epoch ms), as its export status reports the federal link; null when it is not backing off. */
async function exporterBackoffUntil(url: string, key: string): Promise<number | null> {
  try {
    const response = await fetch(`${url}/v1/export/status`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(30_000) });
    const until = ((await response.json()) as ExportStatusBody).federal?.backoffUntil;
    return until ? Date.parse(until) : null;
  } catch {
    return null;
  }
}

/** The exporter's backlog over all organisations, as operations read it (GET /v1/export/status). */
async function exporterBacklog(url: string, key: string): Promise<number | null> {
  try {
    const response = await fetch(`${url}/v1/export/status`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(30_000) });
    if (!response.ok) return null;
    const body = (await response.json()) as ExportStatusBody;
    return (body.organisations ?? []).reduce((n, o) => n + (typeof o.backlog === 'number' ? o.backlog : Object.values(o.backlog ?? {}).reduce((a, b) => a + b, 0)), 0);
  } catch {
    return null;
  }
}

type CpuSample = Required<FederalExportPhaseCpu>;

/** What every phase of the section works with. */
interface ExportRun {
  readonly options: FederalExportOptions;
  readonly region: BenchRegion;
  readonly sim: SimulatorUnderTest;
  readonly publisher: EventPublisher;
  readonly kafkaAdmin: KafkaAdmin;
  /** The exporter's per-adapter topics and its consumer group, as named in the namespace. */
  readonly topics: readonly string[];
  readonly group: string;
  readonly exporterUrl: string;
  readonly operationsKey: string;
  readonly raw: FederalRawLimit;
  exporter?: ServiceProcess;
}

function cpuOf(run: ExportRun): CpuSample {
  return {
    ...processCpu(),
    exporter: run.exporter ? cpuSecondsOf(run.exporter.child.pid as number) : 0,
    simulator: cpuSecondsOf(run.sim.process.child.pid as number),
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  };
}

function cpuSince(run: ExportRun, before: CpuSample): FederalExportPhaseCpu {
  const after = cpuOf(run);
  return {
    exporter: round(after.exporter - before.exporter),
    postgres: round(after.postgres - before.postgres),
    simulator: round(after.simulator - before.simulator),
    kafka: round(after.kafka - before.kafka),
    machine: round(after.machine - before.machine),
    bench: round(after.bench - before.bench),
  };
}

const sumAccepted = async (run: ExportRun) => accepted(await run.sim.admin.stats(), 'UpdateSlots');

/** The exporter starts with the region already on Kafka; the clock stops when the simulator holds every exportable location and slot. */
async function initialExport(run: ExportRun, startExporter: () => ServiceProcess, facts: FederalExportResult['region'], publishSeconds: number, progress: (m: string) => void): Promise<FederalExportResult['initial']> {
  const { options, sim } = run;
  progress(`federal export: the exporter starts (FER_MAX_BATCH ${options.maxBatch}, FER_CALLS_PER_SECOND ${options.callsPerSecond})`);
  const statsBefore = await sim.admin.stats();
  const cpuBefore = cpuOf(run);
  const started = Date.now();
  const exporter = (run.exporter = startExporter());
  let consumedAt = 0;
  let held = { locations: 0, slots: 0 };
  await until(
    async () => {
      if (!exporter.alive()) throw new Error(`the exporter exited: ${exporter.tail(20)}`);
      if (consumedAt === 0 && (await groupLag(run.kafkaAdmin, run.group, run.topics).catch(() => Infinity)) === 0) consumedAt = Date.now();
      held = (await sim.admin.stats()).totals;
      return held.slots >= facts.exportableSlots && held.locations >= facts.exportableLocations ? true : undefined;
    },
    'the simulator to hold every exportable slot',
    3_600_000,
    progress,
    async () =>
      `${held.slots.toLocaleString('en')} of ${facts.exportableSlots.toLocaleString('en')} slots and ${held.locations} of ${facts.exportableLocations} locations at the federal side after ` +
      `${round((Date.now() - started) / 1000)} s${consumedAt ? ', every event consumed' : ''}; exporter RSS ${rssMbOf(exporter.child.pid as number)} MB`,
    1_000,
  );
  const seconds = round((Date.now() - started) / 1000);
  const cpuSeconds = cpuSince(run, cpuBefore);
  const statsAfter = await sim.admin.stats();
  if (consumedAt === 0) {
    await until(async () => ((await groupLag(run.kafkaAdmin, run.group, run.topics)) === 0 ? true : undefined), 'the exporter to consume the region', 600_000, progress, async () => 'consuming');
    consumedAt = Date.now();
  }
  const initial = {
    publishSeconds,
    consumedSeconds: round((consumedAt - started) / 1000),
    seconds,
    slotsPerSecond: Math.round(facts.exportableSlots / seconds),
    shareOfRaw: Math.round((100 * facts.exportableSlots) / seconds / run.raw.slotsPerSecond),
    calls: Object.fromEntries(Object.entries(statsAfter.calls).map(([op, n]) => [op, n - (statsBefore.calls[op] ?? 0)])),
    rejected: rejectedOf(statsAfter) - rejectedOf(statsBefore),
    cpuSeconds,
    configuredSlotsPerSecond: options.callsPerSecond * options.maxBatch,
  };
  progress(
    `  every exportable slot held after ${seconds} s (${initial.slotsPerSecond.toLocaleString('en')} slots/s, ${initial.shareOfRaw} % of the raw intake; events consumed after ${initial.consumedSeconds} s); ` +
      `CPU s: exporter ${cpuSeconds.exporter}, PostgreSQL ${cpuSeconds.postgres}, simulator ${cpuSeconds.simulator}, Kafka ${cpuSeconds.kafka}, machine ${cpuSeconds.machine} of ${round(2 * seconds)}`,
  );
  return initial;
}

/** Walk-ins and cancellations at a steady rate once the export drained, each timed from its publishing to the simulator's `receivedAt`. */
async function changeArrival(run: ExportRun, changed: readonly number[], progress: (m: string) => void): Promise<FederalExportResult['change']> {
  const { options, region, sim } = run;
  progress(`federal export: ${changed.length} slot changes at ${options.changesPerSecond}/s, publishing → held by the simulator`);
  const publishedAt = new Map<string, number>();
  const acceptedBefore = await sumAccepted(run);
  const started = performance.now();
  for (const [k, i] of changed.entries()) {
    const wait = started + (k * 1000) / options.changesPerSecond - performance.now();
    if (wait > 0) await sleep(wait);
    const event = region.slotFlipped(i);
    publishedAt.set(event.key, Date.now());
    await run.publisher.publish(event);
  }
  let arrived = 0;
  await until(
    async () => ((arrived = (await sumAccepted(run)) - acceptedBefore) >= changed.length ? true : undefined),
    'the simulator to accept every change',
    120_000,
    progress,
    async () => `${arrived} of ${changed.length} changes accepted`,
  ).catch(() => progress(`  only ${arrived} of ${changed.length} changes accepted within 2 min`));
  const arrivals: number[] = [];
  let missed = 0;
  const byOrganisation = new Map<string, number[]>();
  for (const i of changed) byOrganisation.set(region.oids[region.organisationOf(i)], [...(byOrganisation.get(region.oids[region.organisationOf(i)]) ?? []), i]);
  for (const [mo, slots] of byOrganisation) {
    const state = await sim.admin.state(mo);
    const status = new Map(state.slots.map((s) => [s.Slot_Id, s.Status]));
    for (const i of slots) {
      const slotId = region.slotIdOf(i);
      const at = state.receivedAt?.[slotId];
      if (status.get(slotId) !== (region.bookedAtFirst(i) ? 'FREE' : 'BUSY') || at === undefined) missed++;
      else arrivals.push(at - (publishedAt.get(slotId) as number));
    }
  }
  arrivals.sort((a, b) => a - b);
  const change = {
    changes: changed.length,
    changesPerSecond: options.changesPerSecond,
    latencyMs: { p50: round(quantile(arrivals, 0.5)), p99: round(quantile(arrivals, 0.99)), max: round(arrivals.at(-1) ?? NaN) },
    missed,
  };
  progress(`  p50 ${change.latencyMs.p50} ms, p99 ${change.latencyMs.p99} ms, max ${change.latencyMs.max} ms; ${missed} not arrived`);
  return change;
}

/** The simulator answers 503 while an outage's changes are published; the clock starts when it answers again and stops at backlog 0. */
async function outageDrain(run: ExportRun, outageSlots: readonly number[], progress: (m: string) => void): Promise<FederalExportResult['outage']> {
  const { options, region, sim } = run;
  const changes = outageSlots.length;
  progress(
    `federal export: the federal side down for ${options.outageHoldSeconds} s at least; ${changes.toLocaleString('en')} changes (${options.outageMinutes} min at ${options.regionChangesPerSecond} changes/s) published`,
  );
  await sim.admin.faults('down');
  const downAt = Date.now();
  for (let k = 0; k < changes; k += 5_000) await run.publisher.publishAll(outageSlots.slice(k, k + 5_000).map((i) => region.slotFlipped(i)));
  await until(async () => ((await groupLag(run.kafkaAdmin, run.group, run.topics)) === 0 ? true : undefined), 'the exporter to consume the outage changes', 600_000, progress, async () => 'consuming');
  let backlogBeforeUp: number | null = null;
  await until(
    async () => ((backlogBeforeUp = await exporterBacklog(run.exporterUrl, run.operationsKey)) !== null && backlogBeforeUp >= changes ? true : undefined),
    'the export status to count the outage backlog',
    60_000,
    progress,
    async () => `backlog ${backlogBeforeUp}`,
    1_000,
  ).catch(() => progress(`  the export status shows a backlog of ${backlogBeforeUp} (expected at least ${changes})`));
  // The outage lasts, so the exporter's backoff grows as it would in a long one (a timed wait on purpose: it is the outage).
  const hold = downAt + options.outageHoldSeconds * 1000 - Date.now();
  if (hold > 0) await sleep(hold);
  const backoffUntil = await exporterBackoffUntil(run.exporterUrl, run.operationsKey);
  const acceptedBefore = await sumAccepted(run);
  const cpuBefore = cpuOf(run);
  await sim.admin.faults('up');
  const upAt = Date.now();
  const downSeconds = round((upAt - downAt) / 1000);
  let firstAcceptedAt = 0;
  let drainedAt = 0;
  let arrived = 0;
  let backlog: number | null = null;
  await until(
    async () => {
      arrived = (await sumAccepted(run)) - acceptedBefore;
      if (arrived > 0 && firstAcceptedAt === 0) firstAcceptedAt = Date.now();
      if (arrived < changes) return undefined;
      drainedAt ||= Date.now();
      backlog = await exporterBacklog(run.exporterUrl, run.operationsKey);
      return backlog === 0 ? true : undefined;
    },
    'the outage backlog to drain',
    1_800_000,
    progress,
    async () => `${arrived.toLocaleString('en')} of ${changes.toLocaleString('en')} changes accepted ${round((Date.now() - upAt) / 1000)} s after the federal side came back; backlog ${backlog ?? '?'}`,
  );
  const cpuSeconds = cpuSince(run, cpuBefore);
  const flowing = Math.max(0.001, (drainedAt - firstAcceptedAt) / 1000);
  const outage = {
    regionChangesPerSecond: options.regionChangesPerSecond,
    minutes: options.outageMinutes,
    changes,
    backlogBeforeUp,
    downSeconds,
    backoffLeftSeconds: backoffUntil === null ? null : round(Math.max(0, backoffUntil - upAt) / 1000),
    firstAcceptedSeconds: round((firstAcceptedAt - upAt) / 1000),
    drainSeconds: round((drainedAt - upAt) / 1000),
    slotsPerSecond: Math.round(changes / flowing),
    shareOfRaw: Math.round((100 * changes) / flowing / run.raw.slotsPerSecond),
    cpuSeconds,
  };
  progress(
    `  drained ${outage.drainSeconds} s after the federal side came back (first object accepted after ${outage.firstAcceptedSeconds} s; then ${outage.slotsPerSecond.toLocaleString('en')} changes/s, ${outage.shareOfRaw} % of the raw intake)`,
  );
  return outage;
}

function regionFactsOf(region: BenchRegion): FederalExportResult['region'] {
  let exportableSlots = 0;
  let closedToFederalPortal = 0;
  for (let i = 0; i < region.shape.slots; i++) {
    if (region.exportable(i)) exportableSlots++;
    if (!region.openToFederalPortal(i)) closedToFederalPortal++;
  }
  const withSnils = Array.from({ length: region.practitioners }, (_, p) => p).filter((p) => region.hasSnils(p)).length;
  return {
    organisations: region.shape.organisations,
    practitioners: region.practitioners,
    practitionersWithoutSnils: region.practitioners - withSnils,
    slots: region.shape.slots,
    closedToFederalPortal,
    exportableLocations: withSnils,
    exportableSlots,
  };
}

export async function measureFederalExport(env: Record<string, string>, options: FederalExportOptions, progress: (m: string) => void): Promise<FederalExportResult> {
  const runId = Date.now().toString(36);
  const namespace = `bench-fer-${runId}`;
  const adapterId = `bench-fer-${runId}`.slice(0, 40);
  const exporterSchema = `bench_fer_${runId}`;
  const exporterGroup = `bench-fer-${runId}`;
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus';
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const connection = { brokers, ...stackKafkaSecurity(env) };
  const now = Date.now();
  const start = new Date(new Date(now + 86_400_000).toISOString().slice(0, 10) + 'T05:00:00Z').getTime();
  const region = new BenchRegion(options, `1.2.643.5.1.13.13.12.2.96.${now % 1_000_000_000}`, start);
  const facts = regionFactsOf(region);
  progress(
    `federal export: ${facts.organisations} organisations, ${facts.practitioners.toLocaleString('en')} practitioners (${facts.practitionersWithoutSnils} without SNILS), ` +
      `${facts.slots.toLocaleString('en')} slots, ${facts.exportableSlots.toLocaleString('en')} exportable`,
  );
  const raw = await measureRawIntake(region, options, progress);

  // Booking tells the exporter which organisations the bench's adapter speaks for and holds the keys; on a bus of its own, idle.
  const booking: BookingUnderTest = await startBooking(env, await freePort(), `${runId}b`);
  const exporterPort = await freePort();
  const [login, password] = ['bench-region', randomBytes(12).toString('hex')];
  const sim = startSimulator(await freePort(), login, password, options.maxBatch, 'federal-simulator');
  const publisher = new EventPublisher(
    { brokers, clientId: 'bench-fer', schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7', namespace, ...stackKafkaSecurity(env) },
    { origin: adapterId },
  );
  const kafkaAdmin = stackKafka('bench-fer', env).admin();
  const db = new Client({ connectionString: databaseUrl });
  const peak = { exporter: 0, simulator: 0 };
  let run: ExportRun | undefined;
  const sampler = setInterval(() => {
    if (run?.exporter?.alive()) peak.exporter = Math.max(peak.exporter, rssMbOf(run.exporter.child.pid as number));
    if (sim.process.alive()) peak.simulator = Math.max(peak.simulator, rssMbOf(sim.process.child.pid as number));
  }, 1_000);
  try {
    await Promise.all([kafkaAdmin.connect(), db.connect()]);
    const shared = Object.values(Topics).filter((topic) => !isPerAdapterTopic(topic));
    await ensureTopics({ ...connection, namespace }, [...shared, ...adapterTopicsOf(adapterId)], 3);
    await booking.register(region.oids, adapterId);
    const [exporterKey, operationsKey] = await Promise.all([
      clientsCli(booking.schema, ['issue', '--client', 'bench-registry-exporter', '--role', 'FEDERAL_REGISTRY'], databaseUrl),
      clientsCli(booking.schema, ['issue', '--client', 'bench-operations', '--role', 'OPERATIONS'], databaseUrl),
    ]);
    await waitForHttp(`${sim.admin.url}/health`, sim.process, 60_000);
    await sim.admin.register(region.oids);

    progress(`federal export: publishing the region (${facts.slots.toLocaleString('en')} slot events) before the exporter starts`);
    const publishStarted = Date.now();
    await publisher.publishAll(region.catalogue(now));
    for (let i = 0; i < facts.slots; i += 5_000) {
      const chunk: OutgoingEvent[] = [];
      for (let k = i; k < Math.min(facts.slots, i + 5_000); k++) chunk.push(region.slotPublished(k));
      await publisher.publishAll(chunk);
    }
    const publishSeconds = round((Date.now() - publishStarted) / 1000);
    progress(`  published in ${publishSeconds} s`);

    run = {
      options, region, sim, publisher, kafkaAdmin, raw, operationsKey,
      topics: [Topics.organisation, Topics.resource, Topics.slot].map((topic) => adapterTopicOf(topic, adapterId, namespace)),
      group: namespaced(exporterGroup, namespace),
      exporterUrl: `http://127.0.0.1:${exporterPort}`,
    };
    const startExporter = () =>
      startProcess({
        name: 'registry-exporter',
        ...nodeCommandOf(compiledServices.registryExporter),
        env: {
          ...process.env,
          ...env,
          HTTP_PORT: String(exporterPort),
          DATABASE_URL: databaseUrl,
          EXPORTER_DATABASE_SCHEMA: exporterSchema,
          EXPORTER_CONSUMER_GROUP: exporterGroup,
          BOOKING_URL: booking.url,
          EXPORTER_BOOKING_API_KEY: exporterKey,
          FER_URL: `${sim.admin.url}${ferRegistryPath}`,
          FER_LOGIN: login,
          FER_PASSWORD: password,
          FER_MAX_BATCH: String(options.maxBatch),
          FER_CALLS_PER_SECOND: String(options.callsPerSecond),
          FER_RETRY_MAX_DELAY_MS: String(options.retryMaxDelayMs),
          // Reconciliation only on demand: a scheduled run must not fall into the measurement.
          RECONCILE_INTERVAL_MS: '0',
          KAFKA_CLIENT_ID: 'bench-registry-exporter',
          KAFKA_NAMESPACE: namespace,
          OTEL_SERVICE_NAME: 'bench-registry-exporter',
          OTEL_SDK_DISABLED: 'true',
        },
        cwd: root,
        logFile: join(root, '.medbus', 'logs', 'bench-registry-exporter.log'),
      });
    const initial = await initialExport(run, startExporter, facts, publishSeconds, progress);
    // Not timed: what autovacuum would do after a bulk load (it is off on this machine).
    const { rows: tables } = await db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = $1`, [exporterSchema]);
    for (const { name } of tables) await db.query(`VACUUM (ANALYZE) "${exporterSchema}"."${name}"`);

    // Disjoint sets of organisations: the outage's changes never touch a slot whose arrival was timed.
    const changeOrganisations = Math.min(25, options.organisations);
    const changed = region.pick(options.changes, 0, changeOrganisations);
    const change = await changeArrival(run, changed, progress);
    const outageSlots = region.pick(options.outageMinutes * 60 * options.regionChangesPerSecond, changeOrganisations, options.organisations);
    const outage = await outageDrain(run, outageSlots, progress);
    const equal = await compareWithFederalView(region, sim.admin, new Set([...changed, ...outageSlots]), progress);
    return {
      date: new Date().toISOString(),
      region: facts,
      settings: { maxBatch: options.maxBatch, callsPerSecond: options.callsPerSecond, retryMaxDelayMs: options.retryMaxDelayMs, simulator: sim.args.join(' ') },
      raw,
      initial,
      change,
      outage,
      equal,
      peakRssMb: peak,
      postgres: await postgresSettings(databaseUrl),
    };
  } finally {
    clearInterval(sampler);
    await run?.exporter?.stop(10_000);
    await sim.process.stop();
    await booking.stop();
    await publisher.close();
    await kafkaAdmin.disconnect().catch(() => undefined);
    await db.end().catch(() => undefined);
    await deleteNamespaceTopics(connection, namespace).catch(() => undefined);
    await dropSchema(databaseUrl, exporterSchema).catch(() => undefined);
    await dropSchema(databaseUrl, booking.schema).catch(() => undefined);
    await deleteGroups(env, [namespaced(exporterGroup, namespace), namespaced(`bench-${runId}b`, booking.namespace), namespaced(`bench-${runId}b-outcomes`, booking.namespace)]);
  }
}

/** Every organisation's locations and slots at the simulator against what the region's events make exportable, object by object. */
async function compareWithFederalView(
  region: BenchRegion,
  admin: FederalSimAdmin,
  flipped: ReadonlySet<number>,
  progress: (m: string) => void,
): Promise<FederalExportResult['equal']> {
  progress('federal export: the simulator against the federal view, object by object');
  const expected = new Map<string, Map<string, string>>(region.oids.map((oid) => [oid, new Map()]));
  for (let i = 0; i < region.shape.slots; i++) {
    if (!region.exportable(i)) continue;
    const booked = flipped.has(i) ? !region.bookedAtFirst(i) : region.bookedAtFirst(i);
    expected.get(region.oids[region.organisationOf(i)])?.set(region.slotIdOf(i), booked ? 'BUSY' : 'FREE');
  }
  let differences = 0;
  let example = '';
  const differ = (what: string) => {
    differences++;
    example ||= what;
  };
  for (const [o, oid] of region.oids.entries()) {
    const state = await admin.state(oid);
    const locations = new Set(state.locations.map((l) => l.Location_Id));
    for (let r = 0; r < region.shape.practitionersPerOrganisation; r++) {
      const p = r * region.shape.organisations + o;
      if (locations.has(region.resourceIdOf(p)) !== region.hasSnils(p)) differ(`location ${region.resourceIdOf(p)} ${region.hasSnils(p) ? 'missing' : 'held without a SNILS'}`);
    }
    const want = expected.get(oid) as Map<string, string>;
    const seen = new Set<string>();
    for (const slot of state.slots) {
      if (seen.has(slot.Slot_Id)) differ(`slot ${slot.Slot_Id} held twice`);
      seen.add(slot.Slot_Id);
      const status = want.get(slot.Slot_Id);
      if (status === undefined) differ(`slot ${slot.Slot_Id} held but not exportable`);
      else if (status !== slot.Status) differ(`slot ${slot.Slot_Id} ${slot.Status}, the region says ${status}`);
    }
    for (const slotId of want.keys()) if (!seen.has(slotId)) differ(`slot ${slotId} missing`);
  }
  progress(`  ${differences === 0 ? 'equal' : `${differences} differences, e.g. ${example}`}`);
  return { organisations: region.oids.length, equal: differences === 0, differences, example };
}

const cpuLine = (c: FederalExportPhaseCpu, seconds: number) =>
  `exporter ${c.exporter}, PostgreSQL ${c.postgres}, simulator ${c.simulator}, Kafka ${c.kafka}${c.bench === undefined ? '' : `, the bench itself ${c.bench}`}, ` +
  `everything else (other work on the machine) ${round(c.machine - c.exporter - c.postgres - c.simulator - c.kafka - (c.bench ?? 0))}; the machine ${c.machine} of the ${round(2 * seconds)} two cores offer`;

/** docs/benchmarks.md: the simulator's intake beside the other raw limits. */
export function federalRawRow(r: FederalExportResult): string {
  return `| Federal registry simulator's intake (${r.date}): a bare client, UpdateSlots batches of ${r.raw.batchSize}, one call at a time, ${r.raw.slots.toLocaleString('en')} slots | ${r.raw.slotsPerSecond.toLocaleString('en')} slots/s, call p50 ${r.raw.callMs.p50} ms, p99 ${r.raw.callMs.p99} ms; ${r.raw.simulatorCpuMsPerThousand} ms of simulator CPU per 1,000 slots | ${r.region.exportableSlots.toLocaleString('en')} exportable slots in ${round(r.region.exportableSlots / r.raw.slotsPerSecond)} s at best |`;
}

/** The reference region itself, or what share of it was measured (BENCH_EXPORT_* set smaller). */
function regionOf(r: FederalExportResult): string {
  if (r.region.organisations === 300 && r.region.practitioners === 6_000 && r.region.slots === 2_000_000) return "the reference region";
  return `${r.region.organisations} organisations with ${r.region.practitioners.toLocaleString('en')} practitioners (${Math.round((100 * r.region.slots) / 2_000_000)} % of the reference region, as many slots per practitioner)`;
}

/** docs/benchmarks.md: the export's rows against the targets. */
export function federalRows(r: FederalExportResult): string {
  const i = r.initial;
  const o = r.outage;
  return [
    `| federal export: the initial export of ${regionOf(r)} (${r.region.exportableSlots.toLocaleString('en')} exportable slots of ${r.region.slots.toLocaleString('en')}, events already on Kafka), exporter's start → the simulator holds every one | reported beside the raw limit | **${i.seconds} s**, ${i.slotsPerSecond.toLocaleString('en')} slots/s, **${i.shareOfRaw} % of the simulator's intake** (the exporter's own ceiling FER_CALLS_PER_SECOND ${r.settings.callsPerSecond} × FER_MAX_BATCH ${r.settings.maxBatch} = ${i.configuredSlotsPerSecond.toLocaleString('en')}/s); every event in its tables after ${i.consumedSeconds} s; ${i.rejected} rejected |`,
    `| federal export: a change's arrival at the federal side (${r.change.changes} slot changes at ${r.change.changesPerSecond}/s after the export drained), publishing → the simulator received that state | p99 reported | p50 ${r.change.latencyMs.p50} ms, **p99 ${r.change.latencyMs.p99} ms**, max ${r.change.latencyMs.max} ms; ${r.change.missed} not arrived |`,
    `| federal export: a ${o.minutes}-minute federal outage's backlog (${o.changes.toLocaleString('en')} changes: ${o.regionChangesPerSecond} changes/s region-wide), federal side back → backlog 0 | drained, reported beside the raw limit | **${o.drainSeconds} s** (down ${o.downSeconds ?? '?'} s; first object accepted after ${o.firstAcceptedSeconds} s: the exporter's backoff${o.backoffLeftSeconds !== undefined && o.backoffLeftSeconds !== null ? `, ${o.backoffLeftSeconds} s of it left at the return` : ''}, FER_RETRY_MAX_DELAY_MS ${r.settings.retryMaxDelayMs}; then ${o.slotsPerSecond.toLocaleString('en')} changes/s, ${o.shareOfRaw} % of the intake); simulator equals the federal view: **${r.equal.equal ? 'yes' : `no, ${r.equal.differences} differences`}** |`,
  ].join('\n');
}

/** docs/benchmarks.md: how the export was measured and where its time went. */
export function federalNotes(r: FederalExportResult, cpus: number): string {
  const pg = r.postgres;
  return `
### Federal export (measured ${r.date})

The registry exporter and the federal registry's simulator as compiled processes, in a namespace of their own; the region's events
(${r.region.organisations} organisations, ${r.region.practitioners.toLocaleString('en')} practitioners of whom ${r.region.practitionersWithoutSnils} have no SNILS and are held back,
${r.region.slots.toLocaleString('en')} slots over 14 days of which ${r.region.closedToFederalPortal.toLocaleString('en')} are closed to the federal portal) published before the exporter starts
(${r.initial.publishSeconds} s). The simulator runs with \`${r.settings.simulator}\` so that the exporter's own settings bound it:
FER_MAX_BATCH ${r.settings.maxBatch}, FER_CALLS_PER_SECOND ${r.settings.callsPerSecond} (the federal side's default per-login limit), FER_RETRY_MAX_DELAY_MS ${r.settings.retryMaxDelayMs}.
The simulator's intake is measured on a simulator of its own in the same run, before the export. A change is a slot's status
flipped at the MIS (SlotChanged); its arrival is the simulator's \`receivedAt\` of that slot less the moment the bench published it.
The outage's changes are published while the simulator answers 503${
    r.outage.downSeconds === undefined
      ? ' (down only while they are published and consumed: the exporter\'s backoff had not grown to FER_RETRY_MAX_DELAY_MS)'
      : `, and it stays down ${r.outage.downSeconds} s (long enough for the exporter's backoff to grow to FER_RETRY_MAX_DELAY_MS, as in a 10-minute outage)`
  }; the clock starts when it answers again.
\`VACUUM (ANALYZE)\` of the exporter's tables runs after the initial export, untimed. At the end the simulator's state equals the
federal view object by object in ${r.equal.organisations} organisations: ${r.equal.equal ? 'yes' : `no (${r.equal.differences}; e.g. ${r.equal.example})`}.
PostgreSQL ${pg['server_version'] ?? '?'}: shared_buffers ${pg['shared_buffers'] ?? '?'}, autovacuum ${pg['autovacuum'] ?? '?'}, work_mem ${pg['work_mem'] ?? '?'}, synchronous_commit ${pg['synchronous_commit'] ?? '?'}.

Where the time goes (CPU seconds; ${cpus} cores):
- initial export, ${r.initial.seconds} s: ${cpuLine(r.initial.cpuSeconds, r.initial.seconds)}. Calls: ${Object.entries(r.initial.calls)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ')}.
- outage drain, ${r.outage.drainSeconds} s: ${cpuLine(r.outage.cpuSeconds, r.outage.drainSeconds)}.

Peak RSS: exporter ${r.peakRssMb.exporter} MB, simulator ${r.peakRssMb.simulator} MB (a test double holding the region).
`;
}

if (require.main === module) {
  measureFederalExport(readStackEnv(), federalExportOptionsFromEnv(), (message) => process.stdout.write(`[bench] ${message}\n`)).then(
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
