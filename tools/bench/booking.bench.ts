import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeSoapResponse, encodeSoapRequest, soapActionOf } from '@medbus/hubservice';
import { namespaced } from '@medbus/kafka';
import { readStackEnv, stackKafka } from '@medbus/testing';
import { Region, misGuid, type SimDoctor, type SimSlot } from '../e2e/region.process';
import { cpuSecondsOf, machineBusySeconds, percentiles, rssMbOf, type Percentiles } from './pipeline.bench';

/**
 * The booking flow under load, every piece a real process: the HubService simulator (no injected
 * latency or errors, its front desk idle), its medbus adapter executing booking commands, and a
 * booking service of the bench's own (consumer groups positioned at "now", own Postgres schemas,
 * organisation OIDs no other simulator uses). Organisation 1 is kept for the contention storm,
 * the others take the throughput run.
 *
 * Alone, printing the figures and writing nothing:
 * `npx tsx --tsconfig tsconfig.base.json tools/bench/booking.bench.ts` (stack up). Into
 * docs/benchmarks.*, keeping the other sections: `BENCH_ONLY=booking npm run bench`.
 */

export interface BookingThroughputResult {
  readonly concurrency: number;
  readonly seconds: number;
  readonly patients: number;
  readonly requests: number;
  /** 201 CONFIRMED answers to requests started in the window. */
  readonly confirmed: number;
  /** 202 PENDING answers (the MIS had not answered within BOOKING_RESPONSE_TIMEOUT_MS). */
  readonly pending: number;
  /** Refusals by code (409 and other 4xx). */
  readonly refused: Record<string, number>;
  /** Network failures, timeouts and 5xx. */
  readonly errors: number;
  readonly bookingsPerSecond: number;
  /** Fewest confirmations in one whole second of the window. */
  readonly slowestSecond: number;
  /** POST /v1/appointments, every answer. */
  readonly latencyMs: Percentiles;
  /** What the 202 PENDING appointments ended as. */
  readonly pendingSettled: Record<string, number>;
  /** Confirmed appointments whose slot the MIS does not show booked by that patient. */
  readonly misMismatches: number;
  readonly peakRssMb: { booking: number; adapter: number };
  /**
   * Where the time of a confirmed booking went, per hop (median / p95 ms, from the services' own
   * timestamps): booking row → its outbox relay took the command → the adapter took it up → the
   * adapter finished at the MIS → its relay took the outcome → the booking service applied it.
   */
  readonly stagesMs: Record<StageName, { p50: number; p95: number }>;
  /** Mean time between two commands the adapter finished (while it had work queued). */
  readonly adapterMsPerCommand: number;
  /** CPU cores each process kept busy during the window (CPU seconds per second), and the machine's 1-min load at its end. */
  readonly cpuCores: { booking: number; adapter: number; simulator: number; benchClients?: number; machine?: number; loadAverage: number };
}

const stageNames = ['bookingRelay', 'toAdapter', 'atMis', 'adapterRelay', 'toBooking'] as const;
type StageName = (typeof stageNames)[number];

/** One client booking one slot after another: the path's latency without queueing. */
export interface SingleClientResult {
  readonly bookings: number;
  readonly latencyMs: Percentiles;
  readonly confirmed: number;
}

export interface SetAppointmentLimit {
  readonly sequential: { calls: number; callsPerSecond: number; latencyMs: Percentiles; failures: number };
  readonly concurrent: { concurrency: number; calls: number; callsPerSecond: number; latencyMs: Percentiles; failures: number };
}

export interface ContentionResult {
  readonly clients: number;
  readonly hotSlots: number;
  readonly attempts: number;
  readonly wallSeconds: number;
  /** Clients holding a CONFIRMED appointment at the end. */
  readonly successes: number;
  /** Clients whose appointment was still PENDING 60 s after its 202. */
  readonly unresolved: number;
  readonly refused: Record<string, number>;
  readonly errors: number;
  /** Hot slots with more than one active (PENDING, CONFIRMED, CANCELLING) appointment in the booking service. */
  readonly doubleBookingsInMedbus: number;
  /** Hot slots the MIS shows booked by a patient other than the one medbus confirmed. */
  readonly doubleBookingsAtMis: number;
  /** Hot slots medbus confirmed that the MIS shows free. */
  readonly confirmedButFreeAtMis: number;
  /** Hot slots the MIS shows booked with no confirmed appointment in medbus. */
  readonly bookedAtMisWithoutAppointment: number;
  /** Patients holding more than one hot slot at the MIS. */
  readonly patientsWithTwoAtMis: number;
  /** Hot slots whose inventory status (BOOKED/FREE, or still held) differs from the MIS once settled. */
  readonly inventoryMismatches: number;
  readonly inventoryEqualsMis: boolean;
  /** Seconds after the storm until the inventory equalled the MIS (or the wait gave up). */
  readonly settleSeconds: number;
}

