import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The adapter an appointment's commands were sent to: only its outcomes are accepted (decision 0012). */
export class AppointmentAdapter1796310000000 implements MigrationInterface {
  name = 'AppointmentAdapter1796310000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE booking_appointment ADD COLUMN adapter_id text COLLATE "C"`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE booking_appointment DROP COLUMN IF EXISTS adapter_id`);
  }
}
