import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { AppError } from '@medbus/errors';
import type { BusConfig } from './bus.config';
import { Clock } from '../clock.service';
import { DistrictWarningService } from './district-warning.service';

/**
 * A heartbeat that stops coming is stale too: every CC_HEARTBEAT_CHECK_MS (never when 0), warns of the
 * organisations of adapters whose last heartbeat is older than three of their intervals, at the
 * injected clock's time. A failed pass is logged by code and tried again at the next interval.
 */
@Injectable()
export class HeartbeatPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HeartbeatPoller.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;

  constructor(
    @Inject(AppConfig) private readonly config: Pick<BusConfig, 'CC_HEARTBEAT_CHECK_MS'>,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(DistrictWarningService) private readonly warnings: DistrictWarningService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.CC_HEARTBEAT_CHECK_MS === 0) return;
    this.stopped = false;
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass at the clock's time now (the timer's work; tests call it after advancing the clock): the organisations newly warned of. */
  pass(): Promise<string[]> {
    return this.warnings.raiseForSilentAdapters(this.clock.now());
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((error: unknown) => this.logger.warn(`silent adapter check failed: ${error instanceof AppError ? error.code : (error as Error).message}`))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.config.CC_HEARTBEAT_CHECK_MS);
    this.timer.unref();
  }
}
