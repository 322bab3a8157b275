import {
  addDays,
  appealsChartData,
  branchesOf,
  dailyChartData,
  figuresOf,
  formatHeartbeat,
  formatPercent,
  formatSeconds,
  healthRows,
  isLiveStatistics,
  liveKpis,
  periodKpis,
  queuesOf,
  regionDayOf,
  type AppealStatisticsAnswer,
  type CallFigures,
  type CallStatistics,
  type LiveStatistics,
} from './dashboard.mapper';

const figures = (over: Partial<CallFigures> = {}): CallFigures => ({
  offered: 40,
  answered: 36,
  abandoned: 4,
  answeredWithinServiceLevel: 30,
  serviceLevelPercent: 75,
  averageWaitSeconds: 32.5,
  p90WaitSeconds: 80,
  maxWaitSeconds: 140,
  averageWaitAnsweredSeconds: 30.1,
  averageTalkSeconds: 120.4,
  waitTalkRatio: { wait: 20, talk: 80 },
  lost: { total: 4, withheldNumber: 1, returned: 2, notReturned: 1, returnMedianSeconds: 300, returnP90Seconds: 900 },
  ...over,
});

const period = { from: '2026-11-29', to: '2026-11-29', timeZone: 'Europe/Moscow', startsAt: '2026-11-28T21:00:00.000Z', endsAt: '2026-11-29T21:00:00.000Z' };

const today: CallStatistics = {
  period,
  serviceLevelSeconds: 60,
  branches: [
    { branch: 'sochi', ...figures({ offered: 10 }) },
    { branch: 'anapa', ...figures({ offered: 30 }) },
  ],
  consolidated: figures(),
};

const live: LiveStatistics = {
  asOf: '2026-11-29T10:00:00.000Z',
  queues: {
    branches: [{ branch: 'sochi', waiting: 3, longestWaitSeconds: 95, operators: { loggedIn: 4, paused: 1, talking: 3, available: 0 } }],
    consolidated: { waiting: 3, longestWaitSeconds: 95, operators: { loggedIn: 4, paused: 1, talking: 3, available: 0 } },
  },
  today,
};

const byTestId = (kpis: readonly { testId: string; value: number | null; text: string }[]) => Object.fromEntries(kpis.map((k) => [k.testId, { value: k.value, text: k.text }]));

