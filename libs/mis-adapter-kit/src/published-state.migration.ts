import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What an adapter last published per entity, so a restart does not forget it (PublishedStateStore). */
export class CreateMisAdapterPublishedState1764000000000 implements MigrationInterface {
  name = 'CreateMisAdapterPublishedState1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS mis_adapter_published_state (
        adapter_id text NOT NULL,
        kind text NOT NULL,
        entity_id text NOT NULL,
        fingerprint text NOT NULL,
        source_version bigint NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (adapter_id, kind, entity_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS mis_adapter_published_state`);
  }
}
