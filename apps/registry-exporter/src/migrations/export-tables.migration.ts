import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The exporter's own copy of what the federal registry needs, and the export state of each object.
 *
 * Source rows are version-wins upserts of the MIS and booking events (removals are tombstones, as in
 * the inventory). The federal view of a row is derived at export time (federal-view.query.ts) into
 * `fer_view`; `export_version` is the Version sent with it, drawn from `fer_export_version` only when
 * the view changes, and `federal_version` the one the federal side holds as far as we know. What is
 * to be sent follows from those (`pending_op`, generated), in order of change (`change_seq`).
 */
export class CreateExportTables1796400000000 implements MigrationInterface {
  name = 'CreateExportTables1796400000000';

  async up(runner: QueryRunner): Promise<void> {
    // Versions start at the migration's time in microseconds: an exporter rebuilt from Kafka into an empty
    // schema sends versions above any its predecessor sent, so the federal side never ignores them as stale
    // (a predecessor would have had to draw more than a thousand versions per millisecond it lived). < 2^53.
    await runner.query(`CREATE SEQUENCE fer_export_version START WITH ${Date.now() * 1000}`);
    await runner.query(`CREATE SEQUENCE fer_change_seq`);

    // The Пенсионный фонд rule (weights 9..1, mod 101, 100 and 101 read as 00; numbers up to 001-001-998 have none).
    await runner.query(`
      CREATE FUNCTION fer_snils_valid(snils text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
          WHEN snils IS NULL OR snils !~ '^[0-9]{11}$' THEN false
          WHEN substr(snils, 1, 9)::int <= 1001998 THEN true
          ELSE (SELECT CASE WHEN s < 100 THEN s WHEN s % 101 = 100 THEN 0 ELSE s % 101 END
                FROM (SELECT sum(substr(snils, i, 1)::int * (10 - i)) AS s FROM generate_series(1, 9) AS i) AS weighted) = substr(snils, 10, 2)::int
        END
      $$`);

    await runner.query(`
      CREATE TABLE fer_organisation (
        organisation_oid text COLLATE "C" PRIMARY KEY,
        full_name text,
        short_name text,
        address text,
        time_zone text,
        district_id text,
        district_name text,
        active boolean NOT NULL,
        removed boolean NOT NULL,
        source_version bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        traceparent text
      )`);

    const exportState = (pending: string) => `
        dirty boolean NOT NULL DEFAULT true,
        fer_view jsonb,
        export_version bigint,
        federal_version bigint,
        rejected_version bigint,
        change_seq bigint NOT NULL DEFAULT 0,
        exported_at timestamptz,
        pending_op text GENERATED ALWAYS AS (${pending}) STORED`;
    const viewPending = `CASE
          WHEN fer_view IS NOT NULL THEN CASE WHEN federal_version IS DISTINCT FROM export_version AND rejected_version IS DISTINCT FROM export_version THEN 'UPSERT' END
          WHEN federal_version IS NOT NULL THEN 'REMOVE'
        END`;

    // One location per resource. practitioner_snils is the practitioner's personal data: sent to the federal side, never logged or reported.
    await runner.query(`
      CREATE TABLE fer_location (
        location_id text COLLATE "C" PRIMARY KEY,
        organisation_oid text COLLATE "C" NOT NULL,
        local_resource_id text,
        practitioner_snils text,
        display_name text,
        specialty_nsi_code text,
        specialty_mis_code text,
        specialty_name text,
        position_nsi_code text,
        position_mis_code text,
        position_name text,
        department_oid text,
        department_name text,
        room text,
        active boolean NOT NULL,
        removed boolean NOT NULL,
        source_version bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        traceparent text,
        ${exportState(viewPending)}
      )`);
    await runner.query(`CREATE INDEX fer_location_by_organisation ON fer_location (organisation_oid, location_id)`);
    await runner.query(`CREATE INDEX fer_location_dirty ON fer_location (location_id) WHERE dirty`);
    await runner.query(`CREATE INDEX fer_location_pending ON fer_location (change_seq) WHERE pending_op IS NOT NULL`);

    await runner.query(`
      CREATE TABLE fer_slot (
        slot_id text COLLATE "C" PRIMARY KEY,
        organisation_oid text COLLATE "C" NOT NULL,
        location_id text COLLATE "C" NOT NULL,
        local_slot_id text,
        starts_at timestamptz,
        ends_at timestamptz,
        status text,
        booking_channels text[] NOT NULL,
        federal_portal boolean NOT NULL,
        room text,
        removed boolean NOT NULL,
        source_version bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        traceparent text,
        ${exportState(viewPending)}
      )`);
    await runner.query(`CREATE INDEX fer_slot_by_location ON fer_slot (location_id, starts_at)`);
    await runner.query(`CREATE INDEX fer_slot_by_organisation ON fer_slot (organisation_oid, slot_id)`);
    await runner.query(`CREATE INDEX fer_slot_dirty ON fer_slot (slot_id) WHERE dirty`);
    await runner.query(`CREATE INDEX fer_slot_pending ON fer_slot (change_seq) WHERE pending_op IS NOT NULL`);

    // Appointments booked through the federal channel only: their status goes to the federal side.
    await runner.query(`
      CREATE TABLE fer_appointment (
        appointment_id text COLLATE "C" PRIMARY KEY,
        organisation_oid text COLLATE "C" NOT NULL,
        slot_id text NOT NULL,
        mis_appointment_id text,
        status text NOT NULL,
        occurred_at timestamptz NOT NULL,
        traceparent text,
        export_version bigint NOT NULL,
        federal_version bigint,
        rejected_version bigint,
        change_seq bigint NOT NULL,
        exported_at timestamptz,
        pending_op text GENERATED ALWAYS AS (
          CASE WHEN federal_version IS DISTINCT FROM export_version AND rejected_version IS DISTINCT FROM export_version THEN 'UPDATE' END
        ) STORED
      )`);
    await runner.query(`CREATE INDEX fer_appointment_pending ON fer_appointment (change_seq) WHERE pending_op IS NOT NULL`);

    // Why an object is held back or was refused; ids and codes only, never the SNILS or a name.
    await runner.query(`
      CREATE TABLE fer_data_quality_error (
        organisation_oid text COLLATE "C" NOT NULL,
        object_type text NOT NULL,
        object_id text COLLATE "C" NOT NULL,
        code text COLLATE "C" NOT NULL,
        reason text,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (object_id, code)
      )`);
    await runner.query(`CREATE INDEX fer_data_quality_error_by_organisation ON fer_data_quality_error (organisation_oid, object_id, code)`);

    // Per organisation: the last call that carried its objects and was answered, and the last that failed.
    await runner.query(`
      CREATE TABLE fer_export_outcome (
        organisation_oid text COLLATE "C" PRIMARY KEY,
        last_success_at timestamptz,
        last_error_at timestamptz,
        last_error_code text,
        last_error_message text
      )`);

    // The link to the federal side as the export worker last saw it (one row).
    await runner.query(`
      CREATE TABLE fer_link (
        id smallint PRIMARY KEY CHECK (id = 1),
        reachable boolean,
        backoff_until timestamptz,
        last_call_at timestamptz,
        last_call_operation text,
        last_call_outcome text,
        last_success_at timestamptz,
        last_error_at timestamptz,
        last_error_code text
      )`);

    await runner.query(`
      CREATE TABLE fer_reconciliation (
        reconciliation_id uuid PRIMARY KEY,
        trigger text NOT NULL,
        requested_by text,
        status text NOT NULL,
        requested_at timestamptz NOT NULL,
        started_at timestamptz,
        finished_at timestamptz,
        error_code text,
        error_message text
      )`);
    // Single flight: at most one run requested or running at a time, whichever instance asked.
    await runner.query(`CREATE UNIQUE INDEX fer_reconciliation_single_flight ON fer_reconciliation ((true)) WHERE status IN ('REQUESTED', 'RUNNING')`);
    await runner.query(`CREATE INDEX fer_reconciliation_by_time ON fer_reconciliation (requested_at DESC)`);
    await runner.query(`
      CREATE TABLE fer_reconciliation_count (
        reconciliation_id uuid NOT NULL REFERENCES fer_reconciliation ON DELETE CASCADE,
        organisation_oid text COLLATE "C" NOT NULL,
        object_type text NOT NULL,
        kind text NOT NULL,
        found integer NOT NULL,
        repaired integer NOT NULL,
        PRIMARY KEY (reconciliation_id, organisation_oid, object_type, kind)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'fer_reconciliation_count',
      'fer_reconciliation',
      'fer_link',
      'fer_export_outcome',
      'fer_data_quality_error',
      'fer_appointment',
      'fer_slot',
      'fer_location',
      'fer_organisation',
    ]) {
      await runner.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await runner.query(`DROP FUNCTION IF EXISTS fer_snils_valid(text)`);
    await runner.query(`DROP SEQUENCE IF EXISTS fer_change_seq`);
    await runner.query(`DROP SEQUENCE IF EXISTS fer_export_version`);
  }
}
