import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { isSupervisor, useCaller } from '../api/session.context';
import { useLiveEvents } from '../live/live-events.context';
import { appealStatusName, deadlineRiskOf, deadlineText, riskName } from '../appeals/appeals.mapper';
import { Refusal } from '../api/refusal.view';
import { useAppealTypes } from '../appeals/appeals.query';
import {
  addDays,
  appealsChartData,
  branchesOf,
  dailyChartData,
  figuresOf,
  formatCount,
  formatHeartbeat,
  formatPercent,
  formatSeconds,
  freshnessName,
  healthRows,
  isLiveStatistics,
  liveKpis,
  periodKpis,
  queuesOf,
  regionDayOf,
  type AppealDimension,
  type Kpi,
  type LiveStatistics,
} from './dashboard.mapper';
import { useAppealStatistics, useDailyStatistics, useDeadlinesAtRisk, useLiveSnapshot, usePeriodStatistics, useRegionHealth } from './dashboard.query';
import './dashboard.css';

const dimensions: readonly { value: AppealDimension; label: string }[] = [
  { value: 'type', label: 'по типу' },
  { value: 'profile', label: 'по профилю' },
  { value: 'organisation', label: 'по организации' },
  { value: 'district', label: 'по району' },
];

function KpiTile({ kpi }: { kpi: Kpi }) {
  return (
    <div className={`kpi${kpi.alarm ? ' alarm' : ''}`} data-testid={kpi.testId} data-value={kpi.value ?? ''} title={kpi.hint}>
      <div className="label">{kpi.label}</div>
      <div className="value">{kpi.text}</div>
      <div className="hint muted">{kpi.hint}</div>
    </div>
  );
}

/** The figures pushed by the `live` event, or one read of the API until the first push. */
function useLive(): { live: LiveStatistics | null; error: unknown } {
  const pushed = useLiveEvents().live;
  const live = isLiveStatistics(pushed) ? pushed : null;
  const snapshot = useLiveSnapshot(live === null);
  return { live: live ?? snapshot.data ?? null, error: live === null ? snapshot.error : null };
}

/** An operator's small panel: his branch's queue now and today's calls (the API scopes both to his branch). */
function OperatorPanel() {
  const caller = useCaller();
  const { live, error } = useLive();
  const kpis = live ? [...liveKpis(live.queues.consolidated), ...periodKpis(live.today.consolidated, live.today.serviceLevelSeconds).slice(0, 4)] : [];
  return (
    <section className="page dashboard">
      <div className="panel row">
        <h2>Очередь филиала</h2>
        <span data-testid="dash-scope" data-branch={caller.branch ?? ''}>
          {caller.branch ?? 'головной центр'}
        </span>
        <span className="muted">{live ? `на ${new Date(live.asOf).toLocaleTimeString('ru-RU', { timeZone: 'Europe/Moscow' })}` : 'ожидание данных…'}</span>
      </div>
      {error ? <Refusal error={error} /> : null}
      <div className="kpis">
        {kpis.map((k) => (
          <KpiTile key={k.testId} kpi={k} />
        ))}
      </div>
    </section>
  );
}

