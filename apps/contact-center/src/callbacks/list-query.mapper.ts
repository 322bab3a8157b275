import { cursorReader, requestParser, uuidPattern } from '../page.mapper';
import { InvalidQueryError } from './callbacks.errors';

const invalid = (problems: readonly string[]) => new InvalidQueryError(problems);

/** A query string checked by a schema, or CC.INVALID_QUERY naming each problem (never the values): the calls' and call-backs' lists. */
export const parsedQuery = requestParser(invalid, 'query');

/** A list of calls or of lost calls ends at a PBX Uniqueid (any text). */
export const keyOf = cursorReader(invalid);

/** A list of call-back tasks ends at a task's id, a uuid (the query casts it: anything else would be a 500). */
export const taskKeyOf = cursorReader(invalid, uuidPattern);
