import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Booking commands the adapter has taken up: a row is written before the MIS is first called
 * (so a restart knows a call may have been made) and completed with the outcome in the same
 * transaction as the outcome's outbox row (so each command id has one outcome, published once).
 */
export class CreateMisAdapterCommands1764201600000 implements MigrationInterface {
  name = 'CreateMisAdapterCommands1764201600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS mis_adapter_command (
        command_id uuid PRIMARY KEY,
        adapter_id text NOT NULL,
        command_type text NOT NULL,
        appointment_id text NOT NULL,
        organisation_oid text NOT NULL,
        slot_id text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        outcome_type text,
        outcome jsonb
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS mis_adapter_command`);
  }
}
