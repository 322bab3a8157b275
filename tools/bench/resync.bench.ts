import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { Client } from 'pg';
import { AllEvents, type OrganisationPublished, type ResourcePublished, type SlotPublished } from '@medbus/contracts';
import { adapterTopicOf, namespaced, type EventPublisher, type OutgoingEvent } from '@medbus/kafka';
import { stackEnv, stackKafka } from '@medbus/testing';
import { machineBusySeconds, processStat, type BookingUnderTest } from './pipeline.bench';

/**
 * The projection's resync path with pre-built events: the reference region's catalogue, then its
 * slots published as fast as the producer goes, into an empty inventory (a rebuild) and again with
 * newer versions onto the populated one (a resync). Timed from the first slot sent until the booking
 * service's consumer group has committed the topic's end offsets (offsets are committed only after
 * the batch's transaction), then the rows are counted.
 */

export interface ResyncShape {
  readonly organisations: number;
  readonly practitionersPerOrganisation: number;
  readonly slots: number;
}

export interface ResyncPhase {
  /** Transactions the inventory consumer committed in the phase, and events per transaction. */
  readonly batches: number;
  readonly eventsPerBatch: number;
  /** CPU seconds in the phase: the booking service, PostgreSQL (all its processes), Kafka's broker, and the whole machine (2 cores × seconds is all there is). */
  readonly bookingCpuSeconds: number;
  readonly cpuSeconds: { readonly booking: number; readonly postgres: number; readonly kafka: number; readonly machine: number };
  readonly events: number;
  readonly publishSeconds: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Seconds 2 M slot events would take at this rate. */
  readonly referenceRegionSeconds: number;
}

export interface ResyncResult {
  readonly shape: ResyncShape;
  readonly rebuild: ResyncPhase;
  readonly resync: ResyncPhase;
  readonly peakRssMb: number;
  readonly batchSize: number;
}

const specialties = ['27', '109', '53', '34', '76', '9', '80', '122'];
const round = (n: number) => Math.round(n * 100) / 100;

function catalogueOf(runId: string, shape: ResyncShape, now: number): OutgoingEvent[] {
  const events: OutgoingEvent[] = [];
  for (let o = 0; o < shape.organisations; o++) {
    const oid = `1.2.643.5.1.13.13.12.2.98.${runId}.${o}`;
    const organisation: OrganisationPublished = {
      organisationOid: oid, fullName: `Resync clinic ${o}`, shortName: `Resync ${o}`, districtId: `resync-${o % 40}`,
      districtName: `District ${o % 40}`, misVendor: 'bench', timeZone: 'Europe/Moscow', active: true, address: null, sourceVersion: 1, occurredAt: now,
    };
    events.push({ event: AllEvents.OrganisationPublished, key: oid, value: organisation });
    for (let r = 0; r < shape.practitionersPerOrganisation; r++) {
      const code = specialties[r % specialties.length];
      const practitioner: ResourcePublished = {
        resourceId: `${oid}:D${r}`, organisationOid: oid, localResourceId: `D${r}`, federalPractitionerId: null, practitionerSnils: null, displayName: `Doctor ${r}`,
        specialty: { nsiCode: code, misCode: `S${code}`, misName: `Specialty ${code}` }, position: null, departmentOid: null, departmentName: null,
        room: null, active: true, sourceVersion: 1, occurredAt: now, patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false,
      };
      events.push({ event: AllEvents.ResourcePublished, key: practitioner.resourceId, value: practitioner });
    }
  }
  return events;
}

