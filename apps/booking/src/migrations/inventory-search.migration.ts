import type { MigrationInterface, QueryRunner } from 'typeorm';

const free = `WHERE offered AND status = 'FREE'`;

/** The partial indexes the catalogue counts through, by the column each is ranged on first. */
const counted = {
  inventory_slot_free_by_organisation_oid: '(organisation_oid, starts_at, slot_id)',
  inventory_slot_free_by_resource_id: '(resource_id, starts_at, slot_id)',
  inventory_slot_free_by_specialty_nsi_code: '(specialty_nsi_code, starts_at, slot_id)',
  inventory_slot_free_by_specialty_district: '(specialty_nsi_code, district_id, starts_at, slot_id)',
  inventory_slot_free_by_organisation_specialty: '(organisation_oid, specialty_nsi_code, starts_at, slot_id)',
} as const;

/**
 * Indexes for search at the size of a region (2 M slots). The catalogue counts free slots and finds
 * the nearest one per organisation, practitioner or specialty (catalogue.query.ts); a free slot is
 * also not held (free-slot.query.ts), and with held_until in the index those ranges are read from
 * the index alone, not a heap page per slot (a region's organisation list: 5,600 buffers → 1,000).
 * held_until changes only when a hold or booking takes or frees a slot, so the resync's in-place
 * updates (version and time only) stay HOT.
 *
 * Position alone goes: no list counts by it, and a search by position alone reads free slots in
 * time order from inventory_slot_free_by_time, about limit ÷ (share of that position) rows; every
 * index kept costs each slot write an entry.
 */
export class InventorySearchIndexes1796100000000 implements MigrationInterface {
  name = 'InventorySearchIndexes1796100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX IF EXISTS inventory_slot_free_by_position_nsi_code`);
    for (const [name, columns] of Object.entries(counted)) {
      await runner.query(`DROP INDEX IF EXISTS ${name}`);
      await runner.query(`CREATE INDEX ${name} ON inventory_slot ${columns} INCLUDE (held_until) ${free}`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const [name, columns] of Object.entries(counted)) {
      await runner.query(`DROP INDEX IF EXISTS ${name}`);
      await runner.query(`CREATE INDEX ${name} ON inventory_slot ${columns} ${free}`);
    }
    await runner.query(`CREATE INDEX inventory_slot_free_by_position_nsi_code ON inventory_slot (position_nsi_code, starts_at, slot_id) ${free}`);
  }
}
