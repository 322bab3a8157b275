import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { schemaDataSource, uniqueName } from '@medbus/testing';
import { bookingMigrations } from '../app.module';
import { organisationRowOf, practitionerRowOf, slotRowOf, type InventoryRows } from './inventory.mapper';
import { InventoryService } from './inventory.service';

const run = uniqueName('race').replace(/[^a-z0-9]/g, '');
const schema = `inventory_race_${run}`.slice(0, 60);
const oid = `7.${run}.1`;
const resourceId = `${oid}:doc`;
const startsAt = Date.UTC(2031, 5, 1, 6, 0);
const none: InventoryRows = { organisations: [], practitioners: [], slots: [], heartbeats: [] };

describe('the inventory projection under concurrent consumers', () => {
  let dataSource: DataSource;
  const inventory = new InventoryService();

  beforeAll(async () => {
    dataSource = await schemaDataSource(schema, { migrations: bookingMigrations, migrationsTableName: 'booking_migrations' });
  });

  afterAll(async () => {
    await dataSource?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await dataSource?.destroy();
  });

  it('offers a slot whose organisation and practitioner arrive at the same moment on different partitions', async () => {
    const now = Date.now();
    await dataSource.transaction((tx) =>
      inventory.apply(tx, { ...none, slots: [
        slotRowOf({
          slotId: `${oid}:s1`,
          localSlotId: 's1',
          organisationOid: oid,
          resourceId,
          localResourceId: 'doc',
          startsAt,
          endsAt: startsAt + 900_000,
          status: 'FREE',
          bookingChannels: ['CONTACT_CENTRE'],
          room: null,
          sourceVersion: 1,
          occurredAt: now,
        }),
      ] }),
    );
    const organisation = organisationRowOf({
      organisationOid: oid,
      fullName: 'Поликлиника',
      shortName: 'П',
      districtId: '1',
      districtName: 'Центр',
      misVendor: 'test',
      timeZone: 'Europe/Moscow',
      active: true,
      address: null,
      sourceVersion: 1,
      occurredAt: now,
    });
    const practitioner = practitionerRowOf({
      resourceId,
      organisationOid: oid,
      localResourceId: 'doc',
      federalPractitionerId: null,
      practitionerSnils: null,
      displayName: 'Врач',
      specialty: { nsiCode: '76', misCode: 'T', misName: 'Терапия' },
      position: null,
      departmentOid: null,
      departmentName: null,
      room: null,
      active: true,
      sourceVersion: 1,
      occurredAt: now,
      patientSex: null,
      minPatientAgeYears: null,
      maxPatientAgeYears: null,
      attachmentRequired: false,
    });

    // The organisation's transaction has re-copied into the slot but not committed when the practitioner's runs.
    const first = dataSource.createQueryRunner();
    await first.connect();
    await first.startTransaction();
    await inventory.apply(first.manager, { ...none, organisations: [organisation] });
    const second = dataSource.transaction((tx) => inventory.apply(tx, { ...none, practitioners: [practitioner] }));
    await sleep(300);
    await first.commitTransaction();
    await first.release();
    await second;

    const rows: { offered: boolean; specialty_nsi_code: string | null; district_id: string | null }[] = await dataSource.query(
      `SELECT offered, specialty_nsi_code, district_id FROM inventory_slot WHERE slot_id = $1`,
      [`${oid}:s1`],
    );
    expect(rows).toEqual([{ offered: true, specialty_nsi_code: '76', district_id: '1' }]);
  });
});
