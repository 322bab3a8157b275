import { createHash } from 'node:crypto';
import { ProblemError } from './problem.errors';

export const defaultPageSize = 50;
export const maxPageSize = 200;

export interface Page<T> {
  readonly data: readonly T[];
  readonly next_cursor: string | null;
}

/**
 * A listing cursor is keyset, not offset: it names the last item handed out, so an item added or
 * removed in front of it does not shift the next page. It is bound to its listing (the path and its
 * filters, hashed): a cursor of one listing given to another is refused rather than misread.
 */
interface PageCursor {
  readonly v: 1;
  readonly l: string;
  readonly a: string;
}

/** The change feed's cursor: a position in the simulator's change log, and which run of the simulator wrote it. */
interface FeedCursor {
  readonly v: 1;
  readonly r: string;
  readonly s: number;
}

const listingOf = (scope: string): string => createHash('sha256').update(scope).digest('base64url').slice(0, 10);

const encode = (value: PageCursor | FeedCursor): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(cursor: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function encodePageCursor(scope: string, afterKey: string): string {
  return encode({ v: 1, l: listingOf(scope), a: afterKey });
}

/** The key the cursor points after; a problem when it is not a cursor of this listing. */
export function decodePageCursor(cursor: string, scope: string): string {
  const value = decode(cursor);
  if (value?.['v'] !== 1 || typeof value['a'] !== 'string') throw new ProblemError('invalid_cursor', 'The cursor is not a MedREST cursor.');
  if (value['l'] !== listingOf(scope)) throw new ProblemError('invalid_cursor', 'The cursor belongs to another listing or to other filters.');
  return value['a'];
}

export function encodeFeedCursor(run: string, seq: number): string {
  return encode({ v: 1, r: run, s: seq });
}

/** The run and position of a change-feed cursor; a problem when it is not one. */
export function decodeFeedCursor(cursor: string): { readonly run: string; readonly seq: number } {
  const value = decode(cursor);
  const seq = value?.['s'];
  if (value?.['v'] !== 1 || typeof value['r'] !== 'string' || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new ProblemError('invalid_cursor', 'The cursor is not a change-feed cursor.');
  }
  return { run: value['r'], seq };
}

/** `?limit=` as a page size: 1..200, 50 when absent. */
export function pageSizeOf(limit: string | null): number {
  if (limit === null) return defaultPageSize;
  const size = Number(limit);
  if (!/^\d+$/.test(limit) || size < 1 || size > maxPageSize) {
    throw new ProblemError('validation_failed', `limit must be an integer from 1 to ${maxPageSize}.`, { errors: [{ field: 'limit', message: `1..${maxPageSize}` }] });
  }
  return size;
}

/**
 * One page of `items`, which must be in ascending order of `keyOf` (string order): the items after
 * the cursor's key, and a cursor for the next page when more remain.
 */
export function paginate<T>(items: readonly T[], keyOf: (item: T) => string, scope: string, query: { readonly limit: string | null; readonly cursor: string | null }): Page<T> {
  const size = pageSizeOf(query.limit);
  const after = query.cursor === null ? undefined : decodePageCursor(query.cursor, scope);
  let start = 0;
  if (after !== undefined) {
    let high = items.length;
    while (start < high) {
      const middle = (start + high) >>> 1;
      if (keyOf(items[middle] as T) <= after) start = middle + 1;
      else high = middle;
    }
  }
  const data = items.slice(start, start + size);
  const last = data.at(-1);
  return { data, next_cursor: start + size < items.length && last !== undefined ? encodePageCursor(scope, keyOf(last)) : null };
}
