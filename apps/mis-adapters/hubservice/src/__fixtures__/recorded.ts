import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { resultSchemas, type HubReadOperation, type HubReadResult } from '../hubservice-response.mapper';

/**
 * Payloads recorded from the HubService simulator (tools/simulators/hubservice, seed 42,
 * 2 organisations × 2 doctors, 2026-11-24), one file per operation, and the hostile answers
 * its fault modes produce.
 */
export function recordedXml(file: string): string {
  return readFileSync(join(__dirname, file), 'utf8');
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, processEntities: false });

/** A recorded response's `<Op>Result`, parsed like the adapter's soap client leaves it (scalars as text) and validated. */
export function recordedResult<O extends HubReadOperation>(operation: O, file: string): HubReadResult<O> {
  const doc = parser.parse(recordedXml(file)) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  return resultSchemas[operation].parse(doc.Envelope.Body[`${operation}Response`][`${operation}Result`]) as HubReadResult<O>;
}
