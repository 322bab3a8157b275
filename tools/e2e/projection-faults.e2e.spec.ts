import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { AllEvents, Topics, type OrganisationPublished, type ResourcePublished, type SlotPublished } from '@medbus/contracts';
import { EventPublisher, adapterTopicOf, adapterTopicsOf, deadLetterTopicOf, deleteNamespaceTopics, ensureTopics, type OutgoingEvent } from '@medbus/kafka';
import { freePort, stackAddresses, stackKafka, stackKafkaEnv, startProcess, startTcpProxy, testConnection, waitForHttp, type ServiceProcess, type TcpProxy } from '@medbus/testing';
import { compiledServices, nodeCommandOf } from '../build/build-services';
import { eventually, registerAdapterIn, root } from './region.process';

/**
 * The booking service's projection as a process, on a bus of its own (a namespace), under the
 * faults the issue names: killed with -9 in the middle of a batch, and PostgreSQL unreachable for
 * 30 s while events keep coming. Nothing may be lost, applied twice, or dead-lettered.
 */

const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const namespace = `e2e-faults-${runId}`;
const schema = `booking_faults_${runId}`;
const groupId = `booking-faults-${runId}`;
const adapterId = `e2e-faults-${runId}`;
const oid = (o: number) => `1.2.643.5.1.13.13.12.2.97.${runId}.${o}`;
const organisations = 20;
const practitionersPerOrganisation = 5;

interface ReadyBody {
  readonly consumers: Record<string, { applied: number; duplicates: number; deadLettered: number; outages: number }>;
}

