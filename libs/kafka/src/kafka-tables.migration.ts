import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The backbone's own tables, included in the migrations of every service that writes Postgres
 * and publishes (outbox) or applies events (processed-event store).
 */
export class CreateKafkaBackboneTables1732406400000 implements MigrationInterface {
  name = 'CreateKafkaBackboneTables1732406400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS medbus_outbox (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        event_type text NOT NULL,
        topic text NOT NULL,
        message_key text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await runner.query(
      `CREATE INDEX IF NOT EXISTS medbus_outbox_unpublished ON medbus_outbox (id) WHERE published_at IS NULL`,
    );
    await runner.query(`
      CREATE TABLE IF NOT EXISTS medbus_processed_event (
        consumer_group text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, event_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS medbus_processed_event`);
    await runner.query(`DROP TABLE IF EXISTS medbus_outbox`);
  }
}
