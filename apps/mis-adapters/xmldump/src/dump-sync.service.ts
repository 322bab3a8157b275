import { randomUUID } from 'node:crypto';
import { chmod, copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isRetryable } from '@medbus/errors';
import { backoffDelay, describeError, MisResponseRejectedError, type CircuitBreaker, type Clock, type DialectLogger, type RawPayloadArchive, type SyncSummary } from '@medbus/mis-adapter-kit';
import type { DumpApplier } from './dump-apply.service';
import { parseDumpIndex, pendingDumps, type DumpIndexEntry } from './dump-index.mapper';
import type { DumpLedger } from './dump-ledger.service';
import type { DumpSession, DumpSource } from './dump-source.client';
import { DumpRejectedError } from './dump/dump.errors';

export interface DumpSyncOptions {
  readonly adapterId: string;
  /** Folder the dumps are downloaded to. */
  readonly tempDir: string;
  readonly maxIndexBytes: number;
  /** Largest dump downloaded; a larger one is refused as a whole. */
  readonly maxDumpBytes: number;
  /** Backoff after a pass that could not read or download (a cut connection, an outage). */
  readonly retry: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** The raw payload archive: index.xml bodies are stored in it, dump files in its day folders (pruned with it). */
  readonly archive?: { readonly store: RawPayloadArchive; readonly directory: string };
  /** Called after each pass that read the vendor: whether it answered. */
  readonly onAnswered?: (answered: boolean) => void;
}

export interface LastAppliedDump {
  readonly name: string;
  readonly seq: number;
  /** The dump's `generated` time: the MIS's state the publication now reflects. */
  readonly generatedAt: Date;
}

export interface DumpCounters {
  applied: number;
  rejected: number;
  failedPasses: number;
}

/** The code of a dump refused for its size before download (the reader's codes are `DUMP.*` too). */
export const dumpTooLarge = 'DUMP.TOO_LARGE';

/**
 * Keeps the publication equal to the vendor's dumps: a pass reads index.xml, takes the newest full
 * dump not yet handled and the partials after it in seq order (`pendingDumps`), downloads each to a
 * temporary file (size and SHA-256 checked against the index), and applies it whole or not at all
 * (`DumpApplier`), recording it in the ledger once published. A dump whose bytes are the vendor's
 * but whose content is broken is refused, recorded and passed over: downloading it again would give
 * the same bytes. A pass that cannot read the index or download a dump stops there; the next one
 * is held back with exponential backoff, then asked for (`requestSync`).
 */
