import type { DataSource } from 'typeorm';

export interface RetentionLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface BackboneRetentionOptions {
  /** The service's database, its search_path on the schema holding medbus_outbox and medbus_processed_event. */
  readonly dataSource: DataSource;
  /** Outbox rows published longer ago than this are deleted; unpublished rows never are. */
  readonly outboxRetentionMs: number;
  /** Processed-event records older than this are deleted: a redelivery older than the window is applied again. */
  readonly processedEventRetentionMs: number;
  /** Time between two pruning runs (the first starts at once). */
  readonly intervalMs: number;
  /** Rows one DELETE statement removes at most (default 5,000), so no statement holds many locks or much WAL. */
  readonly batchSize?: number;
  readonly clock?: { now(): Date };
  readonly logger?: RetentionLogger;
}

/** Rows one pruning run deleted. */
export interface RetentionReport {
  readonly outboxRows: number;
  readonly processedEvents: number;
}

const systemClock = { now: () => new Date() };

/**
 * Keeps the backbone's tables bounded: deletes published outbox rows and processed-event records
 * older than their windows, one bounded batch per statement until none is left. Rows are taken
 * `FOR UPDATE SKIP LOCKED`, so instances of one service pruning the same schema at once delete
 * disjoint batches and never wait on each other or on the relay. Decision record 0007.
 */
export class BackboneRetention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;
  /** Set by stop(): a run in progress ends after its current batch. */
  private stopping = false;

  constructor(private readonly options: BackboneRetentionOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopping = false;
    this.schedule(0);
  }

  /** Stops the schedule; a run in progress ends after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pruning run: deletes every row past its window, a batch per statement. */
  async pruneOnce(): Promise<RetentionReport> {
    const now = this.options.clock?.now() ?? systemClock.now();
    const outboxRows = await this.deleteInBatches(
      `WITH gone AS (
         DELETE FROM medbus_outbox WHERE id IN (
           SELECT id FROM medbus_outbox WHERE published_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      new Date(now.getTime() - this.options.outboxRetentionMs),
    );
    // The primary key does not lead with processed_at: address the rows found by its index by ctid.
    const processedEvents = await this.deleteInBatches(
      `WITH gone AS (
         DELETE FROM medbus_processed_event WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM medbus_processed_event WHERE processed_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))
         RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      new Date(now.getTime() - this.options.processedEventRetentionMs),
    );
    if (outboxRows > 0 || processedEvents > 0) {
      this.options.logger?.log(`backbone retention: deleted ${outboxRows} published outbox row(s) and ${processedEvents} processed-event record(s)`);
    }
    return { outboxRows, processedEvents };
  }

  private async deleteInBatches(statement: string, before: Date): Promise<number> {
    const batchSize = this.options.batchSize ?? 5_000;
    let total = 0;
    for (;;) {
      const [{ deleted }]: { deleted: number }[] = await this.options.dataSource.query(statement, [before, batchSize]);
      total += deleted;
      // A short batch: nothing older is left, or another instance holds the rest.
      if (deleted < batchSize || this.stopping) return total;
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.pruneOnce()
        .catch((error: unknown) => this.options.logger?.warn(`backbone retention: pruning failed, next run in ${this.options.intervalMs} ms: ${(error as Error).message}`))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
