import { ValidationError } from '@medbus/errors';

/** Stable codes of a refused dump. */
export const DumpRejection = {
  /** The input ended before the document did. */
  truncated: 'DUMP.TRUNCATED',
  /** Not well-formed XML, not UTF-8, or an element where the format has none. */
  malformed: 'DUMP.MALFORMED',
  /** The root is not `ScheduleDump` in `urn:xmldump:schedule:1`. */
  wrongRoot: 'DUMP.WRONG_ROOT',
  /** A DTD (DOCTYPE, ENTITY, ...) declaration: entity expansion and external entities are never read. */
  hostile: 'DUMP.HOSTILE',
  /** A unit larger than the reader's limit. */
  unitTooLarge: 'DUMP.UNIT_TOO_LARGE',
  /** An attribute or text missing, or not of its type (a date that is not YYYY-MM-DD, an unknown state...). */
  invalidValue: 'DUMP.INVALID_VALUE',
  /** The document closed without its End element. */
  endMissing: 'DUMP.END_MISSING',
  /** The End element's counts differ from what the dump holds. */
  countsMismatch: 'DUMP.COUNTS_MISMATCH',
} as const;

export type DumpRejectionCode = (typeof DumpRejection)[keyof typeof DumpRejection];

export interface DumpRejectionFacts {
  /** Why, in a word of our own (`TOO_DEEP`, `NOT_HH_MM`...): never the dump's content. */
  readonly reason?: string;
  readonly element?: string;
  readonly attribute?: string;
  readonly cause?: unknown;
}

/**
 * A schedule dump refused as a whole. `position` is the byte offset of the unit or markup at fault
 * (for `DUMP.TRUNCATED` the number of bytes read); message and details never hold the dump's content.
 */
export class DumpRejectedError extends ValidationError {
  declare readonly code: DumpRejectionCode;

  constructor(
    code: DumpRejectionCode,
    readonly position: number,
    facts: DumpRejectionFacts = {},
  ) {
    const what = [facts.element, facts.attribute && `@${facts.attribute}`, facts.reason].filter(Boolean).join(' ');
    super(code, `schedule dump refused at byte ${position}${what ? `: ${what}` : ''}`, {
      cause: facts.cause,
      details: { position, ...(facts.reason && { reason: facts.reason }), ...(facts.element && { element: facts.element }), ...(facts.attribute && { attribute: facts.attribute }) },
    });
  }
}
