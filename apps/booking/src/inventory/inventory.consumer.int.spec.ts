import { DataSource } from 'typeorm';
import { AllEvents, type OrganisationPublished, type ResourcePublished, type SlotPublished } from '@medbus/contracts';
import type { ConsumedEvent, EventDefinition } from '@medbus/kafka';
import { schemaDataSource, uniqueName } from '@medbus/testing';
import { bookingMigrations } from '../app.module';
import type { Clock } from './clock.service';
import { InventoryProjection } from './inventory.consumer';
import { InventoryService } from './inventory.service';
import { ReservationsService } from '../reservations/reservations.service';
import { WaitlistService } from '../waitlist/waitlist.service';
import type { BookingConfig } from '../booking.config';
import { AuditLog } from '../audit/audit.service';
import { AdapterRegistry } from '../clients/adapter-registry.service';
import { registerAdapter } from '../clients/clients.service';
import { DataCipher } from '../data-cipher.service';

const run = uniqueName('replay').replace(/[^a-z0-9]/g, '');
const root = `7.${run}`;
const hour = 3_600_000;
const day0 = Date.UTC(2031, 5, 2, 6, 0);

let sequence = 0;
function anEvent(definition: EventDefinition, key: string, value: object): ConsumedEvent {
  const n = sequence++;
  return {
    eventId: `${run}-${n}`,
    eventType: definition.name,
    correlationId: `${run}-${n}`,
    fullName: definition.fullName,
    schemaId: 1,
    key,
    topic: definition.topic,
    partition: 0,
    offset: String(n),
    headers: {},
    value,
  };
}

const anOrganisation = (o: number, overrides: Partial<OrganisationPublished> = {}): OrganisationPublished => ({
  organisationOid: `${root}.${o}`,
  fullName: `Поликлиника ${o}`,
  shortName: `П${o}`,
  districtId: `d${o % 2}`,
  districtName: `Район ${o % 2}`,
  misVendor: 'test',
  timeZone: 'Europe/Moscow',
  active: true,
  address: null,
  sourceVersion: 1,
  occurredAt: day0,
  ...overrides,
});

const aPractitioner = (o: number, r: number, overrides: Partial<ResourcePublished> = {}): ResourcePublished => ({
  resourceId: `${root}.${o}:doc${r}`,
  organisationOid: `${root}.${o}`,
  localResourceId: `doc${r}`,
  federalPractitionerId: null,
  practitionerSnils: null,
  displayName: `Врач ${r}`,
  specialty: { nsiCode: String(70 + r), misCode: `S${r}`, misName: `Специальность ${r}` },
  position: null,
  departmentOid: null,
  departmentName: null,
  room: null,
  active: true,
  sourceVersion: 1,
  occurredAt: day0,
  patientSex: null,
  minPatientAgeYears: null,
  maxPatientAgeYears: null,
  attachmentRequired: false,
  ...overrides,
});

const aSlot = (o: number, r: number, s: number, overrides: Partial<SlotPublished> = {}): SlotPublished => ({
  slotId: `${root}.${o}:doc${r}:${s}`,
  localSlotId: `doc${r}:${s}`,
  organisationOid: `${root}.${o}`,
  resourceId: `${root}.${o}:doc${r}`,
  localResourceId: `doc${r}`,
  startsAt: day0 + s * hour,
  endsAt: day0 + s * hour + 900_000,
  status: 'FREE',
  bookingChannels: s % 2 === 0 ? ['CONTACT_CENTRE', 'PORTAL'] : ['PORTAL'],
  room: null,
  sourceVersion: 1,
  occurredAt: day0,
  ...overrides,
});

/**
 * A small region's history in the order an adapter would publish it per aggregate: slots before
 * their practitioners and organisations, later versions of some of them (booked, moved, removed,
 * a practitioner changing specialty, one going inactive, an organisation changing district).
 */
