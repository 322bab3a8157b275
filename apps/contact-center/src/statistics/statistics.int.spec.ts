import type { Caller } from '@medbus/service-auth';
import type { EndedCall } from '../calls/ami-call.mapper';
import { anEndedCall, callbacksOf, expectedFigures, randomCalls, seededRandom } from './__fixtures__/call-day.builder';
import { csvObjects } from './__fixtures__/csv.reader';
import { startStatisticsTestApp, testSettings, type StatisticsTestApp } from './__fixtures__/statistics.int-app';
import type { CallFigures } from './call-statistics.query';
import { addDays, startOfDay } from './statistics-period.mapper';
import type { CallStatistics, DailyCallStatistics } from './statistics.service';

const zone = testSettings.CC_TIME_ZONE;
const day = '2026-03-02';
const seed = 20260302;
type TestCaller = Omit<Caller, 'channel'>;
const head: TestCaller = { clientId: 'head-supervisor', role: 'HEAD_SUPERVISOR', branch: null };
const northSupervisor: TestCaller = { clientId: 'north-supervisor', role: 'BRANCH_SUPERVISOR', branch: 'north' };
const northOperator: TestCaller = { clientId: 'north-operator', role: 'OPERATOR', branch: 'north' };
const branchOf = (call: EndedCall): string => testSettings.CC_QUEUE_BRANCHES[call.queue] ?? call.queue;
const at = (local: string, plusMs = 0): Date => new Date(startOfDay(local.slice(0, 10), zone).getTime() + Date.parse(`1970-01-01T${local.slice(11) || '00:00:00'}Z`) + plusMs);

/** A CSV record read back as the figures it stands for (an empty cell: no value). */
function figuresOfCsv(row: Record<string, string>): CallFigures {
  const n = (column: string): number | null => (row[column] === '' || row[column] === undefined ? null : Number(row[column]));
  const count = (column: string): number => n(column) ?? Number.NaN;
  const wait = n('wait_share_percent');
  const talk = n('talk_share_percent');
  return {
    offered: count('offered'),
    answered: count('answered'),
    abandoned: count('abandoned'),
    answeredWithinServiceLevel: count('answered_within_service_level'),
    serviceLevelPercent: n('service_level_percent'),
    averageWaitSeconds: n('average_wait_seconds'),
    p90WaitSeconds: n('p90_wait_seconds'),
    maxWaitSeconds: n('max_wait_seconds'),
    averageWaitAnsweredSeconds: n('average_wait_answered_seconds'),
    averageTalkSeconds: n('average_talk_seconds'),
    waitTalkRatio: wait === null || talk === null ? null : { wait, talk },
    lost: {
      total: count('abandoned'),
      withheldNumber: count('lost_withheld_number'),
      returned: count('lost_returned'),
      notReturned: count('lost_not_returned'),
      returnMedianSeconds: n('return_median_seconds'),
      returnP90Seconds: n('return_p90_seconds'),
    },
  };
}

