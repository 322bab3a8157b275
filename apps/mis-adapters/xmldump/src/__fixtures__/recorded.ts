import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readDump } from '../dump/dump.reader';
import type { DumpClinic, DumpDay, DumpDoctor, DumpRecord } from '../dump/dump.types';

/**
 * Payloads recorded from the XMLDump simulator (tools/simulators/xmldump, seed 42, 2 organisations
 * × 2 doctors, 2 days from 2026-11-30): the first full dump, a partial after a walk-in at D0101 and a
 * sick day of D0202 on 2026-12-01, the index listing both, booking answers, and the hostile answers
 * its fault modes produce.
 */
export function recorded(file: string): Buffer {
  return readFileSync(join(__dirname, file));
}

export function recordedPath(file: string): string {
  return join(__dirname, file);
}

export async function recordedRecords(file: string): Promise<DumpRecord[]> {
  const records: DumpRecord[] = [];
  for await (const record of readDump(Readable.from([recorded(file)]))) records.push(record);
  return records;
}

export async function recordedParts(file: string): Promise<{ clinics: DumpClinic[]; doctors: DumpDoctor[]; days: DumpDay[] }> {
  const records = await recordedRecords(file);
  return {
    clinics: records.filter((r): r is DumpClinic => r.type === 'clinic'),
    doctors: records.filter((r): r is DumpDoctor => r.type === 'doctor'),
    days: records.filter((r): r is DumpDay => r.type === 'day'),
  };
}
