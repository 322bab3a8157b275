import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The callbacks module's tables. `callback_task`: one task per caller to call back, at most one open
 * (OPEN or DIALLING) per caller hash; `callback_task_call`: the lost calls a task covers;
 * `callback_attempt`: each Originate, written before it is sent and completed with its outcome.
 */
export class CreateCallbacksTables1796600000001 implements MigrationInterface {
  name = 'CreateCallbacksTables1796600000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE callback_task (
      id uuid PRIMARY KEY,
      caller_hash text NOT NULL,
      caller_number text NOT NULL,
      branch text NOT NULL,
      status text NOT NULL CHECK (status IN ('OPEN', 'DIALLING', 'DONE', 'UNREACHED')),
      close_reason text CHECK (close_reason IN ('REACHED', 'CALLED_AGAIN', 'INVALID_NUMBER')),
      lost_calls integer NOT NULL CHECK (lost_calls >= 1),
      first_lost_at timestamptz NOT NULL,
      last_lost_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      assigned_to text,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      closed_at timestamptz,
      CHECK ((status = 'DONE') = (close_reason IS NOT NULL)),
      CHECK ((status IN ('DONE', 'UNREACHED')) = (closed_at IS NOT NULL))
    )`);
    await runner.query(`CREATE UNIQUE INDEX callback_task_open_caller_key ON callback_task (caller_hash) WHERE status IN ('OPEN', 'DIALLING')`);
    await runner.query(`CREATE INDEX callback_task_due_idx ON callback_task (next_attempt_at) WHERE status = 'OPEN'`);
    await runner.query(`CREATE INDEX callback_task_branch_idx ON callback_task (branch, status, first_lost_at)`);
    await runner.query(`CREATE INDEX callback_task_unreturned_idx ON callback_task (first_lost_at) WHERE status IN ('OPEN', 'DIALLING', 'UNREACHED')`);
    await runner.query(`CREATE TABLE callback_task_call (
      call_uniqueid text PRIMARY KEY REFERENCES call (uniqueid),
      task_id uuid NOT NULL REFERENCES callback_task (id)
    )`);
    await runner.query(`CREATE INDEX callback_task_call_task_idx ON callback_task_call (task_id)`);
    await runner.query(`CREATE TABLE callback_attempt (
      id uuid PRIMARY KEY,
      task_id uuid NOT NULL REFERENCES callback_task (id),
      started_at timestamptz NOT NULL,
      started_by text,
      outcome text CHECK (outcome IN ('ANSWERED', 'NO_ANSWER', 'BUSY', 'CONGESTED', 'NO_SUCH_NUMBER', 'FAILED')),
      finished_at timestamptz,
      pbx_uniqueid text,
      CHECK ((outcome IS NULL) = (finished_at IS NULL))
    )`);
    await runner.query(`CREATE INDEX callback_attempt_task_idx ON callback_attempt (task_id, started_at)`);
    await runner.query(`CREATE INDEX callback_attempt_running_idx ON callback_attempt (started_at) WHERE outcome IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE callback_attempt`);
    await runner.query(`DROP TABLE callback_task_call`);
    await runner.query(`DROP TABLE callback_task`);
  }
}
