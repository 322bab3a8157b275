import type { OriginateOutcome } from '../pbx/pbx-link.service';

export const TaskStatus = { open: 'OPEN', dialling: 'DIALLING', done: 'DONE', unreached: 'UNREACHED' } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export const CloseReason = { reached: 'REACHED', calledAgain: 'CALLED_AGAIN', invalidNumber: 'INVALID_NUMBER' } as const;
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

/** What a task becomes after an attempt. */
export interface TaskAfterAttempt {
  readonly status: TaskStatus;
  readonly closeReason: CloseReason | null;
  readonly closedAt: Date | null;
  readonly nextAttemptAt: Date | null;
}

/**
 * After attempt number `attempts` (1 for the first) ended with `outcome`: answered → DONE REACHED
 * at the PBX's time of the answer; no such number → DONE INVALID_NUMBER; anything else → OPEN again
 * after `retryMinutes[attempts - 1]` minutes, or UNREACHED once the schedule is used up (with
 * `5,15,60,180`: five attempts in all). `now` is the service's clock.
 */
export function taskAfterAttempt(outcome: OriginateOutcome, attempts: number, retryMinutes: readonly number[], now: Date, answeredAt: Date): TaskAfterAttempt {
  if (outcome === 'ANSWERED') return { status: TaskStatus.done, closeReason: CloseReason.reached, closedAt: answeredAt, nextAttemptAt: null };
  if (outcome === 'NO_SUCH_NUMBER') return { status: TaskStatus.done, closeReason: CloseReason.invalidNumber, closedAt: now, nextAttemptAt: null };
  const wait = retryMinutes[attempts - 1];
  if (wait === undefined) return { status: TaskStatus.unreached, closeReason: null, closedAt: now, nextAttemptAt: null };
  return { status: TaskStatus.open, closeReason: null, closedAt: null, nextAttemptAt: new Date(now.getTime() + wait * 60_000) };
}
