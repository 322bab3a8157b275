import { ageSecondsOf, attemptStateOf, formatAge, formatMoscow, mergedQueue, rowOfTask, type CallbackTask } from './callbacks.mapper';

const aTask = (id: string, firstLostAt: string, status = 'OPEN'): CallbackTask => ({
  id,
  branch: 'sochi',
  callerNumber: '+79180000000',
  status,
  closeReason: null,
  lostCalls: 1,
  firstLostAt,
  lastLostAt: firstLostAt,
  createdAt: firstLostAt,
  assignedTo: null,
  attempts: 0,
  nextAttemptAt: null,
  closedAt: null,
});

describe('call-backs mapper', () => {
  it('merges the lists of several statuses into one queue, oldest lost call first', () => {
    const open = { items: [aTask('a', '2026-11-29T08:00:00.000Z'), aTask('c', '2026-11-29T08:20:00.000Z')], more: false };
    const unreached = { items: [aTask('b', '2026-11-29T08:10:00.000Z', 'UNREACHED')], more: false };
    expect(mergedQueue([open, unreached]).map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });

  it('stops the queue where a list with more pages may still hold older tasks, so nothing shows out of order', () => {
    const open = { items: [aTask('a', '2026-11-29T08:00:00.000Z'), aTask('b', '2026-11-29T08:10:00.000Z')], more: true };
    const dialling = { items: [aTask('x', '2026-11-29T08:05:00.000Z', 'DIALLING'), aTask('y', '2026-11-29T09:00:00.000Z', 'DIALLING')], more: false };
    expect(mergedQueue([open, dialling]).map((t) => t.id)).toEqual(['a', 'x', 'b']);
  });

  it('shows a task once when it moved between lists while they were read', () => {
    const open = { items: [aTask('a', '2026-11-29T08:00:00.000Z')], more: false };
    const dialling = { items: [aTask('a', '2026-11-29T08:00:00.000Z', 'DIALLING')], more: false };
    expect(mergedQueue([open, dialling]).map((t) => [t.id, t.status])).toEqual([['a', 'DIALLING']]);
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
