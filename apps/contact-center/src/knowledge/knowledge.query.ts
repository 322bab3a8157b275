import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ArticleKind } from './knowledge-request.mapper';
import { ArticleNotFoundError } from './knowledge.errors';

export interface ArticleSummary {
  readonly slug: string;
  readonly kind: ArticleKind;
  readonly title: string;
  readonly tags: string[];
  readonly appealTypes: string[];
  readonly updatedAt: Date;
  /** Where the query's words were found in the body, `**` around them (markdown bold); null without a query. */
  readonly snippet: string | null;
  /** ts_rank_cd of the article for the query (title counts more than body); null without a query. */
  readonly rank: number | null;
}

export interface Article extends Omit<ArticleSummary, 'snippet' | 'rank'> {
  readonly body: string;
  readonly updatedBy: string;
}

export interface ArticleSearch {
  readonly q?: string;
  readonly kind?: ArticleKind;
  readonly appealType?: string;
  readonly limit: number;
  readonly offset: number;
}

const linkedTypes = `ARRAY(SELECT l.appeal_type_code FROM kb_article_appeal_type l WHERE l.article_id = a.id ORDER BY 1) AS "appealTypes"`;
const headline = `StartSel=**, StopSel=**, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;

/** Reads the knowledge base: full-text search in Russian (stemmed: «записаться к педиатру» finds «Запись к педиатрам»). */
@Injectable()
export class KnowledgeQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One more than `limit` is read to tell whether another page follows. */
  async search(search: ArticleSearch): Promise<{ items: ArticleSummary[]; more: boolean }> {
    const filters = `($2::text IS NULL OR a.kind = $2)
      AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM kb_article_appeal_type l WHERE l.article_id = a.id AND l.appeal_type_code = $3))`;
    const params = [search.q ?? null, search.kind ?? null, search.appealType ?? null, search.limit + 1, search.offset];
    const rows: (ArticleSummary & { rank: string | number | null })[] =
      search.q === undefined
        ? await this.dataSource.query(
            `SELECT a.slug, a.kind, a.title, a.tags, ${linkedTypes}, a.updated_at AS "updatedAt", NULL AS snippet, NULL AS rank
             FROM kb_article a WHERE $1::text IS NULL AND ${filters}
             ORDER BY a.title, a.slug LIMIT $4 OFFSET $5`,
            params,
          )
        : await this.dataSource.query(
            `SELECT a.slug, a.kind, a.title, a.tags, ${linkedTypes}, a.updated_at AS "updatedAt",
               ts_headline('russian', a.body, q, '${headline}') AS snippet, ts_rank_cd(a.search, q) AS rank
             FROM kb_article a, websearch_to_tsquery('russian', $1) q
             WHERE a.search @@ q AND ${filters}
             ORDER BY rank DESC, a.slug LIMIT $4 OFFSET $5`,
            params,
          );
    const items = rows.slice(0, search.limit).map((row) => ({ ...row, rank: row.rank === null ? null : Number(row.rank) }));
    return { items, more: rows.length > search.limit };
  }

  async get(slug: string): Promise<Article> {
    const [row]: Article[] = await this.dataSource.query(
      `SELECT a.slug, a.kind, a.title, a.body, a.tags, ${linkedTypes}, a.updated_at AS "updatedAt", a.updated_by AS "updatedBy" FROM kb_article a WHERE a.slug = $1`,
      [slug],
    );
    if (!row) throw new ArticleNotFoundError(slug);
    return row;
  }
}
