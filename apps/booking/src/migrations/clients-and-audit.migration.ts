import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who may call medbus, and what they did (docs/decisions/0011-identities-and-roles.md).
 * Credentials are kept as SHA-256 digests of high-entropy secrets; an organisation is served by at
 * most one MIS adapter; the audit log refuses UPDATE and DELETE except its retention pruning.
 */
export class CreateClientsAndAudit1796300000000 implements MigrationInterface {
  name = 'CreateClientsAndAudit1796300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE auth_client (
        client_id text COLLATE "C" PRIMARY KEY CHECK (client_id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
        role text NOT NULL CHECK (role IN ('OPERATOR', 'PORTAL', 'HUB_CLIENT', 'MIS_ADAPTER', 'FEDERAL_REGISTRY', 'OPERATIONS')),
        channel text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await runner.query(`
      CREATE TABLE auth_credential (
        credential_id text COLLATE "C" PRIMARY KEY,
        client_id text COLLATE "C" NOT NULL REFERENCES auth_client (client_id),
        kind text NOT NULL CHECK (kind IN ('API_KEY', 'HUB_GUID')),
        secret_digest bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz
      )`);
    await runner.query(`CREATE UNIQUE INDEX auth_credential_by_digest ON auth_credential (secret_digest) WHERE kind = 'HUB_GUID'`);
    await runner.query(`CREATE INDEX auth_credential_by_client ON auth_credential (client_id)`);
    await runner.query(`
      CREATE TABLE auth_adapter_organisation (
        organisation_oid text COLLATE "C" PRIMARY KEY,
        adapter_id text COLLATE "C" NOT NULL REFERENCES auth_client (client_id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX auth_adapter_organisation_by_adapter ON auth_adapter_organisation (adapter_id)`);
    // Which patients a client identified: a client without region-wide scope acts only for those.
    await runner.query(`
      CREATE TABLE booking_patient_client (
        patient_id uuid NOT NULL REFERENCES booking_patient (patient_id),
        client_id text COLLATE "C" NOT NULL,
        identified_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (patient_id, client_id)
      )`);

    await runner.query(`
      CREATE TABLE audit_event (
        audit_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        client_id text,
        role text,
        action text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('ALLOWED', 'REFUSED', 'FAILED')),
        resource_type text,
        resource_id text,
        details jsonb
      )`);
    await runner.query(`CREATE INDEX audit_event_by_time ON audit_event USING brin (at)`);
    await runner.query(`CREATE INDEX audit_event_by_client ON audit_event (client_id, audit_id)`);
    await runner.query(`CREATE INDEX audit_event_by_resource ON audit_event (resource_id, audit_id) WHERE resource_id IS NOT NULL`);
    // Append-only: rows change never; only the retention pruning (which sets medbus.audit_prune) deletes old ones.
    await runner.query(`
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('medbus.audit_prune', true) = 'on' THEN RETURN OLD; END IF;
        RAISE EXCEPTION 'audit_event is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await runner.query(`
      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`);
    await runner.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS audit_event`);
    await runner.query(`DROP FUNCTION IF EXISTS audit_event_append_only()`);
    await runner.query(`DROP TABLE IF EXISTS booking_patient_client`);
    await runner.query(`DROP TABLE IF EXISTS auth_adapter_organisation`);
    await runner.query(`DROP TABLE IF EXISTS auth_credential`);
    await runner.query(`DROP TABLE IF EXISTS auth_client`);
  }
}