describe('contact-centre statistics over the recorded calls', () => {
  let app: StatisticsTestApp;
  let calls: EndedCall[];
  let returns: Map<string, Date>;

  async function get(path: string, caller: TestCaller, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${app.keyOf(caller)}`, ...headers } });
    // As the bytes came (text() would drop a byte-order mark).
    return { status: response.status, headers: response.headers, text: Buffer.from(await response.arrayBuffer()).toString('utf8') };
  }

  async function json<T>(path: string, caller = head): Promise<T> {
    const answer = await get(path, caller);
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.text}`);
    return JSON.parse(answer.text) as T;
  }

  /** What the figures must be: the calls that joined in [from, until) local days, of one branch or all, counted here. */
  function expected(from: string, until: string, branch?: string): CallFigures {
    const [starts, ends] = [startOfDay(from, zone).getTime(), startOfDay(until, zone).getTime()];
    const counted = calls.filter((call) => call.joinedAt.getTime() >= starts && call.joinedAt.getTime() < ends && (branch === undefined || branchOf(call) === branch));
    return expectedFigures(counted, returns, testSettings.CC_SERVICE_LEVEL_SECONDS);
  }

  beforeAll(async () => {
    app = await startStatisticsTestApp(at(`${day}T15:00:00`));
    const edges = [
      at(`${day}T00:00:00`, -1), // the day before, by a millisecond
      at(`${day}T00:00:00`),
      at(addDays(day, 1), -1_000),
      at(addDays(day, 1)),
    ].map((joinedAt, i) => anEndedCall({ queue: 'q-north', joinedAt, waitSeconds: 30 + i, talkSeconds: i % 2 === 0 ? 100 : null, number: `79180000${i}00` }));
    const random = seededRandom(seed);
    calls = [...randomCalls(random, 320, ['q-head', 'q-north'], at(addDays(day, -1)), 3 * 86_400_000), ...edges, ...randomCalls(random, 20, ['q-head'], at(addDays(day, 7)), 86_400_000)];
    const callbacks = callbacksOf(calls);
    // As the ingester records them: in the order they ended, in batches.
    const ordered = [...calls].sort((a, b) => a.endedAt.getTime() - b.endedAt.getTime());
    for (let i = 0; i < ordered.length; i += 40) await app.calls.record(ordered.slice(i, i + 40));
    // The dialler calls some callers back: reached (returned at the PBX's answer), a number that does not exist, no answer (neither returns).
    // Tasks fall due by the service's clock (the wall's), answers carry the PBX's time (the test's day).
    const serviceNow = new Date(Date.now() + 60_000);
    const dialledAt = new Date((ordered[ordered.length - 1] as EndedCall).endedAt.getTime() + 3_600_000);
    const attempts = await app.callbacks.startDue(9, serviceNow);
    expect(attempts).toHaveLength(9);
    for (const [i, attempt] of attempts.entries()) {
      const outcome = (['ANSWERED', 'NO_SUCH_NUMBER', 'NO_ANSWER'] as const)[i % 3] as 'ANSWERED' | 'NO_SUCH_NUMBER' | 'NO_ANSWER';
      const answeredAt = new Date(dialledAt.getTime() + 20_000 + i * 1_000);
      await app.callbacks.finish(attempt.attemptId, { outcome, at: answeredAt, uniqueid: `callback-${i}` }, serviceNow);
      if (outcome === 'ANSWERED') callbacks.reach(attempt.number, answeredAt);
    }
    returns = callbacks.returned;
  });

  afterAll(() => app?.close());

  it('counts a day per branch and consolidated as an independent count of the same calls does, a branch without calls as zeros', async () => {
    const answer = await json<CallStatistics>(`/v1/statistics/calls?period=day&date=${day}`);

    expect(answer.period).toEqual({ from: day, to: day, timeZone: zone, startsAt: '2026-03-01T21:00:00.000Z', endsAt: '2026-03-02T21:00:00.000Z' });
    expect(Object.fromEntries(answer.branches.map(({ branch, ...figures }) => [branch, figures]))).toEqual({
      head: expected(day, addDays(day, 1), 'head'),
      north: expected(day, addDays(day, 1), 'north'),
      south: expected(day, addDays(day, 1), 'south'),
    });
    expect(answer.consolidated).toEqual(expected(day, addDays(day, 1)));
    // The generated day exercises what it claims to: lost calls returned and not, withheld numbers, calls over the service level.
    expect(answer.consolidated.lost).toMatchObject({ returned: expect.any(Number), withheldNumber: expect.any(Number) });
    expect([answer.consolidated.lost.returned, answer.consolidated.lost.notReturned, answer.consolidated.lost.withheldNumber].every((n) => n > 0)).toBe(true);
    expect(answer.consolidated.answered).toBeGreaterThan(answer.consolidated.answeredWithinServiceLevel);
    expect(answer.branches.find((b) => b.branch === 'south')?.offered).toBe(0);
  });

  it('puts a call on the day it joined in the region’s time zone, a call at midnight on the day it begins', async () => {
    const before = addDays(day, -1);
    const answer = await json<DailyCallStatistics>(`/v1/statistics/calls/daily?from=${before}&to=${addDays(day, 1)}&branch=north`);

    expect(answer.days.map((d) => d.date)).toEqual([before, day, addDays(day, 1)]);
    for (const entry of answer.days) {
      expect(entry.branches).toEqual([{ branch: 'north', ...expected(entry.date, addDays(entry.date, 1), 'north') }]);
      expect(entry.consolidated).toEqual(expected(entry.date, addDays(entry.date, 1), 'north'));
    }
    const period = await json<CallStatistics>(`/v1/statistics/calls?period=day&date=${day}&branch=north`);
    expect(answer.days[1]?.consolidated).toEqual(period.consolidated);
  });

  it('counts an ISO week from Monday to Sunday and a range with both its days', async () => {
    const week = await json<CallStatistics>(`/v1/statistics/calls?period=week&date=${addDays(day, 3)}`);
    expect(week.period).toMatchObject({ from: day, to: addDays(day, 6) });
    expect(week.consolidated).toEqual(expected(day, addDays(day, 7)));

    const range = await json<CallStatistics>(`/v1/statistics/calls?from=${addDays(day, -1)}&to=${addDays(day, 7)}`);
    expect(range.consolidated).toEqual(expected(addDays(day, -1), addDays(day, 8)));
    expect(range.consolidated.offered).toBe(calls.length);
  });

  it('shows a branch supervisor his branch alone and refuses him another', async () => {
    const own = await json<CallStatistics>(`/v1/statistics/calls?date=${day}`, northSupervisor);
    expect(own.branches.map((b) => b.branch)).toEqual(['north']);
    expect(own.consolidated).toEqual(expected(day, addDays(day, 1), 'north'));

    const other = await get(`/v1/statistics/calls?date=${day}&branch=head`, northSupervisor);
    expect({ status: other.status, code: (JSON.parse(other.text) as { error: { code: string } }).error.code }).toEqual({ status: 403, code: 'CC.BRANCH_FORBIDDEN' });
    expect((await get(`/v1/statistics/calls/daily?from=${day}&to=${day}&branch=head`, northSupervisor)).status).toBe(403);
  });

  it('lets an operator read no call statistics but his own branch’s live board', async () => {
    expect((await get(`/v1/statistics/calls?date=${day}`, northOperator)).status).toBe(403);
    expect((await get('/v1/statistics/live?branch=head', northOperator)).status).toBe(403);
    expect((await get('/v1/statistics/live', northOperator)).status).toBe(200);
  });

  it('refuses a malformed or too long period', async () => {
    for (const query of ['date=2026-02-30', 'period=month', `from=${day}`, `period=day&from=${day}&to=${day}`, `from=${day}&to=${addDays(day, 93)}`, `from=${day}&to=${addDays(day, -1)}`]) {
      const answer = await get(`/v1/statistics/calls?${query}`, head);
      expect({ query, status: answer.status, code: (JSON.parse(answer.text) as { error: { code: string } }).error.code }).toEqual({ query, status: 400, code: 'CC.INVALID_STATISTICS_QUERY' });
    }
  });

  it('exports the same figures as CSV, asked by format or by Accept, that a spreadsheet reads back', async () => {
    const figures = await json<CallStatistics>(`/v1/statistics/calls?date=${day}`);
    for (const [query, headers] of [['&format=csv', {}], ['', { accept: 'text/csv' }]] as const) {
      const answer = await get(`/v1/statistics/calls?date=${day}${query}`, head, headers);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="calls-${day}-${day}.csv"`);
      expect(answer.text.startsWith('\uFEFF')).toBe(true);
      const rows = csvObjects(answer.text);
      expect(rows.map((row) => [row.scope, row.branch, figuresOfCsv(row)])).toEqual([
        ...figures.branches.map(({ branch, ...f }) => ['branch', branch, f]),
        ['consolidated', '', figures.consolidated],
      ]);
    }
  });

  it('counts the appeals registered in the period by type, profile, organisation and district, a branch supervisor his branch’s', async () => {
    const [org1, org2] = ['1.2.643.5.1.13.13.12.2.23.1001', '1.2.643.5.1.13.13.12.2.23.1002'];
    const northOp = { ...northOperator, channel: 'CONTACT_CENTRE' };
    const headOp = { clientId: 'head-operator', role: 'OPERATOR', channel: 'CONTACT_CENTRE', branch: null };
    const appeal = (type: string, profileCode: string, organisationOid: string | undefined, districtId: string) => ({ type, profileCode, districtId, text: 'Не дозвонился в регистратуру', applicantPhone: '+7 918 555-01-02', ...(organisationOid === undefined ? {} : { organisationOid }) });
    const now = app.clock.at;
    try {
      app.clock.at = at(`${addDays(day, -1)}T23:59:59`);
      await app.appeals.register(appeal('BOOKING', '34', org1, 'sochi'), northOp);
      app.clock.at = at(`${day}T00:00:00`);
      await app.appeals.register(appeal('BOOKING', '34', org1, 'sochi'), northOp);
      app.clock.at = at(`${day}T10:00:00`);
      await app.appeals.register(appeal('BOOKING', '34', org1, 'sochi'), northOp);
      await app.appeals.register(appeal('COMPLAINT', '76', undefined, 'sochi'), northOp);
      await app.appeals.register(appeal('BOOKING', '34', org2, 'krasnodar'), headOp);
    } finally {
      app.clock.at = now;
    }
    const registered = async (by: string, caller = head) => {
      const answer = await json<{ rows: { key: string | null; registered: number }[]; total: { registered: number } }>(`/v1/statistics/appeals?from=${day}&to=${day}&by=${by}`, caller);
      return { rows: Object.fromEntries(answer.rows.map((row) => [String(row.key), row.registered])), total: answer.total.registered };
    };

    expect(await registered('type')).toEqual({ rows: { BOOKING: 3, COMPLAINT: 1 }, total: 4 });
    expect(await registered('profile')).toEqual({ rows: { '34': 3, '76': 1 }, total: 4 });
    expect(await registered('organisation')).toEqual({ rows: { [org1]: 2, [org2]: 1, null: 1 }, total: 4 });
    expect(await registered('district')).toEqual({ rows: { sochi: 3, krasnodar: 1 }, total: 4 });
    expect(await registered('type', northSupervisor)).toEqual({ rows: { BOOKING: 2, COMPLAINT: 1 }, total: 3 });
    // Instants instead of days: registered from 00:00:01 on, the midnight appeal left out.
    const since = await json<{ total: { registered: number } }>(`/v1/statistics/appeals?from=${at(`${day}T00:00:01`).toISOString()}&to=${at(addDays(day, 1)).toISOString()}`);
    expect(since.total.registered).toBe(3);
    expect((await get(`/v1/statistics/appeals?from=${day}&to=${day}&branch=head`, northSupervisor)).status).toBe(403);

    const csv = await get(`/v1/statistics/appeals?from=${day}&to=${day}&by=district&format=csv`, head);
    expect(csvObjects(csv.text).map((row) => [row.scope, row.key, row.registered])).toEqual([
      ['district', 'sochi', '3'],
      ['district', 'krasnodar', '1'],
      ['total', '', '4'],
    ]);
  });

  it('shows the queues now and today’s figures so far, at most two seconds old', async () => {
    app.live.apply({ event: 'QueueMemberAdded', queue: 'q-north', membername: 'op-1', paused: '0', timestamp: String(app.clock.now().getTime() / 1000) });
    app.live.apply({ event: 'QueueMemberAdded', queue: 'q-north', membername: 'op-2', paused: '1', timestamp: String(app.clock.now().getTime() / 1000) });
    app.live.apply({ event: 'QueueCallerJoin', queue: 'q-north', uniqueid: 'waiting-1', timestamp: String(app.clock.now().getTime() / 1000) });
    const first = await json<{ queues: { branches: unknown[] }; today: CallStatistics }>('/v1/statistics/live?branch=north', northSupervisor);
    expect(first.queues.branches).toEqual([{ branch: 'north', waiting: 1, longestWaitSeconds: expect.any(Number), operators: { loggedIn: 2, paused: 1, talking: 0, available: 1 } }]);
    expect(first.today.consolidated).toEqual(expected(day, addDays(day, 1), 'north'));

    const late = anEndedCall({ queue: 'q-north', joinedAt: at(`${day}T14:00:00`), waitSeconds: 5, talkSeconds: 50, number: null });
    await app.calls.record([late]);
    calls.push(late);
    const cached = await json<{ today: CallStatistics }>('/v1/statistics/live?branch=north', northSupervisor);
    expect(cached.today.consolidated.offered).toBe(first.today.consolidated.offered);

    app.clock.at = new Date(app.clock.at.getTime() + 2_000);
    const fresh = await json<{ today: CallStatistics }>('/v1/statistics/live?branch=north', northSupervisor);
    expect(fresh.today.consolidated).toEqual(expected(day, addDays(day, 1), 'north'));
    expect(fresh.today.consolidated.offered).toBe(first.today.consolidated.offered + 1);

    const csv = csvObjects((await get('/v1/statistics/live?branch=north&format=csv', northOperator)).text);
    expect(csv.map((row) => [row.scope, row.branch, row.waiting, row.operators_available, row.today_offered])).toEqual([
      ['branch', 'north', '1', '1', String(fresh.today.consolidated.offered)],
      ['consolidated', '', '1', '1', String(fresh.today.consolidated.offered)],
    ]);
  });
});