describe('the booking projection under faults, end to end', () => {
  const addresses = stackAddresses();
  const connection = { ...testConnection(`e2e-faults-${runId}`), namespace };
  let publisher: EventPublisher;
  let proxy: TcpProxy;
  let db: Client;
  let booking: ServiceProcess | undefined;
  let port = 0;
  let starts = 0;

  function startBooking(): ServiceProcess {
    const database = new URL(addresses.databaseUrl);
    database.hostname = '127.0.0.1';
    database.port = String(proxy.port);
    return startProcess({
      name: 'booking',
      ...nodeCommandOf(compiledServices.booking),
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: addresses.kafkaBrokers.join(','),
        ...stackKafkaEnv(),
        SCHEMA_REGISTRY_URL: addresses.schemaRegistryUrl,
        DATABASE_URL: database.toString(),
        KAFKA_NAMESPACE: namespace,
        BOOKING_CONSUMER_GROUP: groupId,
        BOOKING_DATABASE_SCHEMA: schema,
        HTTP_PORT: String(port),
        OTEL_SDK_DISABLED: 'true',
      },
      cwd: root,
      logFile: join(root, '.medbus', 'logs', `e2e-faults-booking-${runId}-${++starts}.log`),
    });
  }

  async function ready(): Promise<ReadyBody> {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
    return (await response.json()) as ReadyBody;
  }

  const slotEvent = (i: number, version: number): OutgoingEvent => {
    const o = i % organisations;
    const r = Math.floor(i / organisations) % practitionersPerOrganisation;
    const startsAt = Date.UTC(2031, 0, 6, 6) + Math.floor(i / (organisations * practitionersPerOrganisation)) * 900_000;
    const slot: SlotPublished = {
      slotId: `${oid(o)}:S${i}`, localSlotId: `S${i}`, organisationOid: oid(o), resourceId: `${oid(o)}:D${r}`, localResourceId: `D${r}`,
      startsAt, endsAt: startsAt + 900_000, status: version % 2 === 1 ? 'FREE' : 'BOOKED', bookingChannels: ['CONTACT_CENTRE'], room: null,
      sourceVersion: version, occurredAt: Date.now(),
    };
    return { event: AllEvents.SlotPublished, key: slot.slotId, value: slot };
  };

  async function publishSlots(from: number, to: number, version: number): Promise<void> {
    for (let i = from; i < to; i += 2_000) {
      await publisher.publishAll(Array.from({ length: Math.min(2_000, to - i) }, (_, k) => slotEvent(i + k, version)));
    }
  }

  const countAt = async (version: number): Promise<number> =>
    (await db.query(`SELECT count(*)::int AS n FROM "${schema}".inventory_slot WHERE source_version = $1 AND offered`, [version])).rows[0].n as number;

  async function deadLetters(): Promise<number> {
    const admin = stackKafka(`e2e-faults-admin-${runId}`).admin();
    await admin.connect();
    try {
      let total = 0;
      for (const topic of [Topics.slot, Topics.organisation, Topics.resource]) {
        const offsets = await admin.fetchTopicOffsets(deadLetterTopicOf(adapterTopicOf(topic, adapterId, namespace), namespace));
        total += offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      }
      return total;
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    await ensureTopics(connection, adapterTopicsOf(adapterId), 3);
    const database = new URL(addresses.databaseUrl);
    proxy = await startTcpProxy(database.hostname, Number(database.port || 5432));
    db = new Client({ connectionString: addresses.databaseUrl });
    await db.connect();
    publisher = new EventPublisher(connection, { origin: adapterId });
    const catalogue: OutgoingEvent[] = [];
    for (let o = 0; o < organisations; o++) {
      const organisation: OrganisationPublished = {
        organisationOid: oid(o), fullName: `Clinic ${o}`, shortName: `C${o}`, districtId: 'd1', districtName: 'D1', misVendor: 'e2e',
        timeZone: 'Europe/Moscow', active: true, address: null, sourceVersion: 1, occurredAt: Date.now(),
      };
      catalogue.push({ event: AllEvents.OrganisationPublished, key: oid(o), value: organisation });
      for (let r = 0; r < practitionersPerOrganisation; r++) {
        const practitioner: ResourcePublished = {
          resourceId: `${oid(o)}:D${r}`, organisationOid: oid(o), localResourceId: `D${r}`, federalPractitionerId: null, practitionerSnils: null, displayName: `Doctor ${r}`,
          specialty: { nsiCode: '76', misCode: 'T', misName: 'Therapy' }, position: null, departmentOid: null, departmentName: null, room: null,
          active: true, sourceVersion: 1, occurredAt: Date.now(), patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false,
        };
        catalogue.push({ event: AllEvents.ResourcePublished, key: practitioner.resourceId, value: practitioner });
      }
    }
    await publisher.publishAll(catalogue);
    await registerAdapterIn(schema, adapterId, Array.from({ length: organisations }, (_, o) => oid(o)));
    port = await freePort();
    booking = startBooking();
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, booking, 120_000);
  }, 180_000);

  afterAll(async () => {
    await booking?.stop(10_000);
    await publisher?.close();
    await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await db?.end();
    await proxy?.close();
    await deleteNamespaceTopics(connection, namespace).catch(() => undefined);
  });

  it('loses nothing and applies nothing twice when killed with -9 in the middle of its batches', async () => {
    const slots = 40_000;
    await publishSlots(0, slots, 1);
    // Barrier: some batches are committed, most are not.
    await eventually(async () => (await countAt(1)) >= 2_000, 'the first batches applied', 120_000, 50);
    const before = await countAt(1);
    booking?.child.kill('SIGKILL');
    await eventually(async () => !booking?.alive(), 'the killed process gone', 10_000, 50);
    expect(before).toBeLessThan(slots);

    booking = startBooking();
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, booking, 120_000);
    await eventually(async () => (await countAt(1)) === slots, `all ${slots} slots after the restart`, 300_000, 500);

    // Every slot event recorded exactly once in the processed-event store of the group; the batches
    // the killed process had committed but not yet acknowledged came again and were recognised.
    const recorded = await db.query(`SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM "${schema}".medbus_processed_event WHERE consumer_group = $1`, [groupId]);
    expect(recorded.rows[0]).toEqual({ n: slots + organisations * (1 + practitionersPerOrganisation), d: slots + organisations * (1 + practitionersPerOrganisation) });
    const { consumers } = await ready();
    expect(consumers.inventory.deadLettered).toBe(0);
    expect(await deadLetters()).toBe(0);
  }, 600_000);

  it('dead-letters nothing while PostgreSQL is unreachable for 30 s under load, and catches up after', async () => {
    const slots = 40_000;
    proxy.cut();
    const cutAt = Date.now();
    await publishSlots(0, slots, 2);
    // Barrier: the service has met the outage (its readiness says the database is down), not merely been idle.
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 503, 'readiness to report the outage', 60_000, 250);
    await sleep(Math.max(0, 30_000 - (Date.now() - cutAt)));
    proxy.restore();

    await eventually(async () => (await countAt(2)) === slots, `all ${slots} newer versions after the outage`, 300_000, 500);
    const { consumers } = await ready();
    expect(consumers.inventory.outages).toBeGreaterThan(0);
    expect(consumers.inventory.deadLettered).toBe(0);
    expect(await deadLetters()).toBe(0);
    expect(booking?.alive()).toBe(true);
  }, 600_000);
});
