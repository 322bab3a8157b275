import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operator console's sessions (the console module owns the table). The browser holds a random
 * token; only its SHA-256 is kept. The person's API key is ciphertext bound to
 * `console_session:<token hash>`: the console presents it to booking and to this service's API.
 */
export class CreateConsoleTables1796700000000 implements MigrationInterface {
  name = 'CreateConsoleTables1796700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE console_session (
        token_hash text COLLATE "C" PRIMARY KEY,
        client_id text NOT NULL,
        role text NOT NULL,
        branch text,
        seat text,
        api_key text NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX console_session_last_seen ON console_session (last_seen_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE console_session`);
  }
}
