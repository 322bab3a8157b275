import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Published slots are read per resource and per organisation (PostgresSlotLedger), never all at
 * once: a region's two million slots stay in Postgres, not in the adapter's memory.
 */
export class IndexPublishedSlotsByResource1796800000000 implements MigrationInterface {
  name = 'IndexPublishedSlotsByResource1796800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE mis_adapter_published_state ADD COLUMN IF NOT EXISTS resource_id text, ADD COLUMN IF NOT EXISTS organisation_oid text`);
    await runner.query(`
      UPDATE mis_adapter_published_state SET resource_id = state->>'resourceId', organisation_oid = state->>'organisationOid'
       WHERE kind = 'slot' AND resource_id IS NULL`);
    await runner.query(`CREATE INDEX IF NOT EXISTS mis_adapter_published_slot_resource ON mis_adapter_published_state (adapter_id, resource_id) WHERE kind = 'slot'`);
    await runner.query(`CREATE INDEX IF NOT EXISTS mis_adapter_published_slot_organisation ON mis_adapter_published_state (adapter_id, organisation_oid) WHERE kind = 'slot'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX IF EXISTS mis_adapter_published_slot_organisation`);
    await runner.query(`DROP INDEX IF EXISTS mis_adapter_published_slot_resource`);
    await runner.query(`ALTER TABLE mis_adapter_published_state DROP COLUMN IF EXISTS organisation_oid, DROP COLUMN IF EXISTS resource_id`);
  }
}
