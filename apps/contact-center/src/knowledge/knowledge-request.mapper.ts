import { z } from 'zod';
import { ArticleNotFoundError, InvalidKnowledgeRequestError } from './knowledge.errors';

export const ArticleKind = { REGULATION: 'REGULATION', FAQ: 'FAQ', SCRIPT: 'SCRIPT' } as const;
export type ArticleKind = (typeof ArticleKind)[keyof typeof ArticleKind];

const slugPattern = /^[a-z0-9][a-z0-9-]{0,119}$/;
const typeCode = z.string().regex(/^[A-Z][A-Z0-9_]{0,39}$/, 'must be an appeal type code');

export const articleSchema = z
  .object({
    kind: z.nativeEnum(ArticleKind),
    title: z.string().trim().min(1).max(300),
    /** Markdown. */
    body: z.string().trim().min(1).max(100_000),
    tags: z.array(z.string().trim().min(1).max(60)).max(30).default([]),
    appealTypes: z.array(typeCode).max(50).default([]),
  })
  .strict();
export type ArticleInput = z.output<typeof articleSchema>;

export const searchSchema = z
  .object({
    q: z.string().trim().min(1).max(300).optional(),
    kind: z.nativeEnum(ArticleKind).optional(),
    appealType: typeCode.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(100).optional(),
  })
  .strict();

export function parsed<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidKnowledgeRequestError(result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`));
  return result.data;
}

/** A slug in a path: one that cannot exist is simply not found. */
export function slugOf(slug: string): string {
  if (!slugPattern.test(slug)) throw new ArticleNotFoundError(slug);
  return slug;
}

/** Search results are ranked, not keyed: the cursor is the position of the next page, opaque to callers. */
export function cursorOf(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function offsetOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^o:(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidKnowledgeRequestError(['cursor: is not a cursor this API issued']);
  return Number(match[1]);
}