function regionHistory(): ConsumedEvent[] {
  const events: ConsumedEvent[] = [];
  for (let o = 0; o < 3; o++) {
    for (let r = 0; r < 3; r++) {
      for (let s = 0; s < 8; s++) {
        const slot = aSlot(o, r, s);
        events.push(anEvent(AllEvents.SlotPublished, slot.slotId, slot));
      }
    }
  }
  for (let o = 0; o < 3; o++) {
    for (let r = 0; r < 3; r++) {
      const practitioner = aPractitioner(o, r);
      events.push(anEvent(AllEvents.ResourcePublished, practitioner.resourceId, practitioner));
    }
    const organisation = anOrganisation(o);
    events.push(anEvent(AllEvents.OrganisationPublished, organisation.organisationOid, organisation));
  }
  for (let o = 0; o < 3; o++) {
    const booked = aSlot(o, 0, 1, { status: 'BOOKED', sourceVersion: 2 });
    events.push(anEvent(AllEvents.SlotChanged, booked.slotId, booked));
    const moved = aSlot(o, 1, 2, { startsAt: day0 + 30 * hour, endsAt: day0 + 30 * hour + 900_000, sourceVersion: 2 });
    events.push(anEvent(AllEvents.SlotChanged, moved.slotId, moved));
    const removed = aSlot(o, 2, 3);
    events.push(
      anEvent(AllEvents.SlotRemoved, removed.slotId, {
        slotId: removed.slotId,
        organisationOid: removed.organisationOid,
        resourceId: removed.resourceId,
        localSlotId: removed.localSlotId,
        sourceVersion: 3,
        occurredAt: day0 + hour,
      }),
    );
  }
  const retrained = aPractitioner(1, 1, { specialty: { nsiCode: '99', misCode: 'S99', misName: 'Другая' }, sourceVersion: 2 });
  events.push(anEvent(AllEvents.ResourcePublished, retrained.resourceId, retrained));
  const inactive = aPractitioner(2, 2, { active: false, sourceVersion: 2 });
  events.push(anEvent(AllEvents.ResourcePublished, inactive.resourceId, inactive));
  const movedOrganisation = anOrganisation(0, { districtId: 'd9', sourceVersion: 2 });
  events.push(anEvent(AllEvents.OrganisationPublished, movedOrganisation.organisationOid, movedOrganisation));
  // A slot whose practitioner never arrives is stored but never offered.
  const orphan = aSlot(0, 7, 0);
  events.push(anEvent(AllEvents.SlotPublished, orphan.slotId, orphan));
  return events;
}

/** A reordering that keeps each aggregate's own order (what partitions guarantee) and nothing else. */
function interleaved(events: readonly ConsumedEvent[], seed: number): ConsumedEvent[] {
  const queues = new Map<string, ConsumedEvent[]>();
  for (const event of events) queues.set(event.key ?? '', [...(queues.get(event.key ?? '') ?? []), event]);
  const keys = [...queues.keys()];
  const out: ConsumedEvent[] = [];
  let state = seed;
  while (keys.length > 0) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const i = state % keys.length;
    const queue = queues.get(keys[i]) as ConsumedEvent[];
    out.push(queue.shift() as ConsumedEvent);
    if (queue.length === 0) keys.splice(i, 1);
  }
  return out;
}

function batchesOf<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const batches: T[][] = [];
  for (let i = 0, k = 0; i < items.length; k++) {
    const size = sizes[k % sizes.length];
    batches.push(items.slice(i, i + size));
    i += size;
  }
  return batches;
}