export interface BookingBenchResult {
  readonly date: string;
  /** `missingFromInventory`: free slots of the MIS never offered in the inventory (not booked by the bench). */
  readonly region: { organisations: number; doctorsPerOrg: number; freeSlots: number; missingFromInventory: number; syncSeconds: number };
  readonly identify: { patients: number; seconds: number; latencyMs: Percentiles };
  readonly singleClient: SingleClientResult;
  readonly throughput: BookingThroughputResult;
  readonly contention: ContentionResult;
  readonly setAppointment: SetAppointmentLimit;
}

interface Slot {
  readonly slotId: string;
  readonly idAppointment: string;
  readonly idLpu: number;
  readonly idDoc: string;
  readonly date: string;
}

interface Patient {
  readonly patientId: string;
  readonly misPatientId: string;
  readonly idLpu: number;
}

interface Assignment {
  readonly slot: Slot;
  readonly patient: Patient;
}

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly appointmentId?: string;
  readonly appointmentStatus?: string;
  readonly code?: string;
}

const activeStatuses = ['PENDING', 'CONFIRMED', 'CANCELLING'];
const firstNames = ['Иван', 'Пётр', 'Сергей', 'Алексей', 'Дмитрий', 'Михаил', 'Андрей', 'Николай', 'Павел', 'Олег', 'Юрий', 'Виктор'];

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Runs `worker` on `concurrency` lanes over `items`, in order of the items. */
async function eachConcurrently<T>(items: readonly T[], concurrency: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await worker(items[next++]);
    }),
  );
}

/**
 * Free slots handed out with a patient of the slot's organisation who has no booking with that
 * doctor that day (the booking rules and the MIS refuse a second one: 307).
 */
class Planner {
  private readonly taken = new Set<string>();
  private readonly turn = new Map<number, number>();
  private cursor = 0;

  constructor(
    private readonly slots: readonly Slot[],
    private readonly patientsByOrg: ReadonlyMap<number, readonly Patient[]>,
  ) {}

  next(): Assignment | undefined {
    while (this.cursor < this.slots.length) {
      const slot = this.slots[this.cursor++];
      const pool = this.patientsByOrg.get(slot.idLpu) ?? [];
      const start = this.turn.get(slot.idLpu) ?? 0;
      for (let k = 0; k < pool.length; k++) {
        const patient = pool[(start + k) % pool.length];
        const key = `${patient.patientId}|${slot.idDoc}|${slot.date}`;
        if (this.taken.has(key)) continue;
        this.taken.add(key);
        this.turn.set(slot.idLpu, (start + k + 1) % pool.length);
        return { slot, patient };
      }
    }
    return undefined;
  }
}

class BookingClient {
  private counter = 0;

  constructor(
    private readonly region: Region,
    private readonly runId: string,
  ) {}

