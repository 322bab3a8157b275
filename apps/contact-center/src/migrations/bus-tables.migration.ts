import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the contact centre keeps of the bus (the bus module owns every table here): organisations,
 * the patients' appointments, tasks to call patients, and warnings of an organisation's MIS going
 * stale. Patients appear by booking's uuid only, never by personal data.
 *
 * Rows of one aggregate are version-wins or idempotent upserts; what joins two aggregates (a booked
 * appointment on a withdrawn slot, an offer booked) is derived after each batch from the small
 * `withdrawn_*` tables, so it holds whichever event came first.
 */
export class CreateBusTables1796600000200 implements MigrationInterface {
  name = 'CreateBusTables1796600000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE organisation (
        oid text COLLATE "C" PRIMARY KEY,
        short_name text,
        full_name text,
        district_id text,
        district_name text,
        active boolean NOT NULL,
        removed boolean NOT NULL DEFAULT false,
        adapter_id text,
        source_version bigint NOT NULL
      )`);
    await runner.query(`CREATE INDEX organisation_district ON organisation (district_id)`);

    // A row may be created by its cancellation when the booking was before this consumer's history: then the booking's details are null.
    await runner.query(`
      CREATE TABLE patient_appointment (
        appointment_id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        organisation_oid text COLLATE "C" NOT NULL,
        resource_id text COLLATE "C",
        slot_id text COLLATE "C" NOT NULL,
        starts_at timestamptz,
        channel text,
        status text NOT NULL CHECK (status IN ('BOOKED', 'CANCELLED')),
        booked_at timestamptz,
        cancelled_at timestamptz,
        replaces_appointment_id uuid
      )`);
    await runner.query(`CREATE INDEX patient_appointment_patient ON patient_appointment (patient_id, starts_at DESC)`);
    await runner.query(`CREATE INDEX patient_appointment_booked_slot ON patient_appointment (slot_id) WHERE status = 'BOOKED'`);
    await runner.query(`CREATE INDEX patient_appointment_booked_resource ON patient_appointment (resource_id) WHERE status = 'BOOKED'`);
    await runner.query(`CREATE INDEX patient_appointment_replaces ON patient_appointment (replaces_appointment_id) WHERE replaces_appointment_id IS NOT NULL`);

    // Slots removed or blocked at the MIS, and resources removed: kept to meet appointments booked on them in any order.
    await runner.query(`
      CREATE TABLE withdrawn_slot (
        slot_id text COLLATE "C" PRIMARY KEY,
        organisation_oid text COLLATE "C" NOT NULL,
        resource_id text COLLATE "C" NOT NULL,
        withdrawn boolean NOT NULL,
        withdrawn_at timestamptz NOT NULL,
        source_version bigint NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE withdrawn_resource (
        resource_id text COLLATE "C" PRIMARY KEY,
        organisation_oid text COLLATE "C" NOT NULL,
        withdrawn_at timestamptz NOT NULL,
        source_version bigint NOT NULL
      )`);

    // source_event_id: the offer's event id; for a withdrawn slot 'slot-withdrawn:<appointment id>' (one task per appointment, whichever withdrawal came first).
    await runner.query(`
      CREATE TABLE patient_task (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('WAITLIST_OFFER', 'SLOT_WITHDRAWN')),
        patient_id uuid NOT NULL,
        appointment_id uuid,
        offer_id uuid,
        organisation_oid text COLLATE "C" NOT NULL,
        slot_id text COLLATE "C",
        starts_at timestamptz,
        district_id text,
        branch text,
        due_by timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'DONE', 'EXPIRED')),
        done_by text,
        done_at timestamptz,
        outcome text,
        source_event_id text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX patient_task_queue ON patient_task (status, due_by, id)`);
    await runner.query(`CREATE INDEX patient_task_offer ON patient_task (offer_id) WHERE offer_id IS NOT NULL`);
    await runner.query(`CREATE INDEX patient_task_open_offer ON patient_task (patient_id, slot_id) WHERE status = 'OPEN' AND kind = 'WAITLIST_OFFER'`);
    await runner.query(`CREATE INDEX patient_task_open_withdrawn ON patient_task (appointment_id) WHERE status = 'OPEN' AND kind = 'SLOT_WITHDRAWN'`);

    // The last heartbeat of each adapter: what the poller reads to find adapters gone silent.
    await runner.query(`
      CREATE TABLE adapter_heartbeat (
        adapter_id text COLLATE "C" PRIMARY KEY,
        organisation_oids text[] NOT NULL,
        mis_reachable boolean NOT NULL,
        last_successful_sync_at timestamptz,
        heartbeat_interval_ms bigint NOT NULL,
        heartbeat_at timestamptz NOT NULL
      )`);

    await runner.query(`
      CREATE TABLE district_warning (
        id bigserial PRIMARY KEY,
        organisation_oid text COLLATE "C" NOT NULL,
        adapter_id text COLLATE "C" NOT NULL,
        district_id text,
        reason text NOT NULL,
        raised_at timestamptz NOT NULL,
        cleared_at timestamptz
      )`);
    await runner.query(`CREATE UNIQUE INDEX district_warning_open ON district_warning (organisation_oid) WHERE cleared_at IS NULL`);
    await runner.query(`CREATE INDEX district_warning_open_adapter ON district_warning (adapter_id) WHERE cleared_at IS NULL`);
    await runner.query(`CREATE INDEX district_warning_recent ON district_warning (raised_at DESC, id DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['district_warning', 'adapter_heartbeat', 'patient_task', 'withdrawn_resource', 'withdrawn_slot', 'patient_appointment', 'organisation']) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
