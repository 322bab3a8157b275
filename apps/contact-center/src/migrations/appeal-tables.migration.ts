import type { MigrationInterface, QueryRunner } from 'typeorm';

const seededTypes: readonly (readonly [code: string, name: string, reviewDays: number, escalateBeforeHours: number])[] = [
  ['BOOKING', 'Запись на приём к врачу', 10, 48],
  ['QUALITY_OF_CARE', 'Качество оказания медицинской помощи', 10, 48],
  ['DRUG_PROVISION', 'Лекарственное обеспечение', 10, 48],
  ['COMPLAINT', 'Жалоба', 10, 48],
  ['CONSULTATION', 'Консультация и справочная информация', 3, 24],
  ['MEDICAL_CERTIFICATE', 'Медицинские справки и документы', 10, 48],
  ['ATTACHMENT', 'Прикрепление к медицинской организации', 10, 48],
  ['GRATITUDE', 'Благодарность', 10, 48],
  ['OTHER', 'Прочее', 10, 48],
];

/**
 * Appeals (обращения): their types with the regulation (review days, escalation lead), the appeals
 * themselves and every change of each. Text, resolution, notes and the applicant's number are
 * ciphertext (decision 0014), bound to `appeal:<id>:<column>`; the number has a keyed hash beside it.
 * `review_days` and `escalate_at` are the regulation as it was when the appeal was registered.
 */
export class CreateAppealTables1796600000100 implements MigrationInterface {
  name = 'CreateAppealTables1796600000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE appeal_type (
        code text COLLATE "C" PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{0,39}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        review_days integer NOT NULL CHECK (review_days BETWEEN 1 AND 90),
        escalate_before_hours integer NOT NULL DEFAULT 48 CHECK (escalate_before_hours BETWEEN 0 AND 2160),
        active boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text
      )`);
    for (const [code, name, reviewDays, escalateBeforeHours] of seededTypes) {
      await runner.query(`INSERT INTO appeal_type (code, name, review_days, escalate_before_hours) VALUES ($1, $2, $3, $4)`, [code, name, reviewDays, escalateBeforeHours]);
    }

    // Numbers run per year of the region's zone, without gaps: a registration takes the year's row lock.
    await runner.query(`CREATE TABLE appeal_number (year integer PRIMARY KEY, last integer NOT NULL)`);

    await runner.query(`
      CREATE TABLE appeal (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        type_code text COLLATE "C" NOT NULL REFERENCES appeal_type (code),
        profile_code text CHECK (profile_code ~ '^[0-9]{1,10}$'),
        organisation_oid text,
        district_id text,
        district_name text,
        branch text NOT NULL,
        patient_id uuid,
        applicant_phone text NOT NULL,
        applicant_phone_hash text,
        text text NOT NULL,
        status text NOT NULL CHECK (status IN ('REGISTERED', 'IN_PROGRESS', 'SECOND_LINE', 'RESOLVED', 'CLOSED')),
        line smallint NOT NULL DEFAULT 1 CHECK (line IN (1, 2)),
        assigned_to text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        review_days integer NOT NULL,
        deadline_at timestamptz NOT NULL,
        escalate_at timestamptz NOT NULL,
        escalated_at timestamptz,
        overdue_at timestamptz,
        handover_note text,
        resolved_at timestamptz,
        resolution text,
        follow_up_due_at timestamptz,
        follow_up_at timestamptz,
        follow_up_outcome text CHECK (follow_up_outcome IN ('SATISFIED', 'NOT_SATISFIED', 'NOT_REACHED')),
        follow_up_note text,
        follow_ups_not_reached integer NOT NULL DEFAULT 0,
        closed_at timestamptz,
        idempotency_key text,
        request_hash text,
        CHECK ((status IN ('RESOLVED', 'CLOSED')) = (resolved_at IS NOT NULL)),
        CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL))
      )`);
    await runner.query(`CREATE UNIQUE INDEX appeal_idempotency ON appeal (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await runner.query(`CREATE INDEX appeal_list ON appeal (branch, created_at DESC, id DESC)`);
    await runner.query(`CREATE INDEX appeal_created ON appeal (created_at)`);
    await runner.query(`CREATE INDEX appeal_escalation ON appeal (escalate_at) WHERE status IN ('REGISTERED', 'IN_PROGRESS', 'SECOND_LINE')`);
    await runner.query(`CREATE INDEX appeal_follow_up ON appeal (follow_up_due_at) WHERE status = 'RESOLVED'`);
    await runner.query(`CREATE INDEX appeal_second_line ON appeal (assigned_to) WHERE line = 2`);
    await runner.query(`CREATE INDEX appeal_phone ON appeal (applicant_phone_hash)`);

    await runner.query(`
      CREATE TABLE appeal_event (
        id bigserial PRIMARY KEY,
        appeal_id uuid NOT NULL REFERENCES appeal (id) ON DELETE CASCADE,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        code text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        line smallint NOT NULL,
        assigned_to text
      )`);
    await runner.query(`CREATE INDEX appeal_event_appeal ON appeal_event (appeal_id, id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE appeal_event`);
    await runner.query(`DROP TABLE appeal`);
    await runner.query(`DROP TABLE appeal_number`);
    await runner.query(`DROP TABLE appeal_type`);
  }
}
