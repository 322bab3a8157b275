import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The knowledge base: regulations, FAQ and scripts the operators read during a call, searched in
 * Russian (title weighs more than body), and linked from appeal types. Runs after the appeals'
 * migrations (its links reference appeal_type).
 */
export class CreateKnowledgeTables1796600000150 implements MigrationInterface {
  name = 'CreateKnowledgeTables1796600000150';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE kb_article (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text COLLATE "C" NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,119}$'),
        kind text NOT NULL CHECK (kind IN ('REGULATION', 'FAQ', 'SCRIPT')),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        body text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
        tags text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL,
        search tsvector GENERATED ALWAYS AS (setweight(to_tsvector('russian', title), 'A') || setweight(to_tsvector('russian', body), 'B')) STORED
      )`);
    await runner.query(`CREATE INDEX kb_article_search ON kb_article USING GIN (search)`);
    await runner.query(`
      CREATE TABLE kb_article_appeal_type (
        article_id uuid NOT NULL REFERENCES kb_article (id) ON DELETE CASCADE,
        appeal_type_code text COLLATE "C" NOT NULL REFERENCES appeal_type (code),
        PRIMARY KEY (article_id, appeal_type_code)
      )`);
    await runner.query(`CREATE INDEX kb_article_appeal_type_code ON kb_article_appeal_type (appeal_type_code)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE kb_article_appeal_type`);
    await runner.query(`DROP TABLE kb_article`);
  }
}
