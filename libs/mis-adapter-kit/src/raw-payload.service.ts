import { createHash } from 'node:crypto';
import { appendFile, chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REDACTED, redactText } from '@medbus/telemetry';

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
  /** Of the payload as stored (redacted, for a patient operation). */
  readonly sha256: string;
  readonly bytes: number;
  readonly accepted: boolean;
  readonly rejection?: string;
  /** Set when the stored payload is the redacted answer of a patient operation. */
  readonly redacted?: true;
}

export interface RawPayloadArchiveOptions {
  readonly directory: string;
  /**
   * Operations whose answers concern a patient, each with the XML elements whose values are kept
   * (codes, MIS ids and instants the mapping reads). Every other text and attribute value of their
   * answers is replaced by `[REDACTED]` before anything is written.
   */
  readonly patientOperations?: Readonly<Record<string, readonly string[]>>;
  /** Day folders older than this are deleted by `prune` (a day goes once all of it is past the window). */
  readonly retentionMs: number;
  readonly clock?: { now(): Date };
}

const dayMs = 86_400_000;
const dayFolder = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Keeps raw vendor payloads so a bad mapping can be replayed: a folder per UTC day, each payload
 * stored once under its SHA-256 (`<day>/<sha256>.xml`; polls mostly return what they returned
 * before) and one JSON line per fetch in `<day>/index.jsonl`. Schedule and catalogue answers are
 * kept whole; answers of patient operations only with their structure, ids and codes
 * (decision record 0014). Folders are 0700 and files 0600 whatever the umask, and day folders
 * past the retention window are removed by `prune`.
 */
export class RawPayloadArchive {
  private readonly patientOperations: ReadonlyMap<string, ReadonlySet<string>>;
  private readonly days = new Map<string, Promise<void>>();

  constructor(private readonly options: RawPayloadArchiveOptions) {
    this.patientOperations = new Map(Object.entries(options.patientOperations ?? {}).map(([operation, kept]) => [operation, new Set(kept)]));
  }

  async store(fetch: RawFetch): Promise<RawFetchRecord> {
    const kept = this.patientOperations.get(fetch.operation);
    const body = kept ? redactXmlValues(fetch.body, kept) : fetch.body;
    const sha256 = createHash('sha256').update(body).digest('hex');
    const day = fetch.fetchedAt.toISOString().slice(0, 10);
    await this.prepared(day);
    const file = join(this.options.directory, day, `${sha256}.xml`);
    const created = await writeFile(file, body, { flag: 'wx', mode: 0o600 }).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        return false;
      },
    );
    if (created) await chmod(file, 0o600);
    const record: RawFetchRecord = {
      fetchedAt: fetch.fetchedAt.toISOString(),
      operation: fetch.operation,
      sha256,
      bytes: Buffer.byteLength(body),
      accepted: fetch.accepted,
      ...(fetch.rejection ? { rejection: fetch.rejection } : {}),
      ...(kept ? { redacted: true as const } : {}),
    };
    await appendFile(join(this.options.directory, day, 'index.jsonl'), `${JSON.stringify(record)}\n`, { mode: 0o600 });
    return record;
  }

  /** The fetches of one UTC day (`2026-03-02`), in the order they were made. */
  async fetchesOf(day: string): Promise<RawFetchRecord[]> {
    const text = await readFile(join(this.options.directory, day, 'index.jsonl'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as RawFetchRecord);
  }

  read(record: Pick<RawFetchRecord, 'fetchedAt' | 'sha256'>): Promise<string> {
    return readFile(join(this.options.directory, record.fetchedAt.slice(0, 10), `${record.sha256}.xml`), 'utf8');
  }

  /** Deletes the day folders whose whole day lies before now minus the retention window; returns their names. */
  async prune(): Promise<string[]> {
    const cutoff = (this.options.clock?.now() ?? new Date()).getTime() - this.options.retentionMs;
    const names = await readdir(this.options.directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const expired = names.filter((name) => dayFolder.test(name) && Date.parse(`${name}T00:00:00Z`) + dayMs <= cutoff).sort();
    for (const name of expired) {
      this.days.delete(name);
      await rm(join(this.options.directory, name), { recursive: true, force: true });
    }
    return expired;
  }

  // mkdir's and open's modes are masked by the umask: chmod says what they are.
  private prepared(day: string): Promise<void> {
    let ready = this.days.get(day);
    if (!ready) {
      const folder = join(this.options.directory, day);
      const index = join(folder, 'index.jsonl');
      ready = (async () => {
        await mkdir(folder, { recursive: true, mode: 0o700 });
        await chmod(this.options.directory, 0o700);
        await chmod(folder, 0o700);
        await appendFile(index, '', { mode: 0o600 });
        await chmod(index, 0o600);
      })();
      ready.catch(() => this.days.delete(day));
      this.days.set(day, ready);
    }
    return ready;
  }
}

const xmlToken =
  /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)|<!DOCTYPE(?:[^>[]|\[[\s\S]*?\])*>?|<\?[\s\S]*?(?:\?>|$)|<(\/?)([^\s/>!?]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|([^<]+)|</g;
// Attributes that describe the document, never the patient: namespaces, xsi:nil, xsi:type.
const structuralAttribute = /^(?:xmlns(?::.+)?|(?:[\w.-]+:)?(?:nil|type))$/;

/**
 * The XML with every text and attribute value replaced by `[REDACTED]`, except the values of the
 * elements named in `kept` (local names), which keep their value with patient-shaped strings
 * (СНИЛС, phones, policy numbers) still replaced. Element names and nesting stay, so the payload
 * still shows the answer's shape; comments go, a DTD keeps only its name.
 */
export function redactXmlValues(xml: string, kept: ReadonlySet<string>): string {
  const open: string[] = [];
  const valueOf = (text: string): string => {
    if (text.trim() === '') return text;
    const element = open.at(-1);
    return element !== undefined && kept.has(element) ? redactText(text) : REDACTED;
  };
  return xml.replace(
    xmlToken,
    (token: string, cdata?: string, slash?: string, name?: string, attributes?: string, selfClosing?: string, text?: string) => {
      if (text !== undefined) return valueOf(text);
      if (cdata !== undefined) return `<![CDATA[${valueOf(cdata)}]]>`;
      if (name !== undefined) {
        const local = name.slice(name.indexOf(':') + 1);
        if (slash) {
          const at = open.lastIndexOf(local);
          if (at >= 0) open.length = at;
          return token;
        }
        if (!selfClosing) open.push(local);
        const kept = (attributes ?? '').replace(/([^\s=]+)(\s*=\s*)("[^"]*"|'[^']*')/g, (attribute: string, key: string, equals: string) =>
          structuralAttribute.test(key) ? attribute : `${key}${equals}"${REDACTED}"`,
        );
        return `<${slash ?? ''}${name}${kept}${selfClosing ?? ''}>`;
      }
      if (token.startsWith('<!--')) return '';
      if (token.startsWith('<!DOCTYPE')) return `<!DOCTYPE ${REDACTED}>`;
      if (token === '<') return '&lt;';
      return token.startsWith('<?xml') ? token : '';
    },
  );
}
