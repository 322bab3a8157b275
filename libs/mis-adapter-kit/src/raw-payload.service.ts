import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RawFetch {
  readonly operation: string;
  readonly body: string;
  readonly fetchedAt: Date;
  /** Whether the adapter used the payload; a rejected one is kept to see what the vendor sent. */
  readonly accepted: boolean;
  readonly rejection?: string;
}

export interface RawFetchRecord {
  readonly fetchedAt: string;
  readonly operation: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly accepted: boolean;
  readonly rejection?: string;
}

/**
 * Keeps every raw vendor payload so a bad mapping can be replayed: an append-only folder per
 * UTC day, each payload stored once under its SHA-256 (`<day>/<sha256>.xml`; polls mostly
 * return what they returned before) and one JSON line per fetch in `<day>/index.jsonl`.
 * A folder rather than a table: payloads are large, written on the hot path and read only
 * when replaying, and old days go away with `rm -r` or a volume's lifecycle policy.
 * Payloads may contain practitioners' personal data: the folder is as sensitive as the MIS.
 */
export class RawPayloadArchive {
  constructor(private readonly directory: string) {}

  async store(fetch: RawFetch): Promise<RawFetchRecord> {
    const sha256 = createHash('sha256').update(fetch.body).digest('hex');
    const day = join(this.directory, fetch.fetchedAt.toISOString().slice(0, 10));
    await mkdir(day, { recursive: true });
    await writeFile(join(day, `${sha256}.xml`), fetch.body, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const record: RawFetchRecord = {
      fetchedAt: fetch.fetchedAt.toISOString(),
      operation: fetch.operation,
      sha256,
      bytes: Buffer.byteLength(fetch.body),
      accepted: fetch.accepted,
      ...(fetch.rejection ? { rejection: fetch.rejection } : {}),
    };
    await appendFile(join(day, 'index.jsonl'), `${JSON.stringify(record)}\n`);
    return record;
  }

  /** The fetches of one UTC day (`2026-03-02`), in the order they were made. */
  async fetchesOf(day: string): Promise<RawFetchRecord[]> {
    const text = await readFile(join(this.directory, day, 'index.jsonl'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as RawFetchRecord);
  }

  read(record: Pick<RawFetchRecord, 'fetchedAt' | 'sha256'>): Promise<string> {
    return readFile(join(this.directory, record.fetchedAt.slice(0, 10), `${record.sha256}.xml`), 'utf8');
  }
}