describe('the inventory projection applied event by event and in batches', () => {
  const schemas: string[] = [];
  const sources: DataSource[] = [];
  const clock: Clock = { now: () => new Date('2031-06-01T08:00:00Z') };
  const config = { WAITLIST_RESERVATION_MS: 900_000 } as BookingConfig;
  const projectionOf = (dataSource: DataSource) =>
    new InventoryProjection(
      new InventoryService(),
      new WaitlistService(dataSource, config, clock, new ReservationsService(dataSource, clock), new DataCipher({ BOOKING_DATA_KEYS: [] })),
      new AdapterRegistry(dataSource),
      new AuditLog(dataSource),
    );

  async function freshInventory(name: string): Promise<DataSource> {
    const schema = `inv_${name}_${run}`.slice(0, 60);
    const dataSource = await schemaDataSource(schema, { migrations: bookingMigrations, migrationsTableName: 'booking_migrations' });
    schemas.push(schema);
    sources.push(dataSource);
    return dataSource;
  }

  async function tablesOf(dataSource: DataSource): Promise<unknown> {
    return {
      organisations: await dataSource.query(`SELECT * FROM inventory_organisation ORDER BY organisation_oid`),
      practitioners: await dataSource.query(`SELECT * FROM inventory_practitioner ORDER BY resource_id`),
      slots: await dataSource.query(`SELECT * FROM inventory_slot ORDER BY slot_id`),
    };
  }

  afterAll(async () => {
    for (const [i, dataSource] of sources.entries()) {
      await dataSource.query(`DROP SCHEMA IF EXISTS ${schemas[i]} CASCADE`);
      await dataSource.destroy();
    }
  });

  it('yields identical tables one event at a time, in batches with redeliveries, and in reordered concurrent batches', async () => {
    const history = regionHistory();

    const oneByOne = await freshInventory('one');
    let projection = projectionOf(oneByOne);
    for (const event of history) await oneByOne.transaction((tx) => projection.apply(tx, [event]));

    // Batches of uneven sizes, every fifth event delivered twice (a redelivery the store did not catch).
    const batched = await freshInventory('batch');
    projection = projectionOf(batched);
    const redelivered = history.flatMap((event, i) => (i % 5 === 0 ? [event, event] : [event]));
    for (const batch of batchesOf(redelivered, [1, 7, 40, 3, 100])) await batched.transaction((tx) => projection.apply(tx, batch));

    // Each aggregate's order kept, everything else shuffled, four partitions applied at once.
    const concurrent = await freshInventory('conc');
    projection = projectionOf(concurrent);
    const shuffled = interleaved(history, 42);
    const partitions = [0, 1, 2, 3].map((p) => shuffled.filter((_, i) => i % 4 === p));
    await Promise.all(
      partitions.map(async (events) => {
        for (const batch of batchesOf(events, [5, 11, 2])) await concurrent.transaction((tx) => projection.apply(tx, batch));
      }),
    );

    const expected = await tablesOf(oneByOne);
    expect(await tablesOf(batched)).toEqual(expected);
    expect(await tablesOf(concurrent)).toEqual(expected);

    // And the result is the region, not merely the same mistake three times.
    const offered: { slot_id: string; offered: boolean; district_id: string | null; specialty_nsi_code: string | null; status: string | null }[] =
      await oneByOne.query(`SELECT slot_id, offered, district_id, specialty_nsi_code, status FROM inventory_slot ORDER BY slot_id`);
    const slot = (o: number, r: number, s: number) => offered.find((row) => row.slot_id === `${root}.${o}:doc${r}:${s}`);
    expect(slot(0, 0, 0)).toEqual(expect.objectContaining({ offered: true, district_id: 'd9', specialty_nsi_code: '70', status: 'FREE' }));
    expect(slot(1, 1, 0)).toEqual(expect.objectContaining({ offered: true, specialty_nsi_code: '99' }));
    expect(slot(2, 2, 0)).toEqual(expect.objectContaining({ offered: false }));
    expect(slot(1, 0, 1)).toEqual(expect.objectContaining({ status: 'BOOKED' }));
    expect(slot(2, 2, 3)).toEqual(expect.objectContaining({ offered: false, status: null }));
    expect(slot(0, 7, 0)).toEqual(expect.objectContaining({ offered: false }));
    expect(offered.filter((row) => row.offered)).toHaveLength(3 * 3 * 8 - 8 - 2);
  });

  it('offers slots written before their practitioner, even when the practitioner arrives while their batch is uncommitted', async () => {
    const dataSource = await freshInventory('race');
    const projection = projectionOf(dataSource);
    const organisation = anOrganisation(5);
    await dataSource.transaction((tx) => projection.apply(tx, [anEvent(AllEvents.OrganisationPublished, organisation.organisationOid, organisation)]));
    const slots = [0, 1, 2].map((s) => aSlot(5, 0, s));
    const practitioner = aPractitioner(5, 0);

    const slotBatch = dataSource.createQueryRunner();
    await slotBatch.connect();
    await slotBatch.startTransaction();
    await projection.apply(
      slotBatch.manager,
      slots.map((slot) => anEvent(AllEvents.SlotPublished, slot.slotId, slot)),
    );
    // The practitioner's batch runs on another partition while the slots are not committed yet.
    let practitionerDone = false;
    const practitionerBatch = dataSource
      .transaction((tx) => projection.apply(tx, [anEvent(AllEvents.ResourcePublished, practitioner.resourceId, practitioner)]))
      .then(() => (practitionerDone = true));
    // Barrier: the practitioner's transaction is waiting on the slots' lock (visible in pg_locks), not merely slow.
    await waitForLockWait(dataSource);
    expect(practitionerDone).toBe(false);
    await slotBatch.commitTransaction();
    await slotBatch.release();
    await practitionerBatch;

    const rows: { offered: boolean; specialty_nsi_code: string | null }[] = await dataSource.query(
      `SELECT offered, specialty_nsi_code FROM inventory_slot WHERE slot_id = ANY($1) ORDER BY slot_id`,
      [slots.map((slot) => slot.slotId)],
    );
    expect(rows).toEqual(slots.map(() => ({ offered: true, specialty_nsi_code: '70' })));
  });

  it('after its adapter restated everything, takes the slots it did not restate as gone, once per pass, and lets a restated copy back', async () => {
    const dataSource = await freshInventory('reassert');
    const projection = projectionOf(dataSource);
    const apply = (...events: ConsumedEvent[]) => dataSource.transaction((tx) => projection.apply(tx, events));
    const organisation = anOrganisation(6);
    const practitioner = aPractitioner(6, 0);
    const passStart = day0 - 3 * hour;
    const before = (passStart - hour) * 1000;
    const during = (passStart + 60_000) * 1000;
    const stale = aSlot(6, 0, 1, { sourceVersion: before });
    const restated = aSlot(6, 0, 2, { sourceVersion: during });
    const earlier = aSlot(6, 0, 3, { startsAt: passStart - 2 * hour, endsAt: passStart - 2 * hour + 900_000, sourceVersion: before });
    await apply(
      anEvent(AllEvents.OrganisationPublished, organisation.organisationOid, organisation),
      anEvent(AllEvents.ResourcePublished, practitioner.resourceId, practitioner),
      ...[stale, restated, earlier].map((slot) => anEvent(AllEvents.SlotPublished, slot.slotId, slot)),
    );
    const heartbeat = (at: number, lastReassertedAt: number | null, adapterId = 'adapter-of-record') =>
      anEvent(AllEvents.AdapterHeartbeatRecorded, adapterId, {
        adapterId, misVendor: 'test', adapterVersion: '1', organisationOids: [organisation.organisationOid], misReachable: true,
        lastSuccessfulSyncAt: at, syncLagMs: 0, heartbeatIntervalMs: 10_000, occurredAt: at, lastReassertedAt,
      });
    const offered = async (): Promise<Record<string, boolean>> => {
      const rows: { slot_id: string; offered: boolean }[] = await dataSource.query(
        `SELECT slot_id, offered FROM inventory_slot WHERE organisation_oid = $1 ORDER BY slot_id`,
        [organisation.organisationOid],
      );
      return Object.fromEntries(rows.map((row) => [row.slot_id.split(':').pop(), row.offered]));
    };

    await registerAdapter(dataSource, 'adapter-of-record', [organisation.organisationOid]);
    // Before any completed pass nothing is swept; a pass's heartbeat from an adapter not registered for the clinic sweeps nothing either.
    await apply(heartbeat(passStart + 100_000, null));
    await apply(heartbeat(passStart + 50_000, passStart, 'not-of-record'));
    expect(await offered()).toEqual({ 1: true, 2: true, 3: true });

    await apply(heartbeat(passStart + 200_000, passStart));
    expect(await offered()).toEqual({ 1: false, 2: true, 3: true });

    // The same pass reported again sweeps nothing more: a slot that arrives late with an older version stays.
    const late = aSlot(6, 0, 4, { sourceVersion: before });
    await apply(anEvent(AllEvents.SlotPublished, late.slotId, late), heartbeat(passStart + 300_000, passStart));
    expect(await offered()).toEqual({ 1: false, 2: true, 3: true, 4: true });

    // A restated copy still in flight when the sweep ran wins on its version.
    const restatedLate = aSlot(6, 0, 1, { sourceVersion: during });
    await apply(anEvent(AllEvents.SlotChanged, restatedLate.slotId, restatedLate));
    expect(await offered()).toEqual({ 1: true, 2: true, 3: true, 4: true });
  });
});

async function waitForLockWait(dataSource: DataSource): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const waiting: unknown[] = await dataSource.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
    if (waiting.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the practitioner batch never waited for the slot batch');
}
