import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The start of each organisation's adapter's last completed reassert pass, so its slots are swept once per pass (decision 0010). */
export class InventoryAntiEntropy1796200000000 implements MigrationInterface {
  name = 'InventoryAntiEntropy1796200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE inventory_organisation_heartbeat ADD COLUMN last_reasserted_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE inventory_organisation_heartbeat DROP COLUMN IF EXISTS last_reasserted_at`);
  }
}
