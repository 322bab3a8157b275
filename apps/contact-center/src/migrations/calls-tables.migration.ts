import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The calls module's tables. `call`: one row per call the PBX put through a queue, keyed by its
 * Uniqueid so a call seen twice (live and again in the queue_log) is recorded once; times are PBX
 * time. The caller's number only as a keyed hash (repeat callers) and a ciphertext bound to
 * `call:<uniqueid>`. `pbx_cursor`: how far the PBX's events were applied, to recover from there.
 */
export class CreateCallsTables1796600000000 implements MigrationInterface {
  name = 'CreateCallsTables1796600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE call (
      uniqueid text PRIMARY KEY,
      linkedid text NOT NULL,
      branch text NOT NULL,
      queue text NOT NULL,
      operator text,
      caller_hash text,
      caller_number text,
      joined_at timestamptz NOT NULL,
      answered_at timestamptz,
      ended_at timestamptz NOT NULL,
      wait_seconds integer NOT NULL CHECK (wait_seconds >= 0),
      talk_seconds integer CHECK (talk_seconds >= 0),
      outcome text NOT NULL CHECK (outcome IN ('ANSWERED', 'ABANDONED')),
      abandon_position integer,
      source text NOT NULL CHECK (source IN ('AMI', 'QUEUE_LOG')),
      recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      CHECK ((caller_hash IS NULL) = (caller_number IS NULL)),
      CHECK ((outcome = 'ANSWERED') = (answered_at IS NOT NULL AND talk_seconds IS NOT NULL))
    )`);
    await runner.query(`CREATE INDEX call_branch_joined_idx ON call (branch, joined_at)`);
    await runner.query(`CREATE INDEX call_joined_idx ON call (joined_at)`);
    await runner.query(`CREATE INDEX call_caller_hash_idx ON call (caller_hash, joined_at) WHERE caller_hash IS NOT NULL`);
    await runner.query(`CREATE TABLE pbx_cursor (
      id text PRIMARY KEY CHECK (id = 'pbx'),
      last_event_at timestamptz NOT NULL,
      open_since timestamptz,
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE pbx_cursor`);
    await runner.query(`DROP TABLE call`);
  }
}
