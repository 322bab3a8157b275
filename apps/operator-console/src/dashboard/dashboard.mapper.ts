/** The statistics API's shapes (contact-center statistics.service.ts, call-statistics.query.ts, live-queue.service.ts). */
export interface CallFigures {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly answeredWithinServiceLevel: number;
  readonly serviceLevelPercent: number | null;
  readonly averageWaitSeconds: number | null;
  readonly p90WaitSeconds: number | null;
  readonly maxWaitSeconds: number | null;
  readonly averageWaitAnsweredSeconds: number | null;
  readonly averageTalkSeconds: number | null;
  readonly waitTalkRatio: { readonly wait: number; readonly talk: number } | null;
  readonly lost: {
    readonly total: number;
    readonly withheldNumber: number;
    readonly returned: number;
    readonly notReturned: number;
    readonly returnMedianSeconds: number | null;
    readonly returnP90Seconds: number | null;
  };
}

export interface LiveQueueFigures {
  readonly waiting: number;
  readonly longestWaitSeconds: number;
  readonly operators: { readonly loggedIn: number; readonly paused: number; readonly talking: number; readonly available: number };
}

export interface LiveBranchFigures extends LiveQueueFigures {
  readonly branch: string;
}

export interface StatisticsPeriod {
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  readonly startsAt: string;
  readonly endsAt: string;
}

export interface CallStatistics {
  readonly period: StatisticsPeriod;
  readonly serviceLevelSeconds: number;
  readonly branches: readonly ({ readonly branch: string } & CallFigures)[];
  readonly consolidated: CallFigures;
}

export interface LiveStatistics {
  readonly asOf: string;
  readonly queues: { readonly branches: readonly LiveBranchFigures[]; readonly consolidated: LiveQueueFigures };
  readonly today: CallStatistics;
}

export interface DailyCallStatistics {
  readonly period: StatisticsPeriod;
  readonly serviceLevelSeconds: number;
  readonly days: readonly ({ readonly date: string } & Omit<CallStatistics, 'period' | 'serviceLevelSeconds'>)[];
}

export interface AppealFigures {
  readonly registered: number;
  readonly resolved: number;
  readonly closed: number;
  readonly escalated: number;
  readonly overdue: number;
  readonly resolvedWithinDeadline: number;
  readonly followUpsDone: number;
  readonly satisfied: number;
}

export type AppealDimension = 'type' | 'profile' | 'organisation' | 'district';

export interface AppealStatisticsAnswer {
  readonly period: StatisticsPeriod;
  readonly by: string;
  readonly asOf: string;
  readonly rows: readonly (AppealFigures & { readonly key: string | null; readonly name: string | null })[];
  readonly total: AppealFigures;
}

export type Freshness = 'FRESH' | 'STALE' | 'UNKNOWN';

export interface OrganisationHealth {
  readonly oid: string;
  readonly name: string | null;
  readonly district: string | null;
  readonly districtName?: string | null;
  readonly adapter: string | null;
  readonly lastHeartbeatAt: string | null;
  readonly state: Freshness;
}

export interface RegionHealth {
  readonly organisations: readonly OrganisationHealth[];
  readonly summary: { readonly fresh: number; readonly stale: number; readonly unknown: number };
}

/** Whether a JSON value pushed by the `live` event has the wallboard's shape (a malformed push is ignored). */
export function isLiveStatistics(value: unknown): value is LiveStatistics {
  if (typeof value !== 'object' || value === null) return false;
  const live = value as Partial<LiveStatistics>;
  return typeof live.asOf === 'string' && typeof live.queues === 'object' && live.queues !== null && typeof live.today === 'object' && live.today !== null;
}

const quietQueues: LiveQueueFigures = { waiting: 0, longestWaitSeconds: 0, operators: { loggedIn: 0, paused: 0, talking: 0, available: 0 } };

/**
 * The queues now in the scope chosen: one branch (zeros when the PBX shows nothing for it: the API lists
 * only branches with a waiting caller or a logged-in operator), or all of the caller's reach.
 */
export function queuesOf(live: LiveStatistics, branch: string | null): LiveQueueFigures {
  if (branch === null) return live.queues.consolidated;
  return live.queues.branches.find((b) => b.branch === branch) ?? quietQueues;
}

/** A period's call figures in the scope chosen: one branch's row, or the consolidated one. */
export function figuresOf(statistics: Pick<CallStatistics, 'branches' | 'consolidated'>, branch: string | null): CallFigures | undefined {
  if (branch === null) return statistics.consolidated;
  return statistics.branches.find((b) => b.branch === branch);
}