  async book(slot: Slot, patient: Patient): Promise<Answer> {
    const started = performance.now();
    try {
      const response = await fetch(`${this.region.bookingUrl}/v1/appointments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.region.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': `bench-${this.runId}-${++this.counter}`,
        },
        body: JSON.stringify({ slotId: slot.slotId, patientId: patient.patientId }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json().catch(() => ({}))) as { appointmentId?: string; status?: string; error?: { code?: string; details?: { appointmentId?: string } } };
      return {
        status: response.status,
        ms: performance.now() - started,
        appointmentId: body.appointmentId ?? body.error?.details?.appointmentId,
        appointmentStatus: body.status,
        code: body.error?.code,
      };
    } catch (error) {
      return { status: 0, ms: performance.now() - started, code: error instanceof Error ? error.name : 'ERROR' };
    }
  }

  /** Polls a PENDING appointment until it leaves PENDING; its last status otherwise. */
  async settle(appointmentId: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status, body } = await this.region.api<{ status: string }>('GET', `/v1/appointments/${appointmentId}`).catch(() => ({ status: 0, body: { status: 'UNKNOWN' } }));
      if (status === 200 && body.status !== 'PENDING') return body.status;
      if (Date.now() > deadline) return status === 200 ? body.status : 'UNKNOWN';
      await sleep(250);
    }
  }
}

/** The three services started for the bench, the region's patients pre-identified, then the measurements. */
export async function measureBooking(env: Record<string, string>, progress: (message: string) => void): Promise<BookingBenchResult> {
  // Region reads the stack's addresses from the environment; the bench's database is DATABASE_URL.
  for (const [name, value] of Object.entries(env)) if (name !== 'TEST_DATABASE_URL' && process.env[name] === undefined) process.env[name] = value;
  delete process.env.TEST_DATABASE_URL;

  const organisations = Number(process.env.BENCH_BOOKING_ORGANISATIONS ?? 10);
  const doctorsPerOrg = Number(process.env.BENCH_BOOKING_DOCTORS_PER_ORG ?? 10);
  const patientCount = Number(process.env.BENCH_BOOKING_PATIENTS ?? 200);
  const concurrency = Number(process.env.BENCH_BOOKING_CLIENTS ?? 32);
  const seconds = Number(process.env.BENCH_BOOKING_SECONDS ?? 20);
  const stormSlots = Number(process.env.BENCH_STORM_SLOTS ?? 100);

  const region = new Region({
    name: 'bench',
    organisations,
    doctorsPerOrg,
    horizonDays: 7,
    // A full re-read every minute at most, and a rate limit above what the commands and their
    // re-reads need: the bench measures medbus, not the MIS protection it is configured with.
    adapterEnv: { POLL_INTERVAL_MS: '60000', MIS_RATE_PER_SECOND: '2000', MIS_RATE_BURST: '2000' },
    // Likewise the per-client limits (0015): one operator key identifies and books for the whole bench.
    bookingEnv: { BOOKING_IDENTIFY_PER_MINUTE: '1000000', BOOKING_MAX_OPEN_HOLDS_PER_CLIENT: '1000000' },
  });
  const date = new Date().toISOString();
  try {
    progress(`booking: starting a simulator (${organisations} clinics × ${doctorsPerOrg} doctors, no faults), its adapter and a booking service`);
    const syncStarted = Date.now();
    await region.start();
    const { slots: atMis, doctors } = await freeSlotsOf(region);
    progress(`booking: waiting for the adapter's first sync of ${atMis.length} free slots into the inventory`);
    const slots = await waitForInventory(region, atMis, progress);
    const syncSeconds = round((Date.now() - syncStarted) / 1000);
    progress(`  in the inventory after ${syncSeconds} s (${doctors} bookable doctors)`);

    const stormOrg = 1;
    const stormPatients = stormSlots;
    progress(`booking: identifying ${patientCount} patients (register: true) at clinics 2–${organisations} and ${stormPatients} at clinic ${stormOrg}`);
    const wanted = [
      ...Array.from({ length: stormPatients }, () => stormOrg),
      ...Array.from({ length: patientCount }, (_, i) => 2 + (i % (organisations - 1))),
    ];
    const identify = await identifyPatients(region, wanted);
    progress(`  ${identify.patients.length} patients in ${identify.seconds} s, p50 ${identify.latencyMs.p50} ms, p99 ${identify.latencyMs.p99} ms`);

    const byOrg = new Map<number, Patient[]>();
    for (const patient of identify.patients) byOrg.set(patient.idLpu, [...(byOrg.get(patient.idLpu) ?? []), patient]);
    const stormPool = byOrg.get(stormOrg) ?? [];
    byOrg.delete(stormOrg);
    const planner = new Planner(shuffled(slots.filter((s) => s.idLpu !== stormOrg)), byOrg);
    const client = new BookingClient(region, region.runId);

    progress('booking: one client, 30 bookings one after another');
    const singleClient = await measureSingleClient(client, planner, 30);
    progress(`  p50 ${singleClient.latencyMs.p50} ms, p99 ${singleClient.latencyMs.p99} ms, ${singleClient.confirmed} confirmed`);

    progress(`booking: throughput, ${concurrency} concurrent clients for 3 s of warm-up and ${seconds} s measured`);
    const throughput = await measureThroughput(region, client, planner, concurrency, seconds, progress);
    progress(
      `  ${throughput.bookingsPerSecond} bookings/s, p50 ${throughput.latencyMs.p50} ms, p95 ${throughput.latencyMs.p95} ms, p99 ${throughput.latencyMs.p99} ms; ` +
        `${throughput.confirmed} confirmed, ${throughput.pending} pending, ${Object.values(throughput.refused).reduce((a, b) => a + b, 0)} refused, ${throughput.errors} errors`,
    );

    const hot = shuffled(slots.filter((s) => s.idLpu === stormOrg)).slice(0, stormSlots);
    progress(`booking: contention storm, ${stormPool.length} clients racing for ${hot.length} hot slots`);
    const contention = await measureContention(region, client, hot, stormPool, progress);
    progress(
      `  ${contention.successes} successes of ${contention.hotSlots} slots in ${contention.wallSeconds} s (${contention.attempts} attempts); double bookings: ` +
        `${contention.doubleBookingsInMedbus} in medbus, ${contention.doubleBookingsAtMis} at the MIS; inventory equals the MIS: ${contention.inventoryEqualsMis}`,
    );

    progress('booking: raw limit, SetAppointment straight at the simulator');
    const setAppointment = await measureSetAppointment(region, planner);
    progress(
      `  sequential ${setAppointment.sequential.callsPerSecond} calls/s (p50 ${setAppointment.sequential.latencyMs.p50} ms); ` +
        `${setAppointment.concurrent.concurrency} concurrent ${setAppointment.concurrent.callsPerSecond} calls/s`,
    );
    return {
      date,
      region: { organisations, doctorsPerOrg, freeSlots: atMis.length, missingFromInventory: atMis.length - slots.length, syncSeconds },
      identify: { patients: identify.patients.length, seconds: identify.seconds, latencyMs: identify.latencyMs },
      singleClient,
      throughput,
      contention,
      setAppointment,
    };
  } catch (error) {
    process.stderr.write(`${region.logs()}\n`);
    throw error;
  } finally {
    progress('booking: stopping the bench region, dropping its schemas and consumer groups');
    await region.stop();
    await deleteGroups(env, [region.bookingGroup, `${region.bookingGroup}-outcomes`, `mis-adapter-${region.adapterId}-commands`].map((group) => namespaced(group, region.namespace)));
  }
}

/** Free slots from tomorrow (clinic-local) of the doctors any adult man attached to the clinic may see. */
async function freeSlotsOf(region: Region): Promise<{ slots: Slot[]; doctors: number }> {
  const { today } = await region.simCall<{ today: string }>('GET', '/admin/state');
  const codeMap = await region.simCall<{ doctors: SimDoctor[] }>('GET', '/admin/code-map');
  // Paediatrics (age), gynaecology (sex) and the unmapped specialty are left out; the rest have no rule a registered adult fails.
  const doctors = codeMap.doctors.filter((d) => !['PED', 'GIN', 'PROF'].includes(d.specialtyCode));
  const oidOf = new Map(region.organisations.map((o) => [o.idLpu, o.oid]));
  const slots: Slot[] = [];
  await eachConcurrently(doctors, 8, async (doctor) => {
    const free = await region.simCall<SimSlot[]>('GET', `/admin/slots?idLpu=${doctor.idLpu}&idDoc=${doctor.idDoc}&state=free`);
    for (const s of free) {
      const date = s.VisitStart.slice(0, 10);
      if (date <= today) continue;
      slots.push({ slotId: `${oidOf.get(doctor.idLpu)}:${s.IdAppointment}`, idAppointment: s.IdAppointment, idLpu: doctor.idLpu, idDoc: doctor.idDoc, date });
    }
  });
  return { slots, doctors: doctors.length };
}

/**
 * Waits until every free slot of the MIS is free and offered in the inventory, or nothing has
 * changed for 30 s; gives back the slots that made it (the others are reported, not booked).
 */
async function waitForInventory(region: Region, slots: readonly Slot[], progress: (message: string) => void): Promise<Slot[]> {
  const ids = slots.map((s) => s.slotId);
  const deadline = Date.now() + 300_000;
  let lastReport = Date.now();
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const rows = await region.bookingDb<{ slot_id: string }>(
      `SELECT slot_id FROM inventory_slot WHERE slot_id = ANY($1) AND status = 'FREE' AND offered AND NOT removed`,
      [ids],
    );
    const n = rows.length;
    if (n !== last) {
      last = n;
      lastChange = Date.now();
    }
    if (n >= ids.length || (n > 0 && Date.now() - lastChange > 30_000) || Date.now() > deadline) {
      if (n < ids.length) progress(`  ${ids.length - n} of the MIS's free slots are not offered in the inventory after ${Math.round((Date.now() - lastChange) / 1000)} s without change; going on without them`);
      const ready = new Set(rows.map((r) => r.slot_id));
      return slots.filter((s) => ready.has(s.slotId));
    }
    if (Date.now() - lastReport > 5_000) {
      progress(`  ${n}/${ids.length} free slots in the inventory`);
      lastReport = Date.now();
    }
    await sleep(500);
  }
}

/** POST /v1/patients/identify with register: true, 16 at a time; each patient a distinct adult man. */
async function identifyPatients(region: Region, orgs: readonly number[]): Promise<{ patients: Patient[]; seconds: number; latencyMs: Percentiles }> {
  const oidOf = new Map(region.organisations.map((o) => [o.idLpu, o.oid]));
  const samples: number[] = [];
  const found: { patientId: string; idLpu: number }[] = [];
  const started = Date.now();
  const birth = Date.UTC(1950, 0, 1);
  await eachConcurrently(
    orgs.map((idLpu, i) => ({ idLpu, i })),
    16,
    async ({ idLpu, i }) => {
      const t0 = performance.now();
      const { status, body } = await region.api<{ patientId: string; code?: string }>('POST', '/v1/patients/identify', {
        organisationOid: oidOf.get(idLpu),
        surname: `Нагрузкин-${region.runId.slice(-4)}`,
        firstName: firstNames[i % firstNames.length],
        patronymic: 'Петрович',
        birthDate: new Date(birth + i * 37 * 86_400_000).toISOString().slice(0, 10),
        sex: 'MALE',
        register: true,
      });
      samples.push(performance.now() - t0);
      if (status !== 200) throw new Error(`identify answered ${status}: ${JSON.stringify(body)}`);
      found.push({ patientId: body.patientId, idLpu });
    },
  );
  const seconds = round((Date.now() - started) / 1000);
  const rows = await region.bookingDb<{ patient_id: string; mis_patient_id: string }>(`SELECT patient_id, mis_patient_id FROM booking_patient WHERE patient_id = ANY($1)`, [
    found.map((p) => p.patientId),
  ]);
  const misId = new Map(rows.map((r) => [r.patient_id, r.mis_patient_id]));
  return {
    patients: found.map((p) => ({ ...p, misPatientId: misId.get(p.patientId) ?? '' })),
    seconds,
    latencyMs: percentiles(samples),
  };
}

async function measureSingleClient(client: BookingClient, planner: Planner, bookings: number): Promise<SingleClientResult> {
  const samples: number[] = [];
  let confirmed = 0;
  for (let i = 0; i < bookings; i++) {
    const assignment = planner.next();
    if (!assignment) break;
    const answer = await client.book(assignment.slot, assignment.patient);
    samples.push(answer.ms);
    if (answer.status === 201) confirmed++;
  }
  return { bookings: samples.length, latencyMs: percentiles(samples), confirmed };
}

async function measureThroughput(
  region: Region,
  client: BookingClient,
  planner: Planner,
  concurrency: number,
  seconds: number,
  progress: (message: string) => void,
): Promise<BookingThroughputResult> {
  const warmUpMs = 3_000;
  const begin = performance.now();
  const windowStart = begin + warmUpMs;
  const windowEnd = windowStart + seconds * 1000;
  const samples: number[] = [];
  const refused: Record<string, number> = {};
  const confirmedAt: number[] = [];
  const booked: { assignment: Assignment; appointmentId: string }[] = [];
  const pendingIds: { assignment: Assignment; appointmentId: string }[] = [];
  let requests = 0;
  let errors = 0;
  let exhausted = false;
  let peakBooking = 0;
  let peakAdapter = 0;
  const pids = { booking: region.booking?.child.pid ?? 0, adapter: region.adapter?.child.pid ?? 0, simulator: region.sim?.child.pid ?? 0 };
  const cpuAt = () => ({
    booking: cpuSecondsOf(pids.booking),
    adapter: cpuSecondsOf(pids.adapter),
    simulator: cpuSecondsOf(pids.simulator),
    benchClients: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    machine: machineBusySeconds(),
  });
  let cpuStart = cpuAt();
  let cpuEnd = cpuStart;
  let loadAverage = 0;
  const windowTimers = [
    setTimeout(() => (cpuStart = cpuAt()), warmUpMs),
    setTimeout(() => {
      cpuEnd = cpuAt();
      loadAverage = round(loadavg()[0]);
    }, warmUpMs + seconds * 1000),
  ];
  const sampler = setInterval(() => {
    if (region.booking?.child.pid) peakBooking = Math.max(peakBooking, rssMbOf(region.booking.child.pid));
    if (region.adapter?.child.pid) peakAdapter = Math.max(peakAdapter, rssMbOf(region.adapter.child.pid));
    const elapsed = (performance.now() - windowStart) / 1000;
    if (elapsed > 0 && elapsed < seconds) progress(`  ${elapsed.toFixed(0)} s: ${confirmedAt.length} confirmed, ${Object.values(refused).reduce((a, b) => a + b, 0)} refused, ${errors} errors`);
  }, 5_000);
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < windowEnd) {
          const assignment = planner.next();
          if (!assignment) {
            exhausted = true;
            return;
          }
          const startedAt = performance.now();
          const answer = await client.book(assignment.slot, assignment.patient);
          if (startedAt < windowStart) continue;
          requests++;
          samples.push(answer.ms);
          if (answer.status === 201 && answer.appointmentId) {
            confirmedAt.push(performance.now());
            booked.push({ assignment, appointmentId: answer.appointmentId });
          } else if (answer.status === 202 && answer.appointmentId) {
            pendingIds.push({ assignment, appointmentId: answer.appointmentId });
          } else if (answer.status >= 400 && answer.status < 500) {
            increment(refused, answer.code ?? `HTTP ${answer.status}`);
          } else {
            errors++;
          }
        }
      }),
    );
  } finally {
    clearInterval(sampler);
    windowTimers.forEach(clearTimeout);
  }
  const cores = (name: keyof typeof cpuStart) => round((cpuEnd[name] - cpuStart[name]) / seconds);
  if (exhausted) progress('  the free slots ran out before the window ended: raise BENCH_BOOKING_DOCTORS_PER_ORG');
  const measuredSeconds = (Math.max(windowEnd, ...confirmedAt) - windowStart) / 1000;
  const buckets = new Array<number>(seconds).fill(0);
  for (const at of confirmedAt) {
    const second = Math.floor((at - windowStart) / 1000);
    if (second >= 0 && second < seconds) buckets[second]++;
  }

  const pendingSettled: Record<string, number> = {};
  if (pendingIds.length > 0) progress(`  settling ${pendingIds.length} PENDING appointments`);
  await eachConcurrently(pendingIds, 8, async (p) => {
    const status = await client.settle(p.appointmentId, 60_000);
    increment(pendingSettled, status);
    if (status === 'CONFIRMED') booked.push(p);
  });

  // Every confirmed booking is the MIS's: that slot, that patient.
  let misMismatches = 0;
  const byDoctor = new Map<string, Assignment[]>();
  for (const { assignment } of booked) {
    const key = `${assignment.slot.idLpu}|${assignment.slot.idDoc}`;
    byDoctor.set(key, [...(byDoctor.get(key) ?? []), assignment]);
  }
  await eachConcurrently([...byDoctor.values()], 8, async (assignments) => {
    const { idLpu, idDoc } = assignments[0].slot;
    const atMis = new Map((await region.simCall<SimSlot[]>('GET', `/admin/slots?idLpu=${idLpu}&idDoc=${idDoc}`)).map((s) => [s.IdAppointment, s]));
    for (const a of assignments) if (atMis.get(a.slot.idAppointment)?.booking?.idPat !== a.patient.misPatientId) misMismatches++;
  });

  const { stagesMs, adapterMsPerCommand } = await stagesOf(region, booked.map((b) => b.appointmentId));

  return {
    concurrency,
    seconds,
    patients: new Set(booked.map((b) => b.assignment.patient.patientId)).size,
    requests,
    confirmed: confirmedAt.length,
    pending: pendingIds.length,
    refused,
    errors,
    bookingsPerSecond: round(confirmedAt.length / measuredSeconds),
    slowestSecond: Math.min(...buckets),
    latencyMs: percentiles(samples),
    pendingSettled,
    misMismatches,
    peakRssMb: { booking: peakBooking, adapter: peakAdapter },
    stagesMs,
    adapterMsPerCommand,
    cpuCores: { booking: cores('booking'), adapter: cores('adapter'), simulator: cores('simulator'), benchClients: cores('benchClients'), machine: cores('machine'), loadAverage },
  };
}

