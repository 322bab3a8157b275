import { cursorReader, requestParser } from '../page.mapper';
import { InvalidQueryError } from './callbacks.errors';

const invalid = (problems: readonly string[]) => new InvalidQueryError(problems);

/** A query string checked by a schema, or CC.INVALID_QUERY naming each problem (never the values): the calls' and call-backs' lists. */
export const parsedQuery = requestParser(invalid, 'query');

/** Their cursors end at a uuid (a task) or a PBX Uniqueid (a call). */
export const keyOf = cursorReader(invalid);
