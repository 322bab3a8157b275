import { branchOfQueue, queueOfBranch, reconnectDelayMs } from './queue-branch.mapper';
import { originateOutcomeOf } from './pbx-link.service';

describe('queues and branches', () => {
  const branches = { 'sochi-main': 'sochi', 'sochi-2': 'sochi' };

  it('maps a listed queue to its branch and any other to itself, and back', () => {
    expect(branchOfQueue('sochi-2', branches)).toBe('sochi');
    expect(branchOfQueue('head', branches)).toBe('head');
    expect(queueOfBranch('sochi', branches)).toBe('sochi-main');
    expect(queueOfBranch('head', branches)).toBe('head');
  });
});

describe('reconnection delay', () => {
  it('doubles from 200 ms up to the cap, with jitter in the upper half', () => {
    expect([0, 1, 2, 3].map((attempt) => reconnectDelayMs(attempt, 10_000, () => 1))).toEqual([200, 400, 800, 1600]);
    expect(reconnectDelayMs(10, 10_000, () => 1)).toBe(10_000);
    expect(reconnectDelayMs(10, 10_000, () => 0)).toBe(5_000);
    expect(reconnectDelayMs(1_000, 10_000, () => 0.5)).toBe(7_500);
  });
});

describe('OriginateResponse reasons', () => {
  it.each([
    ['4', 'Success', 'ANSWERED'],
    ['1', 'Failure', 'NO_ANSWER'],
    ['5', 'Failure', 'BUSY'],
    ['8', 'Failure', 'CONGESTED'],
    ['0', 'Failure', 'NO_SUCH_NUMBER'],
    ['3', 'Failure', 'FAILED'],
  ])('reason %s → %s', (reason, response, outcome) => {
    expect(originateOutcomeOf({ event: 'OriginateResponse', response, reason })).toBe(outcome);
  });
});
