import type { MigrationInterface, QueryRunner } from 'typeorm';

/** How many organisations a reconciliation run compared (its counts list only those with drift). */
export class ReconciliationScope1796400000001 implements MigrationInterface {
  name = 'ReconciliationScope1796400000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE fer_reconciliation ADD COLUMN organisations_checked integer NOT NULL DEFAULT 0`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE fer_reconciliation DROP COLUMN organisations_checked`);
  }
}
