import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { AppError } from '@medbus/errors';
import type { FerResult } from '@medbus/federal-registry';
import type { ExporterConfig } from '../exporter.config';
import { FederalBadResponseError, FederalRateLimitedError, type FederalFailure } from '../exporter.errors';
import { Clock } from './clock.service';
import { ExportStateService, type Answered, type PendingAppointment, type PendingLocation, type PendingSlot } from './export-state.service';
import { exportWakeChannel } from './export-tables.service';
import { FederalRegistryClient } from './federal-registry.client';
import { ferLocationOf, ferSlotOf, retryDelayMs } from './federal-view.mapper';
import { FederalViewService } from './federal-view.service';

type WorkerConfig = Pick<ExporterConfig, 'DATABASE_URL' | 'EXPORTER_DATABASE_SCHEMA' | 'FER_MAX_BATCH' | 'FER_RETRY_MAX_DELAY_MS' | 'EXPORT_INTERVAL_MS'>;

/** Advisory lock class of the export worker; the second key is the schema's hash, so exporters of different schemas do not exclude each other. */
const workerLockClass = 7_781_400;
// Slot batches per cycle before new location upserts and freshly staged views get their turn.
const slotBatchesPerCycle = 20;
/** What one cycle derives at most before it sends: about as many slots as it sends (20 batches of 500). */
const stagePerCycle = { maxLocations: 1_000, maxSlots: 10_000 } as const;
const listenerRetryMs = 5_000;

export interface WorkerStats {
  runs: number;
  calls: number;
  failures: number;
  /** Failed calls in a row (0 once one is answered). */
  failuresInARow: number;
  backoffUntil: Date | null;
  lastRunAt: Date | null;
}

/** Sending the items stopped: the federal side did not answer for them. Nothing was marked. */
class CallFailed extends Error {
  constructor(readonly failure: unknown) {
    super('a federal call failed');
  }
}

/**
 * The export worker: derives the federal view of what changed, then drains what is pending in order
 * of change (location upserts, slot upserts and removals, location removals, appointment statuses),
 * in batches of FER_MAX_BATCH. Woken at each commit of the projection (LISTEN/NOTIFY, any instance)
 * and every EXPORT_INTERVAL_MS; one instance at a time runs (an advisory lock). A failed call stops
 * the run and sets a backoff (1 s doubling up to FER_RETRY_MAX_DELAY_MS, or the federal side's own
 * Retry_After_Seconds); nothing is marked until the federal side answered, so an outage's backlog
 * drains in order when it returns.
 */