describe('dashboard mapper', () => {
  it('takes the queues of one branch, zeros for a branch the PBX shows nothing of, or the consolidated ones', () => {
    expect(queuesOf(live, 'sochi').waiting).toBe(3);
    expect(queuesOf(live, 'anapa')).toEqual({ waiting: 0, longestWaitSeconds: 0, operators: { loggedIn: 0, paused: 0, talking: 0, available: 0 } });
    expect(queuesOf(live, null)).toBe(live.queues.consolidated);
  });

  it('takes a period’s figures of one branch or the consolidated row', () => {
    expect(figuresOf(today, 'anapa')?.offered).toBe(30);
    expect(figuresOf(today, null)?.offered).toBe(40);
    expect(figuresOf(today, 'unknown')).toBeUndefined();
  });

  it('lists only the branches the API answered, sorted', () => {
    expect(branchesOf(live, undefined)).toEqual(['anapa', 'sochi']);
    expect(branchesOf(null, { ...today, branches: [{ branch: 'sochi', ...figures() }] })).toEqual(['sochi']);
  });

  it('carries the API’s raw numbers as KPI values and words them for the supervisor', () => {
    const kpis = byTestId([...liveKpis(queuesOf(live, null)), ...periodKpis(figures(), 60)]);
    expect(kpis).toEqual({
      'kpi-waiting': { value: 3, text: '3' },
      'kpi-longest-wait': { value: 95, text: '1 мин 35 с' },
      'kpi-operators-online': { value: 4, text: '4' },
      'kpi-offered': { value: 40, text: '40' },
      'kpi-answered': { value: 36, text: '36' },
      'kpi-abandoned': { value: 4, text: '4' },
      'kpi-service-level': { value: 75, text: '75 %' },
      'kpi-average-wait': { value: 32.5, text: '33 с' },
      'kpi-wait-share': { value: 20, text: '20 / 80' },
      'kpi-lost-returned': { value: 2, text: '2 из 3' },
    });
  });

  it('gives no value and a dash where the API has no figure (no calls yet)', () => {
    const kpis = byTestId(periodKpis(figures({ serviceLevelPercent: null, averageWaitSeconds: null, waitTalkRatio: null }), 60));
    expect(kpis['kpi-service-level']).toEqual({ value: null, text: '—' });
    expect(kpis['kpi-average-wait']).toEqual({ value: null, text: '—' });
    expect(kpis['kpi-wait-share']).toEqual({ value: null, text: '—' });
    expect(byTestId(periodKpis(undefined, 60))['kpi-offered']).toEqual({ value: null, text: '—' });
  });

  it('raises the alarm on a service level under target, a wait share over target and callers waiting with no one free', () => {
    const alarms = (kpis: readonly { testId: string; alarm: boolean }[]) => kpis.filter((k) => k.alarm).map((k) => k.testId);
    expect(alarms(periodKpis(figures({ serviceLevelPercent: 90, waitTalkRatio: { wait: 35, talk: 65 }, lost: { ...figures().lost, notReturned: 0 }, abandoned: 1 }), 60))).toEqual([
      'kpi-wait-share',
    ]);
    expect(alarms(periodKpis(figures({ serviceLevelPercent: 70 }), 60))).toContain('kpi-service-level');
    expect(alarms(liveKpis(queuesOf(live, null)))).toEqual(['kpi-waiting', 'kpi-longest-wait']);
  });

  it('formats seconds and percents in Russian', () => {
    expect(formatSeconds(null)).toBe('—');
    expect(formatSeconds(59.4)).toBe('59 с');
    expect(formatSeconds(125)).toBe('2 мин 05 с');
    expect(formatSeconds(3725)).toBe('1 ч 02 мин');
    expect(formatPercent(87.5)).toBe('87,5 %');
    expect(formatPercent(undefined)).toBe('—');
  });

  it('shapes the calls per day of the chosen scope for the chart', () => {
    const daily = {
      period,
      serviceLevelSeconds: 60,
      days: [
        { date: '2026-11-28', branches: [{ branch: 'sochi', ...figures({ answered: 5, abandoned: 1 }) }], consolidated: figures({ answered: 9, abandoned: 2 }) },
        { date: '2026-11-29', branches: [], consolidated: figures({ offered: 0, answered: 0, abandoned: 0 }) },
      ],
    };
    expect(dailyChartData(daily, null).map((d) => [d.day, d.answered, d.abandoned])).toEqual([
      ['28.11', 9, 2],
      ['29.11', 0, 0],
    ]);
    expect(dailyChartData(daily, 'sochi').map((d) => [d.day, d.answered, d.abandoned])).toEqual([
      ['28.11', 5, 1],
      ['29.11', 0, 0],
    ]);
  });

  it('shows the largest appeal groups by name or key and sums the rest', () => {
    const row = (key: string | null, name: string | null, registered: number) => ({
      key,
      name,
      registered,
      resolved: 0,
      closed: 0,
      escalated: 0,
      overdue: 1,
      resolvedWithinDeadline: 0,
      followUpsDone: 0,
      satisfied: 0,
    });
    const answer: AppealStatisticsAnswer = {
      period,
      by: 'profile',
      asOf: period.startsAt,
      rows: [row('27', null, 2), row('76', null, 9), row(null, null, 4)],
      total: { ...row(null, null, 15) },
    };
    expect(appealsChartData(answer, 2)).toEqual([
      { label: '76', registered: 9, overdue: 1, resolved: 0 },
      { label: 'без профиля', registered: 4, overdue: 1, resolved: 0 },
      { label: 'прочие (1)', registered: 2, overdue: 1, resolved: 0 },
    ]);
    expect(appealsChartData({ ...answer, by: 'type', rows: [row('COMPLAINT', 'Жалоба', 3)] })).toEqual([{ label: 'Жалоба', registered: 3, overdue: 1, resolved: 0 }]);
  });

  it('puts stale MIS first, then unknown, then fresh', () => {
    const org = (oid: string, state: 'FRESH' | 'STALE' | 'UNKNOWN') => ({ oid, name: `Поликлиника ${oid}`, district: null, adapter: null, lastHeartbeatAt: null, state });
    const rows = healthRows({ organisations: [org('1', 'FRESH'), org('2', 'UNKNOWN'), org('3', 'STALE')], summary: { fresh: 1, stale: 1, unknown: 1 } });
    expect(rows.map((r) => r.state)).toEqual(['STALE', 'UNKNOWN', 'FRESH']);
  });

  it('counts days in the region’s zone and across month ends', () => {
    expect(regionDayOf(new Date('2026-11-29T21:30:00.000Z'))).toBe('2026-11-30');
    expect(addDays('2026-12-01', -13)).toBe('2026-11-18');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('shows a heartbeat of today by its time and an older one with its day, in Moscow time', () => {
    const now = new Date('2026-11-29T20:30:00.000Z');
    expect(formatHeartbeat('2026-11-29T20:29:00.000Z', now)).toBe('23:29');
    expect(formatHeartbeat('2026-11-28T20:29:00.000Z', now)).toBe('28.11, 23:29');
  });

  it('accepts only a live push of the wallboard’s shape', () => {
    expect(isLiveStatistics(live)).toBe(true);
    expect(isLiveStatistics(null)).toBe(false);
    expect(isLiveStatistics({ asOf: 'x' })).toBe(false);
  });
});
