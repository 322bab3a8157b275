import type { DataSource } from 'typeorm';
import { HealthService, type HealthIndicator } from '../health/health.service';
import { AppealEscalationService, type EscalationPass } from './appeal-escalation.service';
import { Clock } from '../clock.service';
import { EscalationPoller } from './escalation.poller';

class ManualClock extends Clock {
  constructor(private at: Date) {
    super();
  }
  now(): Date {
    return this.at;
  }
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** Escalates appeals whose escalation time has come, as the real service's SQL does, over a list. */
class ListedEscalations extends AppealEscalationService {
  failing = false;
  constructor(readonly appeals: { escalateAt: Date; deadlineAt: Date; escalated: boolean; overdue: boolean }[]) {
    super(undefined as unknown as DataSource);
  }
  override async pass(now: Date): Promise<EscalationPass> {
    if (this.failing) throw new Error('connection terminated');
    const due = this.appeals.filter((a) => !a.escalated && a.escalateAt <= now);
    due.forEach((a) => (a.escalated = true));
    const overdue = this.appeals.filter((a) => !a.overdue && a.deadlineAt < now);
    overdue.forEach((a) => (a.overdue = true));
    return { escalated: due.length, overdue: overdue.length };
  }
}

const hour = 3_600_000;

describe('the escalation poller', () => {
  const start = new Date('2026-03-02T07:00:00Z');
  let clock: ManualClock;
  let escalations: ListedEscalations;
  let indicator: HealthIndicator;
  let poller: EscalationPoller;

  beforeEach(() => {
    jest.useFakeTimers({ now: start });
    clock = new ManualClock(start);
    escalations = new ListedEscalations([{ escalateAt: new Date(start.getTime() + 8 * 24 * hour), deadlineAt: new Date(start.getTime() + 10 * 24 * hour), escalated: false, overdue: false }]);
    const health = { register: (_name: string, registered: HealthIndicator) => (indicator = registered) } as unknown as HealthService;
    poller = new EscalationPoller({ CC_APPEAL_ESCALATION_POLL_MS: 60_000 }, clock, escalations, health);
  });

  afterEach(async () => {
    await poller.beforeApplicationShutdown();
    jest.useRealTimers();
  });

  it('runs a pass at start and every interval, at the clock’s time, and reports the totals', async () => {
    poller.onApplicationBootstrap();
    clock.advance(9 * 24 * hour);
    await jest.advanceTimersByTimeAsync(0);
    expect(escalations.appeals[0]).toMatchObject({ escalated: true, overdue: false });
    clock.advance(2 * 24 * hour);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(escalations.appeals[0]).toMatchObject({ escalated: true, overdue: true });
    expect(indicator.details?.()).toMatchObject({ escalated: 1, overdue: 1 });
    expect(await indicator.check()).toBe('up');
  });

  it('says it is down after a failed pass, keeps polling, and is up again after the next good one', async () => {
    escalations.failing = true;
    poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(await indicator.check()).toBe('down');
    escalations.failing = false;
    clock.advance(60_000);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(await indicator.check()).toBe('up');
  });
});
