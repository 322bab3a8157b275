import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from './clock.service';

export interface RateLimitOptions {
  /** Calls per second on average. */
  readonly ratePerSecond: number;
  /** Calls allowed at once after a quiet period. */
  readonly burst: number;
}

/** Token bucket per MIS: `take()` resolves when a call may go out. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly options: RateLimitOptions,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {
    this.tokens = options.burst;
    this.refilledAt = clock.now().getTime();
  }

  /** Takes a token now if one is there; otherwise returns how many ms until one is. */
  tryTake(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.options.ratePerSecond);
  }

  async take(): Promise<void> {
    for (;;) {
      const waitMs = this.tryTake();
      if (waitMs === 0) return;
      await this.wait(waitMs);
    }
  }

  private refill(): void {
    const now = this.clock.now().getTime();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsed * this.options.ratePerSecond) / 1000);
    this.refilledAt = now;
  }
}
