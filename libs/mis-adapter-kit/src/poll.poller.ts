export interface PollOptions {
  readonly intervalMs: number;
  /** Each wait is intervalMs ± this fraction (0.1 = ±10 %), so many adapters do not poll in step. */
  readonly jitter: number;
}

/** The wait before the next poll. */
export function jitteredDelay(options: PollOptions, random: () => number = Math.random): number {
  const spread = options.intervalMs * options.jitter;
  return Math.max(0, Math.round(options.intervalMs - spread + random() * 2 * spread));
}

/**
 * Runs `tick` now and then again after each jittered interval, never two at once. A failing
 * tick is reported and the schedule goes on: pollers must survive any MIS behaviour.
 * `trigger()` runs a tick as soon as the current one ends (used after a notification storm
 * or to catch up when the MIS returns).
 */
export class PollScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private pending = false;

  constructor(
    private readonly tick: () => Promise<void>,
    private readonly options: PollOptions,
    private readonly onError: (error: unknown) => void,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.schedule(0);
  }

  /** Resolves once the tick in progress, if any, has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runOnce(), delayMs);
    this.timer.unref?.();
  }

  private async runOnce(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = this.tick().catch(this.onError);
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    const again = this.pending;
    this.pending = false;
    this.schedule(again ? 0 : jitteredDelay(this.options, this.random));
  }
}
