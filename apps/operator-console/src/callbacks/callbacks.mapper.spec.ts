import { ageSecondsOf, attemptStateOf, formatAge, formatMoscow, rowOfTask, tasksOfUnreturned, type CallbackTask, type UnreturnedCall } from './callbacks.mapper';

const aLostCall = (over: Partial<UnreturnedCall>): UnreturnedCall => ({
  uniqueid: '1700000000.1',
  branch: 'sochi',
  lostAt: '2026-11-29T08:00:00.000Z',
  ageSeconds: 60,
  taskId: 'task-a',
  taskStatus: 'OPEN',
  attempts: 0,
  ...over,
});

describe('call-backs mapper', () => {
  it('groups the unreturned calls by task, in the order of each task’s oldest lost call, counting its calls', () => {
    const rows = tasksOfUnreturned([
      aLostCall({ uniqueid: '1', taskId: 'task-a', lostAt: '2026-11-29T08:00:00.000Z' }),
      aLostCall({ uniqueid: '2', taskId: 'task-b', lostAt: '2026-11-29T08:05:00.000Z', taskStatus: 'UNREACHED', attempts: 4 }),
      aLostCall({ uniqueid: '3', taskId: 'task-a', lostAt: '2026-11-29T08:10:00.000Z' }),
    ]);
    expect(rows.map((r) => [r.taskId, r.lostCalls, r.firstLostAt, r.status, r.attempts])).toEqual([
      ['task-a', 2, '2026-11-29T08:00:00.000Z', 'OPEN', 0],
      ['task-b', 1, '2026-11-29T08:05:00.000Z', 'UNREACHED', 4],
    ]);
    expect(rows[0]?.callerNumber).toBeNull();
  });

  it('makes a queue row of a task as the tasks list gives it, with its number', () => {
    const task: CallbackTask = {
      id: 't1',
      branch: 'sochi',
      callerNumber: '+79181234567',
      status: 'OPEN',
      closeReason: null,
      lostCalls: 3,
      firstLostAt: '2026-11-29T08:00:00.000Z',
      lastLostAt: '2026-11-29T09:00:00.000Z',
      createdAt: '2026-11-29T08:00:01.000Z',
      assignedTo: null,
      attempts: 1,
      nextAttemptAt: null,
      closedAt: null,
    };
    expect(rowOfTask(task)).toMatchObject({ taskId: 't1', callerNumber: '+79181234567', lostCalls: 3, attempts: 1 });
  });

  it('says an attempt is dialling until the task’s log gives it an outcome, then names the outcome', () => {
    const attempt = { id: 'a1', startedAt: '2026-11-29T08:00:00.000Z', startedBy: 'op', finishedAt: null };
    expect(attemptStateOf({ attemptLog: [] }, 'a1')).toEqual({ kind: 'dialling' });
    expect(attemptStateOf({ attemptLog: [{ ...attempt, outcome: null }] }, 'a1')).toEqual({ kind: 'dialling' });
    expect(attemptStateOf({ attemptLog: [{ ...attempt, outcome: 'ANSWERED', finishedAt: '2026-11-29T08:00:20.000Z' }] }, 'a1')).toEqual({
      kind: 'ended',
      outcome: 'ANSWERED',
      text: 'Дозвонились: абонент ответил',
      reached: true,
    });
    expect(attemptStateOf({ attemptLog: [{ ...attempt, outcome: 'BUSY' }] }, 'a1')).toMatchObject({ kind: 'ended', text: 'Занято', reached: false });
  });

  it('ignores attempts other than the operator’s own', () => {
    const other = { id: 'a0', startedAt: '2026-11-29T07:00:00.000Z', startedBy: null, outcome: 'NO_ANSWER', finishedAt: '2026-11-29T07:01:00.000Z' };
    expect(attemptStateOf({ attemptLog: [other] }, 'a1')).toEqual({ kind: 'dialling' });
  });

  it('writes ages in seconds, minutes, hours and days', () => {
    expect(formatAge(0)).toBe('0 с');
    expect(formatAge(59.9)).toBe('59 с');
    expect(formatAge(60)).toBe('1 мин');
    expect(formatAge(3 * 3600 + 5 * 60)).toBe('3 ч 05 мин');
    expect(formatAge(2 * 86400 + 4 * 3600 + 10)).toBe('2 дн 4 ч');
    expect(formatAge(-5)).toBe('0 с');
  });

  it('counts an age from an instant to now, never negative', () => {
    const now = new Date('2026-11-29T08:01:30.000Z');
    expect(ageSecondsOf('2026-11-29T08:00:00.000Z', now)).toBe(90);
    expect(ageSecondsOf('2026-11-29T08:02:00.000Z', now)).toBe(0);
  });

  it('shows instants in Moscow time whatever the browser’s zone', () => {
    expect(formatMoscow('2026-11-29T20:05:00.000Z')).toBe('29.11, 23:05');
  });
});
