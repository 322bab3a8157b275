import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScheduleState } from '../clinic/schedule.state';
import { changedDoctorDays, escapeXml, writeDump, type DumpKind, type DumpSink } from './dump.writer';

export const corruptModes = ['truncated-file', 'bad-counts', 'not-xml'] as const;
export type CorruptMode = (typeof corruptModes)[number];

/** Faults of the dumps, set through `POST /admin/dump-faults`; each is used once and then cleared. */
export interface DumpFaults {
  /** The next download of a dump file (HTTP or SFTP) is cut mid-file. */
  truncateNext: boolean;
  /** The next dump published is itself broken (the index describes the broken file). */
  corruptNext: CorruptMode | null;
}

/** One line of `index.xml`. */
export interface IndexEntry {
  readonly name: string;
  readonly kind: DumpKind;
  readonly seq: number;
  readonly size: number;
  readonly sha256: string;
  readonly generated: string;
}

export interface PublisherOptions {
  readonly dir: string;
  /** Seconds between partial dumps; 0 = none on a timer. */
  readonly partialIntervalSec: number;
  readonly now: () => Date;
  readonly log: (line: Record<string, unknown>) => void;
}

export const indexName = 'index.xml';
const dumpFileName = /^(full|partial)-(\d+)\.xml(\.tmp)?$/;

/** Whether a name is one the publisher may have written (a dump or the index), so a server may look it up. */
export function isDumpFileName(name: string): boolean {
  return name === indexName || /^(full|partial)-\d+\.xml$/.test(name);
}

/** Takes the truncation fault if it is set: true for the one download it cuts. */
export function takeTruncation(faults: DumpFaults): boolean {
  if (!faults.truncateNext) return false;
  faults.truncateNext = false;
  return true;
}

/** Moscow wall-clock time with its offset (`2026-11-30T02:00:00+03:00`): Moscow keeps UTC+3 all year. */
export function moscowTimestamp(at: Date): string {
  return `${new Date(at.getTime() + 3 * 3_600_000).toISOString().slice(0, 19)}+03:00`;
}