/** The branches the API showed this caller (it scopes them: a branch supervisor sees only his), sorted. */
export function branchesOf(live: LiveStatistics | null, period: CallStatistics | undefined): string[] {
  const names = new Set<string>();
  for (const b of live?.queues.branches ?? []) names.add(b.branch);
  for (const b of live?.today.branches ?? []) names.add(b.branch);
  for (const b of period?.branches ?? []) names.add(b.branch);
  return [...names].sort((a, b) => a.localeCompare(b));
}

export const dash = '—';

/** "45 с", "2 мин 05 с", "1 ч 02 мин"; a dash for no figure. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return dash;
  const s = Math.round(seconds);
  if (s < 60) return `${s} с`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} мин ${String(s % 60).padStart(2, '0')} с`;
  return `${Math.floor(minutes / 60)} ч ${String(minutes % 60).padStart(2, '0')} мин`;
}

/** "87,5 %" in Russian notation; a dash without calls. */
export function formatPercent(percent: number | null | undefined): string {
  if (percent === null || percent === undefined) return dash;
  return `${percent.toLocaleString('ru-RU', { maximumFractionDigits: 1 })} %`;
}

export function formatCount(count: number | null | undefined): string {
  if (count === null || count === undefined) return dash;
  return count.toLocaleString('ru-RU');
}

/** A KPI tile: `value` is the API's raw number (the `data-value` the tests compare), `text` what a supervisor reads. */
export interface Kpi {
  readonly testId: string;
  readonly label: string;
  readonly value: number | null;
  readonly text: string;
  readonly hint: string;
  /** Worth a supervisor's glance (red). */
  readonly alarm: boolean;
}

export interface KpiTargets {
  /** The service level the centre aims at, in % (80/60 is the usual target). */
  readonly serviceLevelPercent: number;
  /** The Krasnodar target: answered calls' waiting at most 30 shares of 100 against talking. */
  readonly waitShare: number;
}

export const defaultTargets: KpiTargets = { serviceLevelPercent: 80, waitShare: 30 };

/** The queue's KPIs now (pushed every two seconds). */
export function liveKpis(queues: LiveQueueFigures): Kpi[] {
  const o = queues.operators;
  return [
    { testId: 'kpi-waiting', label: 'Ждут ответа', value: queues.waiting, text: formatCount(queues.waiting), hint: 'звонящих в очереди сейчас', alarm: queues.waiting > 0 && o.available === 0 },
    {
      testId: 'kpi-longest-wait',
      label: 'Дольше всех ждёт',
      value: queues.longestWaitSeconds,
      text: formatSeconds(queues.longestWaitSeconds),
      hint: 'самое долгое ожидание сейчас',
      alarm: queues.longestWaitSeconds > 60,
    },
    {
      testId: 'kpi-operators-online',
      label: 'Операторов на линии',
      value: o.loggedIn,
      text: formatCount(o.loggedIn),
      hint: `свободны ${o.available} · говорят ${o.talking} · на паузе ${o.paused}`,
      alarm: false,
    },
  ];
}

