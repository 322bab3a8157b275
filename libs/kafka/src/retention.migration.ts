import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes the backbone's retention (BackboneRetention) reads, so pruning finds old rows without
 * scanning the tables: published outbox rows by publication time, processed events by time.
 * Built inside the migration's transaction (not CONCURRENTLY): services run migrations before they
 * consume, and migrations may run in one transaction ('all'), which CONCURRENTLY cannot.
 */
export class AddBackboneRetentionIndexes1795910400000 implements MigrationInterface {
  name = 'AddBackboneRetentionIndexes1795910400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX IF NOT EXISTS medbus_outbox_published ON medbus_outbox (published_at) WHERE published_at IS NOT NULL`,
    );
    // BRIN: rows arrive in processed_at order, and a B-tree entry per applied event cost every batch
    // of the projection engine a second index insert per event for a query that runs every 10 minutes.
    await runner.query(`CREATE INDEX IF NOT EXISTS medbus_processed_event_processed_at ON medbus_processed_event USING brin (processed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX IF EXISTS medbus_processed_event_processed_at`);
    await runner.query(`DROP INDEX IF EXISTS medbus_outbox_published`);
  }
}