@Injectable()
export class ExportWorker {
  private readonly logger = new Logger(ExportWorker.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private wokenWhileRunning = false;
  private stopped = true;
  private listener?: Client;
  private listenerRetry?: NodeJS.Timeout;
  readonly stats: WorkerStats = { runs: 0, calls: 0, failures: 0, failuresInARow: 0, backoffUntil: null, lastRunAt: null };

  constructor(
    @Inject(AppConfig) private readonly config: WorkerConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(FederalViewService) private readonly views: FederalViewService,
    @Inject(ExportStateService) private readonly state: ExportStateService,
    @Inject(FederalRegistryClient) private readonly federal: FederalRegistryClient,
  ) {}

  /** Starts the interval and the listener for the projection's commits; called once the consumer runs. */
  async start(): Promise<void> {
    this.stopped = false;
    this.schedule(0);
    await this.listen();
  }

  /** Runs as soon as possible (after the run in progress, or when the backoff ends). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wokenWhileRunning = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops waking and waits for the run in progress (the app stops it after the consumer, before the database closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.listenerRetry);
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (this.running) {
        this.wokenWhileRunning = true;
        return;
      }
      this.running = this.run()
        .catch((error: unknown) => this.logger.error(`export run failed: ${error instanceof AppError ? error.code : (error as Error).message}`))
        .finally(() => {
          this.running = undefined;
          const again = this.wokenWhileRunning;
          this.wokenWhileRunning = false;
          this.schedule(this.nextDelay(again));
        });
    }, delayMs);
    this.timer.unref();
  }

  private nextDelay(woken: boolean): number {
    const interval = woken ? 0 : this.config.EXPORT_INTERVAL_MS;
    const backoff = this.stats.backoffUntil ? this.stats.backoffUntil.getTime() - this.clock.now().getTime() : 0;
    return Math.max(interval, backoff, 0);
  }

  private async run(): Promise<void> {
    if (this.stats.backoffUntil && this.clock.now() < this.stats.backoffUntil) return;
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }]: { locked: boolean }[] = await lock.query(`SELECT pg_try_advisory_lock($1, hashtext(current_schema())) AS locked`, [workerLockClass]);
      if (!locked) return;
      try {
        this.stats.runs++;
        this.stats.lastRunAt = this.clock.now();
        await this.drain();
      } finally {
        await lock.query(`SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, [workerLockClass]);
      }
    } catch (error) {
      if (!(error instanceof CallFailed)) throw error;
      await this.backOff(error.failure);
    } finally {
      await lock.release();
    }
  }

  /** Cycles until a cycle finds nothing to derive and nothing to send. */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const staged = await this.views.stage(this.clock.now(), stagePerCycle);
      let work = staged.locations + staged.slots;
      work += await this.sendLocationUpserts();
      work += await this.sendSlotChanges();
      work += await this.sendLocationRemovals();
      work += await this.sendAppointments();
      if (work === 0) return;
    }
  }

  private async sendLocationUpserts(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = await this.state.nextLocationUpserts(this.config.FER_MAX_BATCH);
      if (batch.length === 0) return sent;
      const items = batch.filter((item): item is PendingLocation & { view: NonNullable<PendingLocation['view']>; version: number } => item.view !== null && item.version !== null);
      const results = await this.attempt(items, () =>
        this.federal.updateLocations(
          items.map((item) => ferLocationOf(item.locationId, item.view, item.version)),
          items.map((item) => item.traceparent),
        ),
      );
      await this.settle('UpdateLocations', answered(items, (item) => item.locationId, (item) => item.version, results), items.length, (answers) => this.state.markUpdated('LOCATION', answers, this.clock.now()));
      sent += items.length;
    }
  }

  private async sendSlotChanges(): Promise<number> {
    let sent = 0;
    for (let batches = 0; batches < slotBatchesPerCycle; batches++) {
      const batch = await this.state.nextSlotChanges(this.config.FER_MAX_BATCH, this.clock.now());
      if (batch.length === 0) break;
      const upserts = batch.filter((item): item is PendingSlot & { view: NonNullable<PendingSlot['view']>; version: number } => item.op === 'UPSERT' && item.view !== null && item.version !== null);
      const removals = batch.filter((item) => item.op === 'REMOVE');
      if (upserts.length > 0) {
        const results = await this.attempt(upserts, () =>
          this.federal.updateSlots(
            upserts.map((item) => ferSlotOf(item.slotId, item.view, item.version, item.timeZone)),
            upserts.map((item) => item.traceparent),
          ),
        );
        await this.settle('UpdateSlots', answered(upserts, (item) => item.slotId, (item) => item.version, results), upserts.length, (answers) => this.state.markUpdated('SLOT', answers, this.clock.now()));
      }
      if (removals.length > 0) {
        const results = await this.attempt(removals, () =>
          this.federal.removeSlots(
            removals.map((item) => item.slotId),
            removals.map((item) => item.traceparent),
          ),
        );
        await this.settle('RemoveSlots', answered(removals, (item) => item.slotId, () => null, results), removals.length, (answers) => this.state.markRemoved('SLOT', answers, this.clock.now()));
      }
      sent += batch.length;
    }
    return sent;
  }

  private async sendLocationRemovals(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = await this.state.nextLocationRemovals(this.config.FER_MAX_BATCH);
      if (batch.length === 0) return sent;
      const results = await this.attempt(batch, () =>
        this.federal.removeLocations(
          batch.map((item) => item.locationId),
          batch.map((item) => item.traceparent),
        ),
      );
      await this.settle('RemoveLocations', answered(batch, (item) => item.locationId, () => null, results), batch.length, (answers) => this.state.markRemoved('LOCATION', answers, this.clock.now()));
      sent += batch.length;
    }
  }

  private async sendAppointments(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = await this.state.nextAppointments(this.config.FER_MAX_BATCH);
      if (batch.length === 0) return sent;
      // The contract takes one appointment per call.
      for (const item of batch) {
        const result = await this.attempt<PendingAppointment, FerResult>([item], () =>
          this.federal.updateAppointmentStatus({ Book_Id_Mis: item.appointmentId, Slot_Id: item.slotId, MO_OID: item.organisationOid, Status: item.status, Version: item.version }, item.traceparent),
        );
        await this.state.markUpdated('APPOINTMENT', [{ id: item.appointmentId, organisationOid: item.organisationOid, version: item.version, result: { ...result, Key: item.appointmentId } }], this.clock.now());
        sent++;
      }
    }
  }

  /** Marks what was answered; an answer that does not name every item sent (keys changed on the way) ends the run, or the rest would go again and again. */
  private async settle(operation: string, answers: Answered[], sent: number, mark: (answers: Answered[]) => Promise<void>): Promise<void> {
    await mark(answers);
    if (answers.length < sent) throw new CallFailed(new FederalBadResponseError(operation, `${sent - answers.length} item(s) without a result for their key`));
  }

  /** One call; its failure is recorded against the organisations it carried and ends the run. */
  private async attempt<I extends { readonly organisationOid: string }, R>(items: readonly I[], call: () => Promise<R>): Promise<R> {
    this.stats.calls++;
    try {
      const result = await call();
      this.stats.failuresInARow = 0;
      this.stats.backoffUntil = null;
      await this.recordLink();
      return result;
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'EXPORT.FEDERAL_CALL_FAILED';
      await this.state.recordCallFailure(
        items.map((item) => item.organisationOid),
        (error as FederalFailure).faultCode ?? code,
        (error as Error).message,
        this.clock.now(),
      );
      throw new CallFailed(error);
    }
  }

  private async backOff(failure: unknown): Promise<void> {
    this.stats.failures++;
    this.stats.failuresInARow++;
    const wait = failure instanceof FederalRateLimitedError ? failure.retryAfterMs : retryDelayMs(this.stats.failuresInARow, this.config.FER_RETRY_MAX_DELAY_MS);
    this.stats.backoffUntil = new Date(this.clock.now().getTime() + wait);
    const code = failure instanceof AppError ? failure.code : 'EXPORT.FEDERAL_CALL_FAILED';
    this.logger.warn(`export paused ${wait} ms after ${this.stats.failuresInARow} failed call(s) in a row (${(failure as FederalFailure).faultCode ?? code}); nothing marked, the backlog waits`);
    await this.recordLink().catch(() => undefined);
  }

  private async recordLink(): Promise<void> {
    const last = this.federal.lastCall;
    if (!last) return;
    await this.state.recordLink({
      reachable: last.reachable,
      backoffUntil: this.stats.backoffUntil,
      lastCallAt: last.at,
      lastCallOperation: last.operation,
      lastCallOutcome: last.outcome,
    });
  }

  /** Listens for the projection's commits (pg_notify in its transaction: delivered only once committed). */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.DATABASE_URL });
    const retry = () => {
      if (this.listener !== client || this.stopped) return;
      this.listener = undefined;
      client.end().catch(() => undefined);
      this.listenerRetry = setTimeout(() => void this.listen(), listenerRetryMs);
      this.listenerRetry.unref();
    };
    client.on('notification', () => this.wake());
    client.on('error', retry);
    client.on('end', retry);
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${exportWakeChannel(this.config.EXPORTER_DATABASE_SCHEMA)}"`);
    } catch (error) {
      // The interval still drives the export; the listener comes back later.
      this.logger.warn(`listening for projection commits failed: ${(error as Error).message}`);
      retry();
    }
  }
}

/** Each item sent with the federal side's result for it (by Key; an item the answer does not name stays pending). */
function answered<I extends { readonly organisationOid: string }>(items: readonly I[], idOf: (item: I) => string, versionOf: (item: I) => number | null, results: readonly FerResult[]): Answered[] {
  const byKey = new Map(results.map((result) => [result.Key, result]));
  const answers: Answered[] = [];
  for (const item of items) {
    const result = byKey.get(idOf(item));
    if (result) answers.push({ id: idOf(item), organisationOid: item.organisationOid, version: versionOf(item), result });
  }
  return answers;
}