async function stagesOf(region: Region, appointmentIds: readonly string[]): Promise<Pick<BookingThroughputResult, 'stagesMs' | 'adapterMsPerCommand'>> {
  const rows = await region.bookingDb<Record<'created' | 'relayed' | 'started' | 'finished' | 'answered' | 'applied', number>>(
    `SELECT extract(epoch FROM a.created_at) * 1000 AS created, extract(epoch FROM bo.published_at) * 1000 AS relayed,
            extract(epoch FROM c.started_at) * 1000 AS started, extract(epoch FROM c.finished_at) * 1000 AS finished,
            extract(epoch FROM ao.published_at) * 1000 AS answered, extract(epoch FROM a.updated_at) * 1000 AS applied
     FROM booking_appointment a
     JOIN medbus_outbox bo ON bo.message_key = a.appointment_id::text AND bo.event_type = 'BookSlot'
     JOIN "${region.adapterSchema}".mis_adapter_command c ON c.command_id = a.book_command_id
     JOIN "${region.adapterSchema}".medbus_outbox ao ON ao.message_key = a.appointment_id::text AND ao.event_type = 'SlotBookingConfirmed'
     WHERE a.appointment_id = ANY($1::uuid[]) AND a.status = 'CONFIRMED'`,
    [appointmentIds],
  );
  const hops: Record<StageName, (r: (typeof rows)[number]) => number> = {
    bookingRelay: (r) => r.relayed - r.created,
    toAdapter: (r) => r.started - r.relayed,
    atMis: (r) => r.finished - r.started,
    adapterRelay: (r) => r.answered - r.finished,
    toBooking: (r) => r.applied - r.answered,
  };
  const stagesMs = {} as Record<StageName, { p50: number; p95: number }>;
  for (const name of stageNames) {
    const { p50, p95 } = percentiles(rows.map((r) => Number(hops[name](r))));
    stagesMs[name] = { p50, p95 };
  }
  const finished = rows.map((r) => Number(r.finished)).sort((a, b) => a - b);
  const adapterMsPerCommand = finished.length > 1 ? round((finished[finished.length - 1] - finished[0]) / (finished.length - 1)) : 0;
  return { stagesMs, adapterMsPerCommand };
}

