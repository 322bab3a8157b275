import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The unified inventory. Removals are kept as tombstones with their source version, so an older
 * event that arrives late never resurrects what was removed. Slots carry copies of the
 * organisation's district and the resource's NSI codes and an `offered` flag, so that every search
 * filter is one index range over (filter, starts_at, slot_id) without joins (docs/decisions/0005).
 */
export class CreateInventoryTables1764028800000 implements MigrationInterface {
  name = 'CreateInventoryTables1764028800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE inventory_organisation (
        organisation_oid text COLLATE "C" PRIMARY KEY,
        full_name text,
        short_name text,
        district_id text COLLATE "C",
        district_name text,
        mis_vendor text,
        time_zone text,
        active boolean NOT NULL,
        address text,
        removed boolean NOT NULL,
        source_version bigint NOT NULL,
        occurred_at timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX inventory_organisation_by_district ON inventory_organisation (district_id) WHERE active AND NOT removed`);

    await runner.query(`
      CREATE TABLE inventory_practitioner (
        resource_id text COLLATE "C" PRIMARY KEY,
        organisation_oid text COLLATE "C" NOT NULL,
        local_resource_id text,
        federal_practitioner_id text,
        display_name text,
        specialty_nsi_code text COLLATE "C",
        specialty_mis_code text,
        specialty_name text,
        position_nsi_code text COLLATE "C",
        position_mis_code text,
        position_name text,
        department_oid text,
        department_name text,
        room text,
        active boolean NOT NULL,
        removed boolean NOT NULL,
        source_version bigint NOT NULL,
        occurred_at timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX inventory_practitioner_by_organisation ON inventory_practitioner (organisation_oid)`);
    await runner.query(`CREATE INDEX inventory_practitioner_by_specialty ON inventory_practitioner (specialty_nsi_code)`);

    await runner.query(`
      CREATE TABLE inventory_slot (
        slot_id text COLLATE "C" PRIMARY KEY,
        organisation_oid text COLLATE "C" NOT NULL,
        resource_id text COLLATE "C" NOT NULL,
        local_slot_id text,
        local_resource_id text,
        starts_at timestamptz,
        ends_at timestamptz,
        status text CHECK (status IN ('FREE', 'HELD', 'BOOKED', 'BLOCKED')),
        booking_channels text[] NOT NULL,
        room text,
        removed boolean NOT NULL,
        source_version bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        district_id text COLLATE "C",
        specialty_nsi_code text COLLATE "C",
        position_nsi_code text COLLATE "C",
        offered boolean NOT NULL
      )`);
    // Operators search free slots: one partial index per filter, each ordered like the keyset.
    const free = `WHERE offered AND status = 'FREE'`;
    await runner.query(`CREATE INDEX inventory_slot_free_by_time ON inventory_slot (starts_at, slot_id) ${free}`);
    for (const column of ['organisation_oid', 'resource_id', 'district_id', 'specialty_nsi_code', 'position_nsi_code']) {
      await runner.query(`CREATE INDEX inventory_slot_free_by_${column} ON inventory_slot (${column}, starts_at, slot_id) ${free}`);
    }
    // The pairs an operator narrows to (a district or clinic, then a specialty): a second filter
    // checked on the heap costs a read per slot of the first, and an empty pair reads them all.
    await runner.query(`CREATE INDEX inventory_slot_free_by_specialty_district ON inventory_slot (specialty_nsi_code, district_id, starts_at, slot_id) ${free}`);
    await runner.query(`CREATE INDEX inventory_slot_free_by_organisation_specialty ON inventory_slot (organisation_oid, specialty_nsi_code, starts_at, slot_id) ${free}`);
    // Every status: searches without freeOnly, and the fan-out when an organisation or resource changes.
    await runner.query(`CREATE INDEX inventory_slot_offered_by_time ON inventory_slot (starts_at, slot_id) WHERE offered`);
    await runner.query(`CREATE INDEX inventory_slot_by_organisation ON inventory_slot (organisation_oid, starts_at, slot_id)`);
    await runner.query(`CREATE INDEX inventory_slot_by_resource ON inventory_slot (resource_id, starts_at, slot_id)`);

    await runner.query(`
      CREATE TABLE inventory_organisation_heartbeat (
        organisation_oid text COLLATE "C" PRIMARY KEY,
        adapter_id text COLLATE "C" NOT NULL,
        mis_vendor text NOT NULL,
        mis_reachable boolean NOT NULL,
        last_successful_sync_at timestamptz,
        heartbeat_interval_ms bigint NOT NULL,
        heartbeat_at timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS inventory_organisation_heartbeat`);
    await runner.query(`DROP TABLE IF EXISTS inventory_slot`);
    await runner.query(`DROP TABLE IF EXISTS inventory_practitioner`);
    await runner.query(`DROP TABLE IF EXISTS inventory_organisation`);
  }
}
