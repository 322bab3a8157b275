import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The XMLDump adapter's own tables: the dumps it handled (so a restart neither applies one again nor
 * downloads a broken one again) and the vendor's clinic code of each organisation (booking messages
 * name the clinic by it; the canonical organisation has no field for it).
 */
export class CreateXmlDumpLedger1796900000000 implements MigrationInterface {
  name = 'CreateXmlDumpLedger1796900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS xmldump_handled_dump (
        adapter_id text NOT NULL,
        seq bigint NOT NULL,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('full', 'partial')),
        sha256 text NOT NULL,
        generated_at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('applied', 'rejected')),
        rejection text,
        handled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (adapter_id, seq)
      )`);
    await runner.query(`
      CREATE TABLE IF NOT EXISTS xmldump_clinic (
        adapter_id text NOT NULL,
        organisation_oid text NOT NULL,
        clinic_code text NOT NULL,
        PRIMARY KEY (adapter_id, organisation_oid)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS xmldump_clinic`);
    await runner.query(`DROP TABLE IF EXISTS xmldump_handled_dump`);
  }
}
