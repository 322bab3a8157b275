import type { z } from 'zod';
import { InvalidQueryError } from './callbacks.errors';

/** A query string checked by `schema`, or CC.INVALID_QUERY naming each problem (never the values). */
export function parsedQuery<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidQueryError(result.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`));
  return result.data;
}

/** A keyset cursor is the last row's key, opaque to callers. */
export function cursorOf(key: readonly [string, string]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function keyOf(cursor: string): [string, string] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 2 && key.every((part) => typeof part === 'string') && !Number.isNaN(Date.parse(key[0] as string))) return key as [string, string];
  } catch {
    // refused below
  }
  throw new InvalidQueryError(['cursor: is not a cursor this API issued']);
}
