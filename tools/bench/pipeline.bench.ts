import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { AllEvents, Topics, type OrganisationPublished, type ResourcePublished, type SlotPublished } from '@medbus/contracts';
import { adapterTopicsOf, deleteNamespaceTopics, ensureTopics, isPerAdapterTopic, type OutgoingEvent } from '@medbus/kafka';
import { stackKafkaSecurity, startProcess, waitForHttp } from '@medbus/testing';
import { compiledServices, nodeCommandOf } from '../build/build-services';
import { clientsCli, registerAdapterIn } from '../e2e/region.process';

const root = join(__dirname, '..', '..');

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly count: number;
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), count: sorted.length };
}

const round = (n: number) => Math.round(n * 100) / 100;

export interface BookingUnderTest {
  readonly url: string;
  readonly apiKey: string;
  readonly schema: string;
  /** The bench's own bus (KAFKA_NAMESPACE): whatever publishes to this booking service uses it too. */
  readonly namespace: string;
  /** Its inventory consumer group, as named inside the namespace. */
  readonly groupId: string;
  /** The MIS adapter the bench's own publishers speak as (their events go to its topics, 0012). */
  readonly adapterId: string;
  /** Registers organisations to an adapter (default the bench's), creating its topics: the service refuses events of others. */
  register(organisationOids: readonly string[], adapterId?: string): Promise<void>;
  rssMb(): number;
  /** CPU seconds (user + system) the service has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * A booking service of the bench's own: its own bus (a namespace: topics, registry subjects and
 * consumer groups no other run sees), consumer group and Postgres schema. Stopping it deletes the
 * namespace's topics.
 */
export async function startBooking(env: Record<string, string>, port: number, runId: string): Promise<BookingUnderTest> {
  const schema = `bench_${runId}`;
  const namespace = `bench-${runId}`;
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const adapterId = `bench-${runId}`.slice(0, 40);
  const shared = Object.values(Topics).filter((topic) => !isPerAdapterTopic(topic));
  await ensureTopics({ brokers, namespace, ...stackKafkaSecurity(env) }, [...shared, ...adapterTopicsOf(adapterId)], 3);

  const service = startProcess({
    name: 'booking',
    ...withNodeArgs(nodeCommandOf(compiledServices.booking), process.env.BENCH_BOOKING_NODE_ARGS),
    env: {
      ...process.env,
      ...env,
      HTTP_PORT: String(port),
      BOOKING_DATA_KEYS: `bench=${randomBytes(32).toString('base64')}`,
      BOOKING_CONSUMER_GROUP: `bench-${runId}`,
      BOOKING_DATABASE_SCHEMA: schema,
      KAFKA_NAMESPACE: namespace,
      OTEL_SDK_DISABLED: 'true',
    },
    cwd: root,
    logFile: join(root, '.medbus', 'logs', 'bench-booking.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health/ready`, service, 120_000);
  // The service's own database (the stack's, not its test database).
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus';
  const apiKey = await clientsCli(schema, ['issue', '--client', 'bench-operator', '--role', 'OPERATOR'], databaseUrl);
  return {
    url,
    apiKey,
    schema,
    namespace,
    groupId: `bench-${runId}`,
    adapterId,
    register: async (organisationOids, adapter = adapterId) => {
      await ensureTopics({ brokers, namespace, ...stackKafkaSecurity(env) }, adapterTopicsOf(adapter), 3);
      await registerAdapterIn(schema, adapter, organisationOids, databaseUrl);
    },
    rssMb: () => rssMbOf(service.child.pid as number),
    cpuSeconds: () => cpuSecondsOf(service.child.pid as number),
    stop: async () => {
      await service.stop(10_000);
      await deleteNamespaceTopics({ brokers, ...stackKafkaSecurity(env) }, namespace);
    },
  };
}

/**
 * Extra node options for the bench's booking service, e.g. `BENCH_BOOKING_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof"` to profile where a section's time goes (written when it stops).
 */
function withNodeArgs(launch: { command: string; args: string[] }, extra: string | undefined): { command: string; args: string[] } {
  if (!extra) return launch;
  const node = launch.args.indexOf(process.execPath);
  return { command: launch.command, args: [...launch.args.slice(0, node + 1), ...extra.split(/\s+/).filter(Boolean), ...launch.args.slice(node + 1)] };
}

/** The service a launcher started: npx → tsx → node, the deepest descendant. */
function servicePidOf(launcherPid: number): number {
  let pid = launcherPid;
  for (;;) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    } catch {
      break;
    }
    if (!children) break;
    pid = Number(children.split(/\s+/)[0]);
  }
  return pid;
}

/** RSS of the service a launcher started. */
export function rssMbOf(launcherPid: number): number {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${servicePidOf(launcherPid)}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** A process's command name and CPU seconds (user + system) so far; undefined once it has ended. */
export function processStat(pid: number | string): { command: string; cpuSeconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th, in clock ticks (100/s on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) the service a launcher started has used so far. */
export function cpuSecondsOf(launcherPid: number): number {
  return processStat(servicePidOf(launcherPid))?.cpuSeconds ?? 0;
}

/** CPU seconds all cores of the machine spent busy so far (/proc/stat: everything but idle and iowait). */
export function machineBusySeconds(): number {
  try {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.slice(0, 8).reduce((a, n) => a + n, 0);
    return (total - ticks[3] - ticks[4]) / 100;
  } catch {
    return 0;
  }
}

export interface RegionShape {
  readonly organisations: number;
  readonly resourcesPerOrganisation: number;
  readonly slots: number;
}

const specialties = ['27', '109', '53', '34', '76', '9', '80', '122'];

/** A synthetic region's events, ids unique to the run. */
export function regionEvents(runId: string, shape: RegionShape): { catalogue: OutgoingEvent[]; slots: OutgoingEvent[]; organisationOids: string[] } {
  const now = Date.now();
  const catalogue: OutgoingEvent[] = [];
  const organisationOids: string[] = [];
  const resources: string[][] = [];
  for (let o = 0; o < shape.organisations; o++) {
    const oid = `1.2.643.5.1.13.13.12.2.99.${runId}.${o}`;
    organisationOids.push(oid);
    const org: OrganisationPublished = {
      organisationOid: oid, fullName: `Bench clinic ${o}`, shortName: `Bench ${o}`, districtId: `bench-${o % 10}`,
      districtName: `Bench district ${o % 10}`, misVendor: 'bench', timeZone: 'Europe/Moscow', active: true, address: null,
      sourceVersion: 1, occurredAt: now,
    };
    catalogue.push({ event: AllEvents.OrganisationPublished, key: oid, value: org });
    resources.push([]);
    for (let r = 0; r < shape.resourcesPerOrganisation; r++) {
      const resourceId = `${oid}:D${r}`;
      resources[o].push(resourceId);
      const code = specialties[r % specialties.length];
      const resource: ResourcePublished = {
        resourceId, organisationOid: oid, localResourceId: `D${r}`, federalPractitionerId: null, practitionerSnils: null, displayName: `Doctor ${r}`,
        specialty: { nsiCode: code, misCode: `S${code}`, misName: `Specialty ${code}` }, position: null,
        departmentOid: null, departmentName: null, room: null, active: true, sourceVersion: 1, occurredAt: now,
        patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false,
      };
      catalogue.push({ event: AllEvents.ResourcePublished, key: resourceId, value: resource });
    }
  }
  const slots: OutgoingEvent[] = [];
  const start = Math.ceil(now / 3_600_000) * 3_600_000 + 3_600_000;
  for (let i = 0; i < shape.slots; i++) {
    const o = i % shape.organisations;
    const resourceId = resources[o][Math.floor(i / shape.organisations) % shape.resourcesPerOrganisation];
    const localSlotId = `S${i}`;
    const startsAt = start + Math.floor(i / (shape.organisations * shape.resourcesPerOrganisation)) * 15 * 60_000;
    const slot: SlotPublished = {
      slotId: `${organisationOids[o]}:${localSlotId}`, localSlotId, organisationOid: organisationOids[o], resourceId,
      localResourceId: resourceId.split(':').pop() as string, startsAt, endsAt: startsAt + 15 * 60_000,
      status: i % 5 === 0 ? 'BOOKED' : 'FREE', bookingChannels: ['CONTACT_CENTRE', 'PORTAL'], room: null, sourceVersion: 1, occurredAt: now,
    };
    slots.push({ event: AllEvents.SlotPublished, key: slot.slotId, value: slot });
  }
  return { catalogue, slots, organisationOids };
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await db.end();
  }
}
