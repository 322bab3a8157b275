import { deadlineRiskOf, deadlineText } from './appeals.mapper';

const now = new Date('2026-11-29T10:00:00.000Z');
const anAppeal = (over: Partial<{ status: string; deadlineAt: string; escalatedAt: string | null; overdueAt: string | null }> = {}) => ({
  status: 'IN_PROGRESS',
  deadlineAt: '2026-12-05T21:00:00.000Z',
  escalatedAt: null,
  overdueAt: null,
  ...over,
});

describe('appeals mapper: deadline risk', () => {
  it('is on time with more than a day left and no escalation', () => {
    expect(deadlineRiskOf(anAppeal(), now)).toBe('ON_TIME');
  });

  it('is at risk once escalated by the service or with a day or less left', () => {
    expect(deadlineRiskOf(anAppeal({ escalatedAt: '2026-11-29T09:00:00.000Z' }), now)).toBe('AT_RISK');
    expect(deadlineRiskOf(anAppeal({ deadlineAt: '2026-11-30T09:00:00.000Z' }), now)).toBe('AT_RISK');
  });

  it('is overdue past the deadline or once the service marked it so', () => {
    expect(deadlineRiskOf(anAppeal({ deadlineAt: '2026-11-29T09:59:00.000Z' }), now)).toBe('OVERDUE');
    expect(deadlineRiskOf(anAppeal({ overdueAt: '2026-11-29T09:00:00.000Z', deadlineAt: '2026-11-29T09:00:00.000Z' }), now)).toBe('OVERDUE');
  });

  it('no longer runs once the appeal is resolved or closed', () => {
    expect(deadlineRiskOf(anAppeal({ status: 'RESOLVED', deadlineAt: '2026-11-20T00:00:00.000Z' }), now)).toBe('DONE');
    expect(deadlineRiskOf(anAppeal({ status: 'CLOSED', overdueAt: '2026-11-20T00:00:00.000Z' }), now)).toBe('DONE');
  });

  it('words the time left or the delay', () => {
    expect(deadlineText('2026-11-29T15:10:00.000Z', now)).toBe('осталось 5 ч 10 мин');
    expect(deadlineText('2026-11-29T09:30:00.000Z', now)).toBe('просрочено на 30 мин');
    expect(deadlineText('2026-11-27T07:00:00.000Z', now)).toBe('просрочено на 2 дн 3 ч');
  });
});