function SupervisorDashboard() {
  const caller = useCaller();
  const head = caller.role === 'HEAD_SUPERVISOR';
  const [chosen, setChosen] = useState<string | null>(null);
  const branch = head ? chosen : caller.branch;
  const [period, setPeriod] = useState<'day' | 'week'>('day');
  const [by, setBy] = useState<AppealDimension>('type');
  const today = regionDayOf(new Date());
  const from = addDays(today, -13);

  const { live, error: liveError } = useLive();
  const week = usePeriodStatistics('week', period === 'week');
  const day = usePeriodStatistics('day', period === 'day' && live === null);
  const periodStatistics = period === 'week' ? week.data : (live?.today ?? day.data);
  const daily = useDailyStatistics(from, today, true);
  const appeals = useAppealStatistics(by, addDays(today, -29), today, head ? chosen : null, true);
  const risks = useDeadlinesAtRisk(head ? chosen : null, true);
  const health = useRegionHealth(true);
  const types = useAppealTypes();
  const typeNames = useMemo(() => new Map((types.data?.items ?? []).map((t) => [t.code, t.name])), [types.data]);

  const branches = useMemo(() => branchesOf(live, periodStatistics), [live, periodStatistics]);
  const queues = live ? queuesOf(live, branch) : null;
  const figures = periodStatistics ? figuresOf(periodStatistics, branch) : undefined;
  const kpis = [...(queues ? liveKpis(queues) : []), ...periodKpis(figures, periodStatistics?.serviceLevelSeconds ?? 60)];
  const now = new Date();

  const dailyData = useMemo(() => (daily.data ? dailyChartData(daily.data, branch) : []), [daily.data, branch]);
  const appealsData = useMemo(() => (appeals.data ? appealsChartData(appeals.data) : []), [appeals.data]);
  const organisations = useMemo(() => (health.data ? healthRows(health.data) : []), [health.data]);

  return (
    <section className="page dashboard">
      <div className="panel row dash-head">
        {head ? (
          <label>
            Филиал{' '}
            <select data-testid="dash-scope" data-branch={chosen ?? ''} value={chosen ?? ''} onChange={(e) => setChosen(e.target.value || null)} title="Alt+S" accessKey="s">
              <option value="">Все филиалы (сводно)</option>
              {branches.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span data-testid="dash-scope" data-branch={caller.branch ?? ''}>
            Филиал: <b>{caller.branch}</b>
          </span>
        )}
        <label>
          Период{' '}
          <select value={period} onChange={(e) => setPeriod(e.target.value as 'day' | 'week')} title="Alt+P" accessKey="p">
            <option value="day">сегодня</option>
            <option value="week">эта неделя</option>
          </select>
        </label>
        <span className="muted">
          {live ? `очередь на ${new Date(live.asOf).toLocaleTimeString('ru-RU', { timeZone: 'Europe/Moscow' })}` : 'ожидание данных…'}
          {periodStatistics ? ` · ${periodStatistics.period.from === periodStatistics.period.to ? periodStatistics.period.from : `${periodStatistics.period.from} — ${periodStatistics.period.to}`}` : ''}
        </span>
      </div>
      {liveError ? <Refusal error={liveError} /> : null}
      {period === 'week' && week.error ? <Refusal error={week.error} /> : null}
      <div className="kpis">
        {kpis.map((k) => (
          <KpiTile key={k.testId} kpi={k} />
        ))}
      </div>
      <div className="dash-grid">
        <div className="panel dash-chart" data-testid="chart-calls-daily">
          <h2>Звонки по дням (14 дней)</h2>
          {daily.error ? <Refusal error={daily.error} /> : null}
          <div className="chart-box">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={dailyData} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" fontSize={11} />
                <YAxis fontSize={11} allowDecimals={false} />
                <Tooltip />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar dataKey="answered" name="принято" stackId="calls" fill="#2da44e" isAnimationActive={false} />
                <Bar dataKey="abandoned" name="потеряно" stackId="calls" fill="#cf222e" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
        <div className="panel dash-branches">
          <h2>Филиалы</h2>
          <table>
            <thead>
              <tr>
                <th>Филиал</th>
                <th>Ждут</th>
                <th>Опер.</th>
                <th>Поступ.</th>
                <th>Потер.</th>
                <th>За 60 с</th>
              </tr>
            </thead>
            <tbody>
              {branches.map((b) => {
                const q = live ? queuesOf(live, b) : null;
                const f = periodStatistics ? figuresOf(periodStatistics, b) : undefined;
                return (
                  <tr
                    key={b}
                    data-testid="dash-branch-row"
                    data-branch={b}
                    className={b === branch ? 'chosen' : ''}
                    onClick={head ? () => setChosen(b === chosen ? null : b) : undefined}
                    title={head ? 'Щелчок: показать этот филиал (ещё раз — все)' : undefined}
                  >
                    <td>{b}</td>
                    <td>{formatCount(q?.waiting)}</td>
                    <td>{formatCount(q?.operators.loggedIn)}</td>
                    <td>{formatCount(f?.offered)}</td>
                    <td>{formatCount(f?.abandoned)}</td>
                    <td>{formatPercent(f?.serviceLevelPercent)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div className="panel dash-health">
          <h2>
            МИС региона{' '}
            {health.data ? (
              <span className="muted">
                в норме {health.data.summary.fresh} · устарели <span className="fresh-STALE">{health.data.summary.stale}</span> · нет сведений {health.data.summary.unknown}
              </span>
            ) : null}
          </h2>
          {health.error ? <Refusal error={health.error} /> : null}
          <div className="scroll">
            <table>
              <tbody>
                {organisations.map((o) => (
                  <tr key={o.oid} data-testid="region-health" data-oid={o.oid} data-state={o.state}>
                    <td title={`${o.name ?? ''} ${o.oid}${o.adapter ? ` · адаптер ${o.adapter}` : ''}`}>{o.name ?? o.oid}</td>
                    <td className={`fresh-${o.state}`}>{freshnessName(o.state)}</td>
                    <td className="muted" title="последний сигнал адаптера">
                      {o.lastHeartbeatAt ? formatHeartbeat(o.lastHeartbeatAt, now) : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
        <div className="panel dash-chart" data-testid="chart-appeals">
          <h2 className="row">
            Обращения за 30 дней{' '}
            <select value={by} onChange={(e) => setBy(e.target.value as AppealDimension)} title="Alt+O" accessKey="o">
              {dimensions.map((d) => (
                <option key={d.value} value={d.value}>
                  {d.label}
                </option>
              ))}
            </select>
            {appeals.data ? <span className="muted">всего {appeals.data.total.registered}, просрочено {appeals.data.total.overdue}</span> : null}
          </h2>
          {appeals.error ? <Refusal error={appeals.error} /> : null}
          <div className="chart-box">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={appealsData} layout="vertical" margin={{ top: 4, right: 8, bottom: 0, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                <XAxis type="number" fontSize={11} allowDecimals={false} />
                <YAxis type="category" dataKey="label" width={130} fontSize={11} />
                <Tooltip />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar dataKey="registered" name="поступило" fill="#1f6feb" isAnimationActive={false} />
                <Bar dataKey="overdue" name="просрочено" fill="#cf222e" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
        <div className="panel dash-risks">
          <h2>Сроки под угрозой</h2>
          {risks.error ? <Refusal error={risks.error} /> : null}
          <div className="scroll">
            <table>
              <tbody>
                {(risks.data?.items ?? []).map((a) => {
                  const risk = deadlineRiskOf(a, now);
                  return (
                    <tr key={a.id} data-testid="deadline-risk" data-appeal-id={a.id} data-risk={risk} className={`risk-${risk}`}>
                      <td>№ {a.number}</td>
                      <td>{typeNames.get(a.type) ?? a.type}</td>
                      {head && <td>{a.branch}</td>}
                      <td title={appealStatusName(a.status)}>
                        <b>{riskName(risk)}</b> · {deadlineText(a.deadlineAt, now)}
                      </td>
                    </tr>
                  );
                })}
                {risks.data && risks.data.items.length === 0 ? (
                  <tr>
                    <td className="muted">Все обращения в срок.</td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
        </div>
        <div className="panel dash-lost">
          <h2>Потерянные {period === 'day' ? 'сегодня' : 'за неделю'}</h2>
          {figures ? (
            <ul className="plain">
              <li>всего {formatCount(figures.lost.total)}, без номера {formatCount(figures.lost.withheldNumber)}</li>
              <li>перезвонили {formatCount(figures.lost.returned)}, ещё нет {formatCount(figures.lost.notReturned)}</li>
              <li>до перезвона: медиана {formatSeconds(figures.lost.returnMedianSeconds)}, 90 % — {formatSeconds(figures.lost.returnP90Seconds)}</li>
              <li>средний разговор {formatSeconds(figures.averageTalkSeconds)}, ожидание принятых {formatSeconds(figures.averageWaitAnsweredSeconds)}</li>
            </ul>
          ) : (
            <p className="muted">Нет данных.</p>
          )}
        </div>
      </div>
    </section>
  );
}

export function DashboardPage() {
  const caller = useCaller();
  return isSupervisor(caller.role) ? <SupervisorDashboard /> : <OperatorPanel />;
}
