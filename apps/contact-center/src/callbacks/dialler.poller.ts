import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { AppError } from '@medbus/errors';
import type { ContactCenterConfig } from '../contact-center.config';
import { PbxLink } from '../pbx/pbx-link.service';
import { CallbackAttemptsService, type StartedAttempt } from './callback-attempts.service';
import { CallbacksService } from './callbacks.service';
import { Clock } from '../clock.service';

type DiallerConfig = Pick<ContactCenterConfig, 'CC_CALLBACK_AUTODIAL' | 'CC_CALLBACK_MAX_DIALLING' | 'CC_CALLBACK_POLL_MS' | 'CC_ORIGINATE_TIMEOUT_MS'>;

/** An attempt still without outcome this long after its Originate timed out belongs to a stopped instance. */
const staleMarginMs = 10_000;

export interface DiallerStats {
  originated: number;
  inFlight: number;
  staleFailed: number;
}

/**
 * Calls lost callers back: every CC_CALLBACK_POLL_MS, and at once when tasks are opened, takes due
 * unclaimed OPEN tasks (up to CC_CALLBACK_MAX_DIALLING in flight), originates each and records the
 * outcome (CC_CALLBACK_AUTODIAL=false leaves dialling to operators). Also fails attempts a stopped
 * instance left without outcome, so their tasks are tried again.
 */
@Injectable()
export class DiallerPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DiallerPoller.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private readonly dialling = new Set<Promise<void>>();
  readonly stats: DiallerStats = { originated: 0, inFlight: 0, staleFailed: 0 };

  constructor(
    @Inject(AppConfig) private readonly config: DiallerConfig,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CallbacksService) private readonly callbacks: CallbacksService,
    @Inject(CallbackAttemptsService) private readonly attempts: CallbackAttemptsService,
    @Inject(PbxLink) private readonly link: PbxLink,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.callbacks.onDue(() => this.wake());
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    // Closing the link settles the Originates in flight (FAILED: they are tried again after a restart).
    await this.link.beforeApplicationShutdown();
    await Promise.all([...this.dialling]);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** An operator's attempt: started now, dialled in the background; resolves with the attempt's id. */
  async dialNow(taskId: string, operator: string, mayDial: (branch: string) => void): Promise<string> {
    const started = await this.attempts.startManual(taskId, operator, this.clock.now(), mayDial);
    this.dial(started);
    return started.attemptId;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.run()
        .catch((error: unknown) => this.logger.error(`dialler run failed (${error instanceof AppError ? error.code : (error as Error).name})`))
        .finally(() => {
          this.running = undefined;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : this.config.CC_CALLBACK_POLL_MS);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const now = this.clock.now();
    const stale = await this.attempts.failStale(new Date(now.getTime() - this.config.CC_ORIGINATE_TIMEOUT_MS - staleMarginMs), now);
    this.stats.staleFailed += stale;
    if (!this.config.CC_CALLBACK_AUTODIAL || !this.link.connected) return;
    const started = await this.attempts.startDue(this.config.CC_CALLBACK_MAX_DIALLING - this.dialling.size, now);
    for (const attempt of started) this.dial(attempt);
  }

  private dial(attempt: StartedAttempt): void {
    this.stats.originated++;
    const call = this.link
      .originate(attempt.number, { branch: attempt.branch, taskId: attempt.taskId, attemptId: attempt.attemptId })
      .then((result) => this.attempts.finish(attempt.attemptId, result, this.clock.now()))
      .catch((error: unknown) => this.logger.error(`recording a call-back attempt failed (${error instanceof AppError ? error.code : (error as Error).name})`))
      .finally(() => {
        this.dialling.delete(call);
        this.stats.inFlight = this.dialling.size;
        this.wake();
      });
    this.dialling.add(call);
    this.stats.inFlight = this.dialling.size;
  }
}
