import { z } from 'zod';

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an API answers a request it refuses with: its own CC.* 400 error naming each problem. */
export type InvalidRequest = (problems: readonly string[]) => Error;

/**
 * Reads a request's part with `schema`, or throws `invalid` with each problem as `field: rule`
 * (`whole` names the part itself), never the value given: it may be a caller's number or text.
 */
export function requestParser(invalid: InvalidRequest, whole: string) {
  return <S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> => {
    const result = schema.safeParse(input);
    if (!result.success) throw invalid(result.error.issues.map((issue) => `${issue.path.join('.') || whole}: ${ruleOf(issue)}`));
    return result.data;
  };
}

/** An issue's rule; zod's own message for a value outside an enum quotes the value ("received '…'"), so that one is said here. */
function ruleOf(issue: z.ZodIssue): string {
  if (issue.code === z.ZodIssueCode.invalid_enum_value) return `must be one of ${issue.options.join(', ')}`;
  return issue.message;
}

/**
 * An instant exactly as a cursor carries it (`Date#toISOString`, a four-digit year); Date.parse alone takes
 * "1", "May 5" or the year +010000, which PostgreSQL refuses (a 500 where a forged cursor deserves a 400).
 */
function isIssuedInstant(value: string): boolean {
  const instant = new Date(value);
  return /^\d{4}-/.test(value) && !Number.isNaN(instant.getTime()) && instant.toISOString() === value;
}

/** A keyset list query's `limit` (1 to `max`, `fallback` when absent) and `cursor`. */
export function pageQuery(max: number, fallback: number, cursorLength = 500) {
  return {
    limit: z.coerce.number().int().min(1).max(max).default(fallback),
    cursor: z.string().max(cursorLength).optional(),
  };
}

/** Where a keyset page ends: its last row's sort instant (ISO) and its id, which breaks ties. */
export type PageKey = readonly [at: string, id: string];

/** The cursor of the page after the one ending at `key`, opaque to callers. */
export function cursorOf(key: PageKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Reads back a cursor {@link cursorOf} issued whose id matches `id`; anything else is refused with `invalid`. */
export function cursorReader(invalid: InvalidRequest, id = /^/): (cursor: string) => [string, string] {
  return (cursor) => {
    try {
      const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && isIssuedInstant(key[0]) && typeof key[1] === 'string' && id.test(key[1])) return [key[0], key[1]];
    } catch {
      // refused below
    }
    throw invalid(['cursor: is not a cursor this API issued']);
  };
}