/** Slot `i` of the region: practitioners' days filled in 15-minute steps over 14 days from the next hour. */
function slotEvent(runId: string, shape: ResyncShape, i: number, version: number, start: number): OutgoingEvent {
  const practitioners = shape.organisations * shape.practitionersPerOrganisation;
  const p = i % practitioners;
  const o = p % shape.organisations;
  const r = Math.floor(p / shape.organisations);
  const oid = `1.2.643.5.1.13.13.12.2.98.${runId}.${o}`;
  const step = Math.floor(i / practitioners);
  // 32 slots a day from 08:00, 14 days.
  const startsAt = start + Math.floor(step / 32) * 86_400_000 + (step % 32) * 15 * 60_000;
  const slot: SlotPublished = {
    slotId: `${oid}:S${i}`, localSlotId: `S${i}`, organisationOid: oid, resourceId: `${oid}:D${r}`, localResourceId: `D${r}`,
    startsAt, endsAt: startsAt + 15 * 60_000,
    // A resync finds a tenth of the slots booked since.
    status: i % 5 === 0 || (version > 1 && i % 10 === 1) ? 'BOOKED' : 'FREE',
    bookingChannels: ['CONTACT_CENTRE', 'PORTAL'], room: null, sourceVersion: version, occurredAt: Date.now(),
  };
  return { event: AllEvents.SlotPublished, key: slot.slotId, value: slot };
}

async function groupLag(admin: KafkaJS.Admin, booking: BookingUnderTest, contractTopic: string): Promise<number> {
  const topic = adapterTopicOf(contractTopic, booking.adapterId, booking.namespace);
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId: namespaced(booking.groupId, booking.namespace), topics: [topic] });
  const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  return ends.reduce((lag, end) => lag + Math.max(0, Number(end.high) - Math.max(at.get(end.partition) ?? 0, Number(end.low))), 0);
}

async function drained(admin: KafkaJS.Admin, topics: readonly string[], booking: BookingUnderTest, peak: { rssMb: number }, progress: (m: string) => void): Promise<void> {
  let lastReport = Date.now();
  for (const deadline = Date.now() + 1_800_000; ; ) {
    peak.rssMb = Math.max(peak.rssMb, booking.rssMb());
    let lag = 0;
    for (const topic of topics) lag += await groupLag(admin, booking, topic);
    if (lag === 0) return;
    if (Date.now() - lastReport > 10_000) {
      progress(`  ${lag.toLocaleString('en')} events still to apply`);
      lastReport = Date.now();
    }
    if (Date.now() > deadline) throw new Error(`the bench booking service still had ${lag} events to apply after 30 min`);
    await sleep(250);
  }
}

async function phase(
  name: string,
  version: number,
  context: { runId: string; shape: ResyncShape; start: number; publisher: EventPublisher; admin: KafkaJS.Admin; booking: BookingUnderTest; peak: { rssMb: number } },
  progress: (m: string) => void,
): Promise<ResyncPhase> {
  const { runId, shape, start, publisher, admin, booking, peak } = context;
  progress(`resync: ${name}, ${shape.slots.toLocaleString('en')} slot events`);
  const before = await consumerCounts(booking);
  const cpuBefore = booking.cpuSeconds();
  const othersBefore = processCpu();
  const started = Date.now();
  for (let i = 0; i < shape.slots; i += 5_000) {
    const chunk: OutgoingEvent[] = [];
    for (let k = i; k < Math.min(shape.slots, i + 5_000); k++) chunk.push(slotEvent(runId, shape, k, version, start));
    await publisher.publishAll(chunk);
  }
  const publishSeconds = (Date.now() - started) / 1000;
  await drained(admin, [AllEvents.SlotPublished.topic], booking, peak, progress);
  const seconds = (Date.now() - started) / 1000;
  const eventsPerSecond = Math.round(shape.slots / seconds);
  const after = await consumerCounts(booking);
  const batches = after.batches - before.batches;
  const bookingCpuSeconds = round(booking.cpuSeconds() - cpuBefore);
  const othersAfter = processCpu();
  const cpuSeconds = {
    booking: bookingCpuSeconds,
    postgres: round(othersAfter.postgres - othersBefore.postgres),
    kafka: round(othersAfter.kafka - othersBefore.kafka),
    machine: round(othersAfter.machine - othersBefore.machine),
  };
  progress(
    `  ${eventsPerSecond.toLocaleString('en')} events/s (${round(seconds)} s; publishing alone ${round(publishSeconds)} s; ${batches} transactions; CPU s: booking ${cpuSeconds.booking}, PostgreSQL ${cpuSeconds.postgres}, Kafka ${cpuSeconds.kafka}, machine ${cpuSeconds.machine} of ${round(2 * seconds)})`,
  );
  return { batches, eventsPerBatch: round((after.applied - before.applied) / Math.max(1, batches)), bookingCpuSeconds, cpuSeconds, events: shape.slots, publishSeconds: round(publishSeconds), seconds: round(seconds), eventsPerSecond, referenceRegionSeconds: round(2_000_000 / eventsPerSecond) };
}