/** A period's KPIs (today so far or this week). */
export function periodKpis(figures: CallFigures | undefined, serviceLevelSeconds: number, targets: KpiTargets = defaultTargets): Kpi[] {
  const f = figures;
  const returnable = f ? f.lost.total - f.lost.withheldNumber : 0;
  const sl = f?.serviceLevelPercent ?? null;
  const waitShare = f?.waitTalkRatio?.wait ?? null;
  return [
    { testId: 'kpi-offered', label: 'Поступило', value: f?.offered ?? null, text: formatCount(f?.offered), hint: 'звонков в очередь', alarm: false },
    { testId: 'kpi-answered', label: 'Принято', value: f?.answered ?? null, text: formatCount(f?.answered), hint: `из них за ${serviceLevelSeconds} с: ${formatCount(f?.answeredWithinServiceLevel)}`, alarm: false },
    {
      testId: 'kpi-abandoned',
      label: 'Потеряно',
      value: f?.abandoned ?? null,
      text: formatCount(f?.abandoned),
      hint: f && f.offered > 0 ? `${formatPercent(Math.round((1000 * f.abandoned) / f.offered) / 10)} поступивших` : 'положили трубку в очереди',
      alarm: f !== undefined && f.offered > 0 && f.abandoned / f.offered > 0.05,
    },
    {
      testId: 'kpi-service-level',
      label: `Отвечено за ${serviceLevelSeconds} с`,
      value: sl,
      text: formatPercent(sl),
      hint: `уровень сервиса, цель ${targets.serviceLevelPercent} %`,
      alarm: sl !== null && sl < targets.serviceLevelPercent,
    },
    {
      testId: 'kpi-average-wait',
      label: 'Среднее ожидание',
      value: f?.averageWaitSeconds ?? null,
      text: formatSeconds(f?.averageWaitSeconds),
      hint: `90 % ждали не дольше ${formatSeconds(f?.p90WaitSeconds)}`,
      alarm: false,
    },
    {
      testId: 'kpi-wait-share',
      label: 'Ожидание / разговор',
      value: waitShare,
      text: f?.waitTalkRatio ? `${f.waitTalkRatio.wait} / ${f.waitTalkRatio.talk}` : dash,
      hint: `доли принятых звонков, цель ≤ ${targets.waitShare} / ${100 - targets.waitShare}`,
      alarm: waitShare !== null && waitShare > targets.waitShare,
    },
    {
      testId: 'kpi-lost-returned',
      label: 'Перезвонили потерянным',
      value: f?.lost.returned ?? null,
      text: f ? `${formatCount(f.lost.returned)} из ${formatCount(returnable)}` : dash,
      hint: f ? `медиана до перезвона ${formatSeconds(f.lost.returnMedianSeconds)}; без номера ${f.lost.withheldNumber}` : 'потерянные звонки с номером',
      alarm: f !== undefined && f.lost.notReturned > 0,
    },
  ];
}

/** Data for the calls-per-day chart: one point per day of the scope, labelled "29.11". */
export function dailyChartData(daily: DailyCallStatistics, branch: string | null): { day: string; offered: number; answered: number; abandoned: number }[] {
  return daily.days.map((d) => {
    const f = figuresOf(d, branch);
    return { day: `${d.date.slice(8, 10)}.${d.date.slice(5, 7)}`, offered: f?.offered ?? 0, answered: f?.answered ?? 0, abandoned: f?.abandoned ?? 0 };
  });
}

const noKey: Record<string, string> = { type: 'без типа', profile: 'без профиля', organisation: 'без организации', district: 'без района', branch: 'без филиала' };

/**
 * Data for the appeals chart: the `limit` largest rows by registered appeals, labelled by their name where
 * the API knows it, else their key; the rest summed as "прочие" so the chart stays readable.
 */
export function appealsChartData(answer: AppealStatisticsAnswer, limit = 8): { label: string; registered: number; overdue: number; resolved: number }[] {
  const rows = [...answer.rows].sort((a, b) => b.registered - a.registered || String(a.key).localeCompare(String(b.key)));
  const head = rows.slice(0, limit).map((r) => ({ label: r.name ?? r.key ?? noKey[answer.by] ?? '—', registered: r.registered, overdue: r.overdue, resolved: r.resolved }));
  const rest = rows.slice(limit);
  if (rest.length === 0) return head;
  const sum = (of: (r: AppealFigures) => number) => rest.reduce((total, r) => total + of(r), 0);
  return [...head, { label: `прочие (${rest.length})`, registered: sum((r) => r.registered), overdue: sum((r) => r.overdue), resolved: sum((r) => r.resolved) }];
}

const stateOrder: Record<Freshness, number> = { STALE: 0, UNKNOWN: 1, FRESH: 2 };

/** The organisations a supervisor must look at first: stale MIS, then unknown, then fresh, by name. */
export function healthRows(health: RegionHealth): OrganisationHealth[] {
  return [...health.organisations].sort((a, b) => stateOrder[a.state] - stateOrder[b.state] || (a.name ?? a.oid).localeCompare(b.name ?? b.oid));
}

const freshnessNames: Record<Freshness, string> = { FRESH: 'в норме', STALE: 'данные устарели', UNKNOWN: 'нет сведений' };

export const freshnessName = (state: Freshness): string => freshnessNames[state];

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The region's calendar day (Europe/Moscow) at `now`, YYYY-MM-DD. */
export const regionDayOf = (now: Date): string => dayFormat.format(now);

export function addDays(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

const clockFormat = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', hour: '2-digit', minute: '2-digit' });
const dateClockFormat = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });

/** "01:09" for an instant of the region's today, "28.11, 23:40" for an older one (a silent adapter shows its age). */
export function formatHeartbeat(at: string, now: Date): string {
  const when = new Date(at);
  return regionDayOf(when) === regionDayOf(now) ? clockFormat.format(when) : dateClockFormat.format(when);
}
