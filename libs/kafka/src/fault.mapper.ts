import { AppError, ErrorKind } from '@medbus/errors';

/**
 * Why applying a message failed, which decides what a consumer does about it:
 * - `infrastructure`: a dependency (PostgreSQL, the schema registry, the broker) is unreachable,
 *   overloaded or aborted the work (deadlock, serialization failure). The message is fine: wait and
 *   retry it without limit, never dead-letter it.
 * - `content`: the message itself cannot be applied (bad value, broken rule, constraint). Retrying
 *   cannot help: dead-letter it at once.
 * - `unknown`: neither is evident (a plain Error from a bug). Retried a bounded number of times,
 *   after the consumer has checked its dependencies are up, then dead-lettered.
 */
export type Fault = 'infrastructure' | 'content' | 'unknown';

// SQLSTATE classes (https://www.postgresql.org/docs/15/errcodes-appendix.html).
const infrastructureSqlStates = /^(08|53|57|58|40001|40P01|55P03|55006|25006)/;
const contentSqlStates = /^(22|23|42|2F|P0|44)/;
const infrastructureErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
// node-postgres and TypeORM report a lost or unobtainable connection in words, without a code.
const infrastructureMessages =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established|the database system is (starting up|shutting down|in recovery mode)|terminating connection/i;

/** Classifies an error (and the errors it wraps: `cause`, TypeORM's `driverError`). */
export function faultOf(error: unknown): Fault {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const fault = ownFaultOf(current);
    if (fault !== 'unknown') return fault;
    const wrapped = current as { driverError?: unknown; cause?: unknown };
    current = wrapped.driverError ?? wrapped.cause;
  }
  return 'unknown';
}

function ownFaultOf(error: unknown): Fault {
  if (error instanceof AppError) {
    return error.kind === ErrorKind.unavailable || error.kind === ErrorKind.timeout ? 'infrastructure' : 'content';
  }
  if (typeof error !== 'object') return 'unknown';
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (infrastructureErrnos.has(code)) return 'infrastructure';
    if (/^[0-9A-Z]{5}$/.test(code)) {
      if (infrastructureSqlStates.test(code)) return 'infrastructure';
      if (contentSqlStates.test(code)) return 'content';
    }
  }
  if (typeof message === 'string' && infrastructureMessages.test(message)) return 'infrastructure';
  return 'unknown';
}

/** Exponential backoff with ±20 % jitter, capped. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 20)));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * How long a consumer leaves a partition paused while its dependencies are down: 0.5 s doubling to
 * 10 s over consecutive outages, back to the start once something is applied again.
 */
export class OutageBackoff {
  private streak = 0;

  /** Outages met in a row so far. */
  get inARow(): number {
    return this.streak;
  }

  recovered(): void {
    this.streak = 0;
  }

  /** Pauses through `pause` (which returns the resume) for the next backoff; returns how long. */
  pauseFor(pause: () => () => void): number {
    const wait = backoffMs(++this.streak, 500, 10_000);
    setTimeout(pause(), wait).unref();
    return wait;
  }
}
