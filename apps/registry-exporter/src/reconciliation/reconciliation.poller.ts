import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { AppError } from '@medbus/errors';
import type { ExporterConfig } from '../exporter.config';
import { Clock } from '../export/clock.service';
import { ReconciliationService, ReconciliationTrigger } from './reconciliation.service';

/** How often an instance looks for a run asked for elsewhere (another instance's POST) and for the schedule. */
const checkMs = 5_000;

/**
 * Asks for a scheduled run every RECONCILE_INTERVAL_MS (never when 0) and runs whatever run is asked
 * for, on this instance when it gets the lock. Woken at once by a request made here.
 */
@Injectable()
export class ReconciliationPoller {
  private readonly logger = new Logger(ReconciliationPoller.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private startedAt = 0;

  constructor(
    @Inject(AppConfig) private readonly config: Pick<ExporterConfig, 'RECONCILE_INTERVAL_MS'>,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ReconciliationService) private readonly reconciliation: ReconciliationService,
  ) {}

  start(): void {
    this.stopped = false;
    this.startedAt = this.clock.now().getTime();
    this.schedule(checkMs);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Waits for the run in progress; the app stops it after the consumer, before the database closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => this.logger.warn(`reconciliation check failed: ${error instanceof AppError ? error.code : (error as Error).message}`))
        .finally(() => {
          this.running = undefined;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : checkMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const interval = this.config.RECONCILE_INTERVAL_MS;
    if (interval > 0) {
      // The first scheduled run comes one interval after the first start, not at every start.
      const last = (await this.reconciliation.lastScheduledAt())?.getTime() ?? this.startedAt;
      if (this.clock.now().getTime() - last >= interval) await this.reconciliation.request(ReconciliationTrigger.schedule, null);
    }
    await this.reconciliation.runPending();
  }
}
