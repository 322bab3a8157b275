import { setTimeout as sleep } from 'node:timers/promises';
import { isRetryable } from '@medbus/errors';
import { MisCircuitOpenError } from './adapter.errors';

export interface BackoffOptions {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Delay before attempt `attempt + 1` (attempt counts from 1): exponential, capped, full jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `call` until it succeeds, retrying transient errors (isRetryable) with exponential
 * backoff. An open circuit is not retried here: the breaker decides when to try again.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  options: BackoffOptions,
  wait: (ms: number) => Promise<unknown> = sleep,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.maxAttempts || error instanceof MisCircuitOpenError || !isRetryable(error)) throw error;
      await wait(backoffDelay(attempt, options));
    }
  }
}