export class DumpSync {
  readonly counters: DumpCounters = { applied: 0, rejected: 0, failedPasses: 0 };
  private ledger: DumpLedger | undefined;
  private clinicCodes = new Map<string, string>();
  private last: LastAppliedDump | null = null;
  private lastReassert: Date | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private failuresInRow = 0;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: DumpSource,
    private readonly applier: DumpApplier,
    private readonly breaker: CircuitBreaker,
    private readonly clock: Clock,
    private readonly options: DumpSyncOptions,
    private readonly logger: DialectLogger,
    private readonly requestSync: () => void,
  ) {}

  /** Takes back what the ledger remembers: the last dump applied and the clinics' codes. */
  async start(ledger: DumpLedger): Promise<void> {
    this.ledger = ledger;
    const applied = (await ledger.handled()).filter((d) => d.outcome === 'applied').at(-1);
    this.last = applied ? { name: applied.name, seq: applied.seq, generatedAt: applied.generatedAt } : null;
    this.clinicCodes = await ledger.clinics();
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    await this.queue.catch(() => undefined);
  }

  get lastApplied(): LastAppliedDump | null {
    return this.last;
  }

  get lastReassertedAt(): Date | null {
    return this.lastReassert;
  }

  /** When the next pass may read the vendor again after failures; null when it may now. */
  get retryingAt(): Date | null {
    return this.retryAt > this.clock.now().getTime() ? new Date(this.retryAt) : null;
  }

  /** The vendor's clinic code of an organisation the applied dumps listed. */
  clinicCodeOf(organisationOid: string): string | undefined {
    return this.clinicCodes.get(organisationOid);
  }

  /** One pass; passes never overlap (a call during one runs after it). */
  sync(options: { readonly reassert: boolean }): Promise<SyncSummary> {
    const run = this.queue.then(() => this.pass(options.reassert));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async pass(reassert: boolean): Promise<SyncSummary> {
    const ledger = this.ledger;
    if (!ledger) throw new Error('DumpSync.start must run before a pass');
    // Held back after failures; the timer asks for the pass when the wait is over.
    if (this.retryingAt !== null) return { published: 0, failures: 1 };
    const startedAt = this.clock.now();
    let published = 0;
    let failures = 0;
    try {
      const session = await this.breaker.run(() => this.source.open());
      try {
        const index = await this.readIndex(session);
        const base = index.filter((e) => e.kind === 'full').at(-1)?.seq ?? 0;
        for (const entry of pendingDumps(index, await ledger.handled(), reassert)) {
          const outcome = await this.handle(session, ledger, entry, base, reassert);
          published += outcome.published;
          if (outcome.rejected) failures += 1;
        }
      } finally {
        await session.close().catch(() => undefined);
      }
    } catch (error) {
      this.counters.failedPasses += 1;
      if (isRetryable(error)) {
        this.options.onAnswered?.(false);
        this.holdBack();
      } else if (error instanceof MisResponseRejectedError) this.options.onAnswered?.(true);
      throw error;
    }
    this.options.onAnswered?.(true);
    this.failuresInRow = 0;
    if (reassert && failures === 0) this.lastReassert = startedAt;
    return { published, failures };
  }

  private async readIndex(session: DumpSession): Promise<DumpIndexEntry[]> {
    const body = await this.breaker.run(() => session.readIndex(this.options.maxIndexBytes));
    this.options.onAnswered?.(true);
    let rejection: string | undefined;
    try {
      return parseDumpIndex(body, this.options.maxIndexBytes);
    } catch (error) {
      if (error instanceof MisResponseRejectedError) rejection = error.reason;
      throw error;
    } finally {
      const fetchedAt = this.clock.now();
      await this.options.archive?.store
        .store({ operation: 'index', body: body.toString('utf8'), fetchedAt, accepted: rejection === undefined, ...(rejection ? { rejection } : {}) })
        .catch((error: unknown) => this.logger.warn('raw payload not archived', { error: describeError(error) }));
    }
  }

  /** Downloads, checks and applies one dump; a broken one is recorded as refused and publishes nothing. */
  private async handle(session: DumpSession, ledger: DumpLedger, entry: DumpIndexEntry, base: number, reassert: boolean): Promise<{ published: number; rejected: boolean }> {
    if (entry.size > this.options.maxDumpBytes) {
      this.logger.warn('dump refused as a whole for its size; nothing of it is published', { dump: entry.name, bytes: entry.size, maxBytes: this.options.maxDumpBytes });
      return this.refuse(ledger, entry, dumpTooLarge);
    }
    const path = join(this.options.tempDir, `xmldump-${this.options.adapterId}-${entry.name}-${randomUUID().slice(0, 8)}`);
    let keep = false;
    try {
      const downloadStarted = performance.now();
      await this.breaker.run(() => session.download(entry, path));
      const validateStarted = performance.now();
      let end;
      try {
        end = await this.applier.validate(path, entry, base);
      } catch (error) {
        if (!(error instanceof DumpRejectedError)) throw error;
        keep = true;
        this.logger.warn('dump refused as a whole; nothing of it is published', { dump: entry.name, code: error.code, details: error.details });
        return this.refuse(ledger, entry, error.code);
      }
      const publishStarted = performance.now();
      const { published, clinics } = await this.applier.publish(path, end.header, reassert);
      await ledger.record(entry, { outcome: 'applied' }, clinics, entry.kind === 'full');
      if (entry.kind === 'full') this.clinicCodes = new Map(clinics);
      else for (const [oid, code] of clinics) this.clinicCodes.set(oid, code);
      this.last = { name: entry.name, seq: entry.seq, generatedAt: new Date(entry.generated) };
      this.counters.applied += 1;
      keep = true;
      this.logger.log('dump applied', {
        dump: entry.name,
        kind: entry.kind,
        seq: entry.seq,
        bytes: entry.size,
        ...end.counts,
        published,
        reassert,
        downloadMs: Math.round(validateStarted - downloadStarted),
        validateMs: Math.round(publishStarted - validateStarted),
        publishMs: Math.round(performance.now() - publishStarted),
      });
      return { published, rejected: false };
    } finally {
      await this.release(path, entry, keep);
    }
  }

  private async refuse(ledger: DumpLedger, entry: DumpIndexEntry, code: string): Promise<{ published: number; rejected: boolean }> {
    await ledger.record(entry, { outcome: 'rejected', rejection: code }, new Map(), false);
    this.counters.rejected += 1;
    return { published: 0, rejected: true };
  }

  /** A handled dump goes to the raw payload archive when there is one (to replay a mapping, or see what a refused one held); else it is deleted. */
  private async release(path: string, entry: DumpIndexEntry, handled: boolean): Promise<void> {
    const archive = this.options.archive;
    if (archive && handled) {
      try {
        const folder = join(archive.directory, this.clock.now().toISOString().slice(0, 10));
        await mkdir(folder, { recursive: true, mode: 0o700 });
        await chmod(folder, 0o700);
        await rename(path, join(folder, entry.name)).catch(async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EXDEV') throw error;
          await copyFile(path, join(folder, entry.name));
        });
        await rm(path, { force: true });
        return;
      } catch (error) {
        this.logger.warn('dump not archived', { dump: entry.name, error: describeError(error) });
      }
    }
    await rm(path, { force: true });
  }

  private holdBack(): void {
    this.failuresInRow += 1;
    const delay = backoffDelay(this.failuresInRow, { maxAttempts: Number.MAX_SAFE_INTEGER, ...this.options.retry });
    this.retryAt = this.clock.now().getTime() + delay;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.requestSync(), delay);
    this.retryTimer.unref();
  }
}
