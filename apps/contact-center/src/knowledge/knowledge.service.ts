import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppealTypesService } from '../appeals/appeal-types.service';
import { Clock } from '../clock.service';
import type { ArticleInput } from './knowledge-request.mapper';
import { ArticleNotFoundError, InvalidKnowledgeRequestError } from './knowledge.errors';

/** Writes the knowledge base; owns `kb_article` and `kb_article_appeal_type`. */
@Injectable()
export class KnowledgeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AppealTypesService) private readonly appealTypes: AppealTypesService,
  ) {}

  /** Creates the article or replaces it whole, its links to appeal types with it. */
  async put(slug: string, input: ArticleInput, updatedBy: string): Promise<{ created: boolean }> {
    const known = new Set((await this.appealTypes.list()).map((type) => type.code));
    const unknown = input.appealTypes.filter((code) => !known.has(code));
    if (unknown.length > 0) throw new InvalidKnowledgeRequestError([`appealTypes: no such appeal type ${unknown.join(', ')}`]);
    return this.dataSource.transaction(async (tx) => {
      const [{ id, created }]: { id: string; created: boolean }[] = await tx.query(
        `INSERT INTO kb_article (slug, kind, title, body, tags, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (slug) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title, body = EXCLUDED.body, tags = EXCLUDED.tags,
           updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING id, (xmax = 0) AS created`,
        [slug, input.kind, input.title, input.body, [...new Set(input.tags)], this.clock.now(), updatedBy],
      );
      await tx.query(`DELETE FROM kb_article_appeal_type WHERE article_id = $1`, [id]);
      await tx.query(`INSERT INTO kb_article_appeal_type (article_id, appeal_type_code) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [id, input.appealTypes]);
      return { created };
    });
  }

  async delete(slug: string): Promise<void> {
    // A DELETE answers [rows, count] through TypeORM.
    const [, deleted]: [unknown[], number] = await this.dataSource.query(`DELETE FROM kb_article WHERE slug = $1`, [slug]);
    if (deleted === 0) throw new ArticleNotFoundError(slug);
  }
}