export async function measureResync(
  booking: BookingUnderTest,
  publisher: EventPublisher,
  options: { brokers: string[]; databaseUrl: string; runId: string; shape: ResyncShape; batchSize: number },
  progress: (m: string) => void,
): Promise<ResyncResult> {
  const { shape, runId } = options;
  const admin = stackKafka('bench-resync', { ...stackEnv(), KAFKA_BROKERS: options.brokers.join(',') }).admin();
  await admin.connect();
  const db = new Client({ connectionString: options.databaseUrl });
  await db.connect();
  const peak = { rssMb: 0 };
  try {
    const now = Date.now();
    const start = new Date(new Date(now + 86_400_000).toISOString().slice(0, 10) + 'T05:00:00Z').getTime();
    const catalogue = catalogueOf(runId, shape, now);
    await booking.register(catalogue.filter((e) => e.event.name === 'OrganisationPublished').map((e) => e.key));
    await publisher.publishAll(catalogue);
    await drained(admin, [AllEvents.OrganisationPublished.topic, AllEvents.ResourcePublished.topic], booking, peak, progress);
    const context = { runId, shape, start, publisher, admin, booking, peak };
    const rebuild = await phase('rebuild into an empty inventory', 1, context, progress);
    await expectRows(db, booking.schema, runId, shape.slots, 1);
    // Not timed: what autovacuum would do between a rebuild and the next resync (it is off on this machine).
    await db.query(`VACUUM (ANALYZE) "${booking.schema}".inventory_slot`);
    const resync = await phase('resync onto the populated inventory (every slot a newer version, a tenth booked since)', 2, context, progress);
    await expectRows(db, booking.schema, runId, shape.slots, 2);
    await db.query(`VACUUM (ANALYZE) "${booking.schema}".inventory_slot`);
    return { shape, rebuild, resync, peakRssMb: peak.rssMb, batchSize: options.batchSize };
  } finally {
    await db.end();
    await admin.disconnect();
  }
}

/** CPU seconds so far of PostgreSQL's processes, the Kafka broker, and the machine (/proc; 100 ticks a second). */
export function processCpu(): { postgres: number; kafka: number; machine: number } {
  let postgres = 0;
  let kafka = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const stat = processStat(pid);
    if (stat?.command === 'postgres') postgres += stat.cpuSeconds;
    else if (stat?.command === 'java' && isKafka(pid)) kafka += stat.cpuSeconds;
  }
  return { postgres, kafka, machine: machineBusySeconds() };
}

function isKafka(pid: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('medbus.stack=kafka');
  } catch {
    return false;
  }
}

async function consumerCounts(booking: BookingUnderTest): Promise<{ batches: number; applied: number }> {
  const response = await fetch(`${booking.url}/health/ready`);
  const body = (await response.json()) as { consumers?: Record<string, { batches: number; applied: number }> };
  return body.consumers?.inventory ?? { batches: 0, applied: 0 };
}

async function expectRows(db: Client, schema: string, runId: string, slots: number, version: number): Promise<void> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS n FROM "${schema}".inventory_slot WHERE source_version = $1 AND offered AND organisation_oid LIKE $2`,
    [version, `1.2.643.5.1.13.13.12.2.98.${runId}.%`],
  );
  if (rows[0].n !== slots) throw new Error(`expected ${slots} offered slots at version ${version} in the inventory, found ${rows[0].n}`);
}