export function indexXml(entries: readonly IndexEntry[]): string {
  const lines = entries.map(
    (e) => `  <Dump name="${e.name}" kind="${e.kind}" seq="${e.seq}" size="${e.size}" sha256="${e.sha256}" generated="${escapeXml(e.generated)}"/>\n`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<DumpIndex>\n${lines.join('')}</DumpIndex>\n`;
}

/** A file written through a stream, hashed and measured on the way, waiting for the disk when its buffer is full. */
class FileSink implements DumpSink {
  private readonly hash = createHash('sha256');
  private readonly stream: WriteStream;
  size = 0;

  constructor(path: string) {
    this.stream = createWriteStream(path, { highWaterMark: 1024 * 1024 });
  }

  async write(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    this.hash.update(bytes);
    this.size += bytes.length;
    if (!this.stream.write(bytes)) await once(this.stream, 'drain');
  }

  async close(): Promise<string> {
    this.stream.end();
    await once(this.stream, 'finish');
    return this.hash.digest('hex');
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What a failed export leaves behind instead of XML. */
const notXml = 'Ошибка выгрузки расписания: нет соединения с сервером базы данных (код 0x80004005)\r\n';

/**
 * Publishes the schedule as dump files in a directory with their `index.xml`: a full dump at start
 * and whenever the simulated day has changed, partial dumps of the doctor-days changed since the
 * previous dump. One dump at a time; `seq` grows by one per dump and continues after the highest
 * seq of an index already in the directory. Keeps the last full dump and the partials after it.
 */
export class DumpPublisher {
  private entries: IndexEntry[] = [];
  private seq = 0;
  private base = 0;
  /** The state's change counter when the last dump began: the next partial lists what changed after it. */
  private dumpedVersion = 0;
  private dumpedDay = '';
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly state: ScheduleState,
    private readonly options: PublisherOptions,
    readonly faults: DumpFaults,
  ) {}

  get dir(): string {
    return this.options.dir;
  }

  /** Writes the first full dump, then partials on the timer. */
  async start(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    this.seq = await this.lastPublishedSeq();
    await this.publish('full');
    if (this.options.partialIntervalSec > 0) {
      this.timer = setInterval(() => this.tick(), this.options.partialIntervalSec * 1000);
      this.timer.unref();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.queue.catch(() => undefined);
  }

  /** The dumps the index lists, oldest first. */
  listed(): readonly IndexEntry[] {
    return this.entries;
  }

  /** The seq of the full dump the current partials apply on. */
  get baseSeq(): number {
    return this.base;
  }

  /** The path of a published file (a listed dump or the index), or undefined for any other name. */
  pathOf(name: string): string | undefined {
    if (name !== indexName && !this.entries.some((e) => e.name === name)) return undefined;
    return join(this.options.dir, name);
  }

  /**
   * Publishes a dump after those already queued. A partial asked for after the day changed is a full
   * dump (a partial never spans a night), as is one whose changes have left the bounded change log.
   */
  publish(kind: DumpKind): Promise<IndexEntry> {
    this.pending++;
    const run = this.queue.then(() => this.produce(kind)).finally(() => this.pending--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** What the timer does: a full dump when the day changed, else a partial when anything changed; nothing while a dump is under way. */
  tick(): void {
    if (this.pending > 0) return;
    if (this.state.today !== this.dumpedDay) void this.publishLogged('full');
    else if (this.state.version > this.dumpedVersion) void this.publishLogged('partial');
  }

  /**
   * A full dump when the simulated day changed since the last dump (after a night or `POST /admin/advance-day`),
   * once the dumps under way are written; a dump queued meanwhile is a full one anyway.
   */
  catchUpDay(): void {
    void this.queue.then(() => {
      if (this.pending === 0 && this.state.today !== this.dumpedDay) void this.publishLogged('full');
    });
  }

  private publishLogged(kind: DumpKind): Promise<unknown> {
    return this.publish(kind).catch((error: unknown) => this.options.log({ msg: 'dump failed', kind, error: error instanceof Error ? error.message : 'unknown' }));
  }

  private async produce(asked: DumpKind): Promise<IndexEntry> {
    for (;;) {
      const started = Date.now();
      const today = this.state.today;
      const version = this.state.version;
      const changed = asked === 'partial' && today === this.dumpedDay ? changedDoctorDays(this.state, this.dumpedVersion) : undefined;
      const kind: DumpKind = changed ? 'partial' : 'full';
      const seq = this.seq + 1;
      const name = `${kind}-${seq}.xml`;
      const path = join(this.options.dir, name);
      const generated = moscowTimestamp(this.options.now());
      const corrupt = this.faults.corruptNext;
      const sink = new FileSink(`${path}.tmp`);
      const spec = { seq, generated, miscount: corrupt === 'bad-counts' };
      const counts = await writeDump(this.state, changed ? { ...spec, kind: 'partial', base: this.base, changed } : { ...spec, kind: 'full' }, sink).catch(
        async (error: unknown) => {
          await sink.close().catch(() => undefined);
          await unlink(`${path}.tmp`).catch(() => undefined);
          throw error;
        },
      );
      let sha256 = await sink.close();
      if (this.state.today !== today) {
        // A night came while the dump was written: it mixes two days, so write it again.
        await unlink(`${path}.tmp`);
        continue;
      }
      let size = sink.size;
      if (corrupt !== null) {
        this.faults.corruptNext = null;
        if (corrupt === 'truncated-file') {
          size = Math.floor(size * 0.6);
          await truncate(`${path}.tmp`, size);
        } else if (corrupt === 'not-xml') {
          await writeFile(`${path}.tmp`, notXml);
          size = Buffer.byteLength(notXml);
        }
        sha256 = await sha256Of(`${path}.tmp`);
      }
      await rename(`${path}.tmp`, path);
      const entry: IndexEntry = { name, kind, seq, size, sha256, generated };
      this.seq = seq;
      this.dumpedVersion = version;
      this.dumpedDay = today;
      if (kind === 'full') {
        this.base = seq;
        this.entries = [entry];
      } else {
        this.entries = [...this.entries, entry];
      }
      await this.writeIndex();
      if (kind === 'full') await this.prune();
      this.options.log({ msg: 'dump', name, ...counts, bytes: size, ms: Date.now() - started, ...(corrupt ? { injected: corrupt } : {}) });
      return entry;
    }
  }

  private async writeIndex(): Promise<void> {
    const path = join(this.options.dir, indexName);
    await writeFile(`${path}.tmp`, indexXml(this.entries));
    await rename(`${path}.tmp`, path);
  }

  /** Removes the dump files the index no longer lists (a reader that has one open keeps reading it). */
  private async prune(): Promise<void> {
    const listed = new Set(this.entries.map((e) => e.name));
    for (const file of await readdir(this.options.dir)) {
      if (dumpFileName.test(file) && !listed.has(file)) await unlink(join(this.options.dir, file)).catch(() => undefined);
    }
  }

  /** The highest seq an index left in the directory lists (a restarted simulator continues after it), else 0. */
  private async lastPublishedSeq(): Promise<number> {
    const text = await readFile(join(this.options.dir, indexName), 'utf8').catch(() => '');
    return Math.max(0, ...[...text.matchAll(/\sseq="(\d+)"/g)].map((m) => Number(m[1])));
  }
}
