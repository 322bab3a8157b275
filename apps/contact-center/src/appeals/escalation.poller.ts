import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { AppError } from '@medbus/errors';
import { HealthService } from '../health/health.service';
import type { AppealsConfig } from './appeals.config';
import { AppealEscalationService, type EscalationPass } from './appeal-escalation.service';
import { Clock } from '../clock.service';

/**
 * Every CC_APPEAL_ESCALATION_POLL_MS, escalates appeals nearing their deadline and flags overdue ones, at
 * the injected clock's time. A failed pass is logged by code and tried again at the next interval.
 */
@Injectable()
export class EscalationPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EscalationPoller.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private lastPassAt: Date | null = null;
  private lastFailedAt: Date | null = null;
  private totals = { escalated: 0, overdue: 0 };

  constructor(
    @Inject(AppConfig) private readonly config: Pick<AppealsConfig, 'CC_APPEAL_ESCALATION_POLL_MS'>,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AppealEscalationService) private readonly escalation: AppealEscalationService,
    @Inject(HealthService) private readonly health: HealthService,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('appealEscalation', {
      critical: false,
      check: () => (this.lastFailedAt !== null && (this.lastPassAt === null || this.lastFailedAt > this.lastPassAt) ? 'down' : 'up'),
      details: () => ({ lastPassAt: this.lastPassAt?.toISOString() ?? null, escalated: this.totals.escalated, overdue: this.totals.overdue }),
    });
    this.stopped = false;
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass at the clock's time now (the timer's work; tests call it after advancing the clock). */
  async pass(): Promise<EscalationPass> {
    const now = this.clock.now();
    try {
      const result = await this.escalation.pass(now);
      this.lastPassAt = now;
      this.totals = { escalated: this.totals.escalated + result.escalated, overdue: this.totals.overdue + result.overdue };
      return result;
    } catch (error) {
      this.lastFailedAt = now;
      throw error;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .then(
          () => undefined,
          (error: unknown) => this.logger.warn(`appeal escalation pass failed: ${error instanceof AppError ? error.code : (error as Error).message}`),
        )
        .finally(() => {
          this.running = undefined;
          this.schedule(this.config.CC_APPEAL_ESCALATION_POLL_MS);
        });
    }, delayMs);
    this.timer.unref();
  }
}