/**
 * 100 clients, each a distinct patient of the clinic, race for the 100 hot slots: every client
 * goes through the slots in its own random order, one attempt at a time, until it holds a
 * confirmed appointment (a 202 is followed until it ends) or no slot is left. That is what
 * operators do when the slot they wanted is gone; firing at every slot at once would give one
 * patient several slots, which the rules forbid for one doctor and day but not across doctors.
 */
async function measureContention(
  region: Region,
  client: BookingClient,
  hot: readonly Slot[],
  patients: readonly Patient[],
  progress: (message: string) => void,
): Promise<ContentionResult> {
  const refused: Record<string, number> = {};
  let attempts = 0;
  let errors = 0;
  let successes = 0;
  let unresolved = 0;
  const started = performance.now();
  await Promise.all(
    patients.map(async (patient) => {
      for (const slot of shuffled(hot)) {
        attempts++;
        const answer = await client.book(slot, patient);
        let status = answer.appointmentStatus;
        if (answer.status === 202 && answer.appointmentId) status = await client.settle(answer.appointmentId, 60_000);
        if (status === 'CONFIRMED') {
          successes++;
          return;
        }
        if (status === 'PENDING' || status === 'UNKNOWN') {
          unresolved++;
          return;
        }
        if (answer.status >= 400 && answer.status < 500) increment(refused, answer.code ?? `HTTP ${answer.status}`);
        else if (answer.status !== 202) errors++;
        else increment(refused, `MIS: ${status}`);
      }
    }),
  );
  const wallSeconds = round((performance.now() - started) / 1000);
  const ids = hot.map((s) => s.slotId);

  const doubles = await region.bookingDb<{ slot_id: string }>(
    `SELECT slot_id FROM booking_appointment WHERE slot_id = ANY($1) AND status = ANY($2) GROUP BY slot_id HAVING count(*) > 1`,
    [ids, activeStatuses],
  );
  const compare = async () => {
    const confirmed = await region.bookingDb<{ slot_id: string; mis_patient_id: string }>(
      `SELECT a.slot_id, p.mis_patient_id FROM booking_appointment a JOIN booking_patient p ON p.patient_id = a.patient_id
       WHERE a.slot_id = ANY($1) AND a.status = 'CONFIRMED'`,
      [ids],
    );
    const inventory = await region.bookingDb<{ slot_id: string; status: string; held: boolean }>(
      `SELECT slot_id, status, held_until IS NOT NULL AND held_until > now() AS held FROM inventory_slot WHERE slot_id = ANY($1)`,
      [ids],
    );
    const confirmedPatient = new Map(confirmed.map((c) => [c.slot_id, c.mis_patient_id]));
    const inventoryOf = new Map(inventory.map((r) => [r.slot_id, r]));
    const atMis = new Map<string, SimSlot>();
    await eachConcurrently(hot, 10, async (slot) => {
      atMis.set(slot.slotId, await region.simCall<SimSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(slot.idAppointment)}`));
    });
    let foreign = 0;
    let confirmedButFree = 0;
    let bookedWithout = 0;
    let inventoryMismatches = 0;
    const holders = new Map<string, number>();
    for (const slot of hot) {
      const mis = atMis.get(slot.slotId);
      const misPatient = mis?.state === 'booked' ? mis.booking?.idPat : undefined;
      const ours = confirmedPatient.get(slot.slotId);
      if (misPatient) holders.set(misPatient, (holders.get(misPatient) ?? 0) + 1);
      if (ours && misPatient && ours !== misPatient) foreign++;
      if (ours && !misPatient) confirmedButFree++;
      if (!ours && misPatient) bookedWithout++;
      const row = inventoryOf.get(slot.slotId);
      const inventoryBooked = row?.status === 'BOOKED';
      if (!row || row.held || inventoryBooked !== (mis?.state === 'booked')) inventoryMismatches++;
    }
    const patientsWithTwo = [...holders.values()].filter((n) => n > 1).length;
    return { foreign, confirmedButFree, bookedWithout, inventoryMismatches, patientsWithTwo };
  };
  const settleStarted = performance.now();
  let state = await compare();
  while (state.inventoryMismatches > 0 && performance.now() - settleStarted < 20_000) {
    await sleep(500);
    state = await compare();
  }
  const settleSeconds = round((performance.now() - settleStarted) / 1000);
  if (state.inventoryMismatches > 0) progress(`  ${state.inventoryMismatches} hot slots still differ from the MIS after 20 s`);
  return {
    clients: patients.length,
    hotSlots: hot.length,
    attempts,
    wallSeconds,
    successes,
    unresolved,
    refused,
    errors,
    doubleBookingsInMedbus: doubles.length,
    doubleBookingsAtMis: state.foreign,
    confirmedButFreeAtMis: state.confirmedButFree,
    bookedAtMisWithoutAppointment: state.bookedWithout,
    patientsWithTwoAtMis: state.patientsWithTwo,
    inventoryMismatches: state.inventoryMismatches,
    inventoryEqualsMis: state.inventoryMismatches === 0,
    settleSeconds,
  };
}

/** The MIS's own booking call, without medbus: one caller after another, then 16 at once. */
async function measureSetAppointment(region: Region, planner: Planner): Promise<SetAppointmentLimit> {
  const call = async (assignment: Assignment): Promise<{ ms: number; ok: boolean }> => {
    const started = performance.now();
    try {
      const response = await fetch(`${region.simUrl}/Hub25/HubService.svc`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapActionOf('SetAppointment')}"` },
        body: encodeSoapRequest('SetAppointment', {
          guid: misGuid,
          idLpu: assignment.slot.idLpu,
          idAppointment: assignment.slot.idAppointment,
          idPat: assignment.patient.misPatientId,
        }),
        signal: AbortSignal.timeout(10_000),
      });
      const result = decodeSoapResponse('SetAppointment', await response.text());
      return { ms: performance.now() - started, ok: result.Success };
    } catch {
      return { ms: performance.now() - started, ok: false };
    }
  };
  const run = async (calls: number, concurrency: number) => {
    const assignments = Array.from({ length: calls }, () => planner.next()).filter((a): a is Assignment => a !== undefined);
    const samples: number[] = [];
    let failures = 0;
    const started = performance.now();
    await eachConcurrently(assignments, concurrency, async (a) => {
      const { ms, ok } = await call(a);
      samples.push(ms);
      if (!ok) failures++;
    });
    const secs = (performance.now() - started) / 1000;
    return { calls: samples.length, callsPerSecond: round(samples.length / secs), latencyMs: percentiles(samples), failures };
  };
  const sequential = await run(200, 1);
  const concurrent = await run(800, 16);
  return { sequential, concurrent: { concurrency: 16, ...concurrent } };
}

/** Deletes consumer groups the bench created, waiting (up to a minute) for members that were killed to time out. */
export async function deleteGroups(env: Record<string, string>, groups: string[]): Promise<void> {
  const admin = stackKafka('bench-cleanup', env).admin();
  try {
    await admin.connect();
    const existing = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    for (const group of groups.filter((g) => existing.has(g))) {
      for (const deadline = Date.now() + 60_000; ; ) {
        try {
          await admin.deleteGroups([group]);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(3_000);
        }
      }
    }
  } catch (error) {
    process.stderr.write(`[bench] could not delete consumer groups ${groups.join(', ')}: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

if (require.main === module) {
  measureBooking(readStackEnv(), (message) => process.stdout.write(`[bench] ${message}\n`)).then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
