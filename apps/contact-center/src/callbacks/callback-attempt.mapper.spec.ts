import { taskAfterAttempt } from './callback-attempt.mapper';

describe('the call-back retry schedule', () => {
  const now = new Date('2026-11-30T10:00:00Z');
  const answeredAt = new Date('2026-11-30T09:59:58Z');
  const schedule = [5, 15, 60, 180];

  it('closes a task REACHED at the PBX’s time of the answer, and INVALID_NUMBER at once', () => {
    expect(taskAfterAttempt('ANSWERED', 1, schedule, now, answeredAt)).toEqual({ status: 'DONE', closeReason: 'REACHED', closedAt: answeredAt, nextAttemptAt: null });
    expect(taskAfterAttempt('NO_SUCH_NUMBER', 2, schedule, now, answeredAt)).toEqual({ status: 'DONE', closeReason: 'INVALID_NUMBER', closedAt: now, nextAttemptAt: null });
  });

  it.each([
    [1, 'NO_ANSWER', 5],
    [2, 'BUSY', 15],
    [3, 'CONGESTED', 60],
    [4, 'FAILED', 180],
  ] as const)('after failed attempt %i (%s) tries again in %i minutes', (attempts, outcome, minutes) => {
    expect(taskAfterAttempt(outcome, attempts, schedule, now, answeredAt)).toEqual({ status: 'OPEN', closeReason: null, closedAt: null, nextAttemptAt: new Date(now.getTime() + minutes * 60_000) });
  });

  it('gives up after the last attempt of the schedule: UNREACHED, still not returned', () => {
    expect(taskAfterAttempt('BUSY', 5, schedule, now, answeredAt)).toEqual({ status: 'UNREACHED', closeReason: null, closedAt: now, nextAttemptAt: null });
  });
});
