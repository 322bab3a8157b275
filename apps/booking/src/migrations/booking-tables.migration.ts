import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The booking flow's own state. Double booking is impossible here, not just unlikely in code:
 * one active hold per slot and one active appointment per slot are unique partial indexes.
 * Patients are kept as ids at their organisation's MIS plus the facts the booking rules need
 * (sex, birth date, attachment); names, SNILS, policy numbers never reach this database.
 */
export class CreateBookingTables1764115200000 implements MigrationInterface {
  name = 'CreateBookingTables1764115200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE inventory_practitioner
        ADD COLUMN patient_sex text CHECK (patient_sex IN ('MALE', 'FEMALE')),
        ADD COLUMN min_patient_age_years integer,
        ADD COLUMN max_patient_age_years integer,
        ADD COLUMN attachment_required boolean NOT NULL DEFAULT false`);
    // A slot taken by a hold, a pending booking or a waitlist reservation leaves free search until then.
    await runner.query(`ALTER TABLE inventory_slot ADD COLUMN held_until timestamptz`);

    await runner.query(`
      CREATE TABLE booking_patient (
        patient_id uuid PRIMARY KEY,
        organisation_oid text COLLATE "C" NOT NULL,
        mis_patient_id text COLLATE "C" NOT NULL,
        sex text CHECK (sex IN ('MALE', 'FEMALE')),
        birth_date date,
        attached boolean,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organisation_oid, mis_patient_id)
      )`);

    await runner.query(`
      CREATE TABLE booking_hold (
        hold_id uuid PRIMARY KEY,
        slot_id text COLLATE "C" NOT NULL,
        client_id text NOT NULL,
        patient_id uuid REFERENCES booking_patient (patient_id),
        waitlist_entry_id uuid,
        expires_at timestamptz NOT NULL,
        released_at timestamptz,
        release_reason text CHECK (release_reason IN ('USED', 'EXPIRED', 'RELEASED')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE UNIQUE INDEX booking_hold_one_active_per_slot ON booking_hold (slot_id) WHERE released_at IS NULL`);
    await runner.query(`CREATE INDEX booking_hold_expiring ON booking_hold (expires_at) WHERE released_at IS NULL`);

    await runner.query(`
      CREATE TABLE booking_appointment (
        appointment_id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES booking_patient (patient_id),
        slot_id text COLLATE "C" NOT NULL,
        organisation_oid text COLLATE "C" NOT NULL,
        resource_id text COLLATE "C" NOT NULL,
        local_slot_id text NOT NULL,
        local_resource_id text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        status text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLING', 'CANCELLED', 'RESCHEDULED')),
        channel text NOT NULL,
        client_id text NOT NULL,
        mis_appointment_id text,
        replaces_appointment_id uuid REFERENCES booking_appointment (appointment_id),
        book_command_id uuid NOT NULL,
        cancel_command_id uuid,
        deadline timestamptz NOT NULL,
        rejection_code text,
        rejection_message text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX booking_appointment_one_active_per_slot ON booking_appointment (slot_id) WHERE status IN ('PENDING', 'CONFIRMED', 'CANCELLING')`,
    );
    // One reschedule of an appointment at a time.
    await runner.query(
      `CREATE UNIQUE INDEX booking_appointment_one_pending_reschedule ON booking_appointment (replaces_appointment_id) WHERE status = 'PENDING'`,
    );
    await runner.query(`CREATE INDEX booking_appointment_by_patient ON booking_appointment (patient_id, created_at DESC, appointment_id DESC)`);
    await runner.query(`CREATE INDEX booking_appointment_pending ON booking_appointment (deadline) WHERE status IN ('PENDING', 'CANCELLING')`);

    await runner.query(`
      CREATE TABLE booking_idempotency (
        client_id text NOT NULL,
        idempotency_key text NOT NULL,
        operation text NOT NULL,
        request_hash text NOT NULL,
        resource_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, idempotency_key)
      )`);

    await runner.query(`
      CREATE TABLE booking_waitlist_entry (
        entry_id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES booking_patient (patient_id),
        organisation_oid text COLLATE "C" NOT NULL,
        specialty_code text COLLATE "C",
        resource_id text COLLATE "C",
        preferred tstzmultirange NOT NULL,
        contact_phone text,
        reason text NOT NULL,
        status text NOT NULL CHECK (status IN ('WAITING', 'OFFERED', 'BOOKED', 'CANCELLED')),
        offer_hold_id uuid,
        last_offered_slot_id text,
        client_id text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (specialty_code IS NOT NULL OR resource_id IS NOT NULL)
      )`);
    await runner.query(`CREATE INDEX booking_waitlist_waiting ON booking_waitlist_entry (organisation_oid, created_at) WHERE status = 'WAITING'`);
    await runner.query(`CREATE INDEX booking_waitlist_by_patient ON booking_waitlist_entry (patient_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS booking_waitlist_entry`);
    await runner.query(`DROP TABLE IF EXISTS booking_idempotency`);
    await runner.query(`DROP TABLE IF EXISTS booking_appointment`);
    await runner.query(`DROP TABLE IF EXISTS booking_hold`);
    await runner.query(`DROP TABLE IF EXISTS booking_patient`);
    await runner.query(`ALTER TABLE inventory_slot DROP COLUMN IF EXISTS held_until`);
    await runner.query(
      `ALTER TABLE inventory_practitioner DROP COLUMN IF EXISTS patient_sex, DROP COLUMN IF EXISTS min_patient_age_years, DROP COLUMN IF EXISTS max_patient_age_years, DROP COLUMN IF EXISTS attachment_required`,
    );
  }
}
