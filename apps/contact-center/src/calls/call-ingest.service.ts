import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { AppError } from '@medbus/errors';
import type { ContactCenterConfig } from '../contact-center.config';
import type { AmiMessage } from '../pbx/ami.client';
import { PbxLink, type PbxListener } from '../pbx/pbx-link.service';
import { QueueLogClient } from '../pbx/queue-log.client';
import { CallTracker, pbxTimeOf, type EndedCall } from './ami-call.mapper';
import { CallConnections } from './call-connections.service';
import { CallsService, type PbxCursor } from './calls.service';
import { LiveQueueService } from './live-queue.service';
import { parseQueueLogLine, rebuildCalls } from './queue-log.mapper';

type IngestConfig = Pick<ContactCenterConfig, 'CC_CALL_FLUSH_MS' | 'CC_CALL_BATCH_SIZE' | 'CC_QUEUE_LOG_MARGIN_SECONDS'>;

/** A call in progress longer than this never ends for us (its end was lost on the PBX too): it is let go. */
const abandonedInMemoryMs = 6 * 3600_000;
const retryFlushMs = 1_000;

export interface IngestStats {
  eventsApplied: number;
  callsRecorded: number;
  /** Recorded from the queue_log after a (re)connection: they ended while the link was down. */
  callsRecovered: number;
  flushes: number;
  failedFlushes: number;
  lostWithheld: number;
}

/**
 * Turns the PBX's events into recorded calls: calls in progress in memory by Uniqueid, ended ones
 * buffered and written in one transaction every CC_CALL_FLUSH_MS (or at CC_CALL_BATCH_SIZE calls).
 * After every (re)connection, before live events are applied, it reads the queue_log from the cursor
 * (the earlier of the last event applied and the earliest call then in progress, minus
 * CC_QUEUE_LOG_MARGIN_SECONDS) and records the calls that ended meanwhile: a call is recorded once
 * whichever way it arrives (its Uniqueid is the key), so none is lost or counted twice.
 */
@Injectable()
export class CallIngestService implements PbxListener, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CallIngestService.name);
  private readonly tracker = new CallTracker();
  private buffer: EndedCall[] = [];
  private lastEventAt?: Date;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private stopped = false;
  readonly stats: IngestStats = { eventsApplied: 0, callsRecorded: 0, callsRecovered: 0, flushes: 0, failedFlushes: 0, lostWithheld: 0 };

  constructor(
    @Inject(AppConfig) private readonly config: IngestConfig,
    @Inject(PbxLink) private readonly link: PbxLink,
    @Inject(QueueLogClient) private readonly queueLog: QueueLogClient,
    @Inject(CallsService) private readonly calls: CallsService,
    @Inject(LiveQueueService) private readonly live: LiveQueueService,
    @Inject(CallConnections) private readonly connections: CallConnections,
  ) {}

  onApplicationBootstrap(): void {
    this.link.start(this);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.link.beforeApplicationShutdown();
    this.stopped = true;
    clearTimeout(this.timer);
    await this.flushNow().catch(() => undefined);
  }

  async connected(): Promise<number> {
    await this.flushNow();
    this.live.reset();
    const stored = await this.calls.cursor();
    const margin = this.config.CC_QUEUE_LOG_MARGIN_SECONDS * 1000;
    const from = stored ? earliest([stored.lastEventAt, stored.openSince, this.lastEventAt, this.tracker.openSince()]) : ((await this.link.pbxTime()) ?? new Date());
    const lines = await this.queueLog.linesSince(new Date(from.getTime() - margin));
    const entries = lines.map(parseQueueLogLine).filter((entry) => entry !== undefined);
    const rebuilt = rebuildCalls(entries, (uniqueid) => this.tracker.get(uniqueid));
    for (const call of rebuilt.ended) this.tracker.forget(call.uniqueid);
    for (const call of rebuilt.inProgress) this.tracker.adopt(call);
    const latest = entries.reduce<Date | undefined>((max, entry) => (!max || entry.at > max ? entry.at : max), this.lastEventAt);
    if (latest) {
      this.lastEventAt = latest;
      this.tracker.dropOlderThan(new Date(latest.getTime() - abandonedInMemoryMs));
    }
    const result = await this.calls.record(rebuilt.ended, this.cursorNow());
    this.stats.callsRecovered += result.recorded;
    this.stats.callsRecorded += result.recorded;
    this.stats.lostWithheld += result.lostWithheld;
    this.logger.log(`recovered ${result.recorded} call(s) from ${lines.length} queue_log line(s); ${rebuilt.inProgress.length} call(s) in progress`);
    await this.link.requestQueueStatus();
    return result.recorded;
  }

  event(message: AmiMessage): void {
    this.live.apply(message);
    this.connections.apply(message);
    const at = pbxTimeOf(message);
    if (!at) return;
    this.stats.eventsApplied++;
    if (!this.lastEventAt || at > this.lastEventAt) this.lastEventAt = at;
    const ended = this.tracker.apply(message, at);
    if (!ended) return;
    this.buffer.push(ended);
    if (this.buffer.length >= this.config.CC_CALL_BATCH_SIZE) this.scheduleFlush(0);
    else if (!this.timer) this.scheduleFlush(this.config.CC_CALL_FLUSH_MS);
  }

  /** Writes everything buffered (waits for a flush in progress first). */
  async flushNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    this.flushing = this.flush().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private scheduleFlush(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.flushing) return void this.flushing.finally(() => this.scheduleFlush(0)).catch(() => undefined);
      this.flushing = this.flush()
        .catch((error: unknown) => {
          this.stats.failedFlushes++;
          this.logger.error(`recording calls failed (${error instanceof AppError ? error.code : (error as Error).name}); retrying`);
          this.scheduleFlush(retryFlushMs);
        })
        .finally(() => (this.flushing = undefined));
    }, delayMs);
    this.timer.unref();
  }

  /**
   * The buffer in transactions of at most CC_CALL_BATCH_SIZE calls, oldest first: a burst (a day
   * replayed, the backlog after an outage) is written in bounded statements instead of one that holds
   * every call, its ciphertexts and its parameters in memory at once. Only the last transaction writes
   * the cursor, which must cover every call before it.
   */
  private async flush(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.config.CC_CALL_BATCH_SIZE);
      const cursor = this.buffer.length === 0 ? this.cursorNow() : undefined;
      try {
        const result = await this.calls.record(batch, cursor);
        this.stats.flushes++;
        this.stats.callsRecorded += result.recorded;
        this.stats.lostWithheld += result.lostWithheld;
      } catch (error) {
        this.buffer = [...batch, ...this.buffer];
        throw error;
      }
    }
  }

  private cursorNow(): PbxCursor | undefined {
    return this.lastEventAt ? { lastEventAt: this.lastEventAt, openSince: this.tracker.openSince() } : undefined;
  }
}

function earliest(dates: readonly (Date | null | undefined)[]): Date {
  const known = dates.filter((date): date is Date => date instanceof Date);
  return new Date(Math.min(...known.map((date) => date.getTime())));
}
