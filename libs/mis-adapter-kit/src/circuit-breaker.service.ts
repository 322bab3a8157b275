import { isRetryable } from '@medbus/errors';
import { MisCircuitOpenError } from './adapter.errors';
import type { Clock } from './clock.service';

export const CircuitState = { closed: 'closed', open: 'open', halfOpen: 'half-open' } as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

export interface CircuitBreakerOptions {
  /** Consecutive transient failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  readonly openMs: number;
}

/**
 * Closed → (failureThreshold transient failures in a row) → open → (openMs later) half-open,
 * where one trial call decides: success closes, failure re-opens. Only transient errors
 * (isRetryable) count: a rejected response proves the MIS is up.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: CircuitState = CircuitState.closed;
  private trialInFlight = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: CircuitBreakerOptions = { failureThreshold: 3, openMs: 5_000 },
  ) {}

  get state(): CircuitState {
    if (this.current === CircuitState.open && this.clock.now().getTime() - this.openedAt >= this.options.openMs) {
      return CircuitState.halfOpen;
    }
    return this.current;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === CircuitState.open || (state === CircuitState.halfOpen && this.trialInFlight)) {
      throw new MisCircuitOpenError(new Date(this.openedAt + this.options.openMs));
    }
    const trial = state === CircuitState.halfOpen;
    if (trial) this.trialInFlight = true;
    try {
      const result = await call();
      this.failures = 0;
      this.current = CircuitState.closed;
      return result;
    } catch (error) {
      if (isRetryable(error)) this.recordFailure(trial);
      else if (trial) this.current = CircuitState.closed;
      throw error;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private recordFailure(trial: boolean): void {
    this.failures += 1;
    if (trial || this.failures >= this.options.failureThreshold) {
      this.current = CircuitState.open;
      this.openedAt = this.clock.now().getTime();
    }
  }
}
