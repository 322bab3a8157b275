import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useCaller } from '../api/session.context';
import { useCallBack, useCallbackTask, useCallbackTasks, useUnreturnedTasks, type QueueFilter } from './callbacks.query';
import { ageSecondsOf, attemptStateOf, callbackStatusName, closeReasonName, formatAge, formatMoscow, rowOfTask, type QueueRow } from './callbacks.mapper';
import { Refusal } from '../api/refusal.view';
import { useReachedBranches } from '../dashboard/dashboard.query';
import './callbacks.css';

const filters: readonly { value: QueueFilter; label: string }[] = [
  { value: 'UNRETURNED', label: 'Невозвращённые (открыт, набор, не дозвонились)' },
  { value: 'OPEN', label: 'Ждут перезвона' },
  { value: 'DIALLING', label: 'Идёт набор' },
  { value: 'UNREACHED', label: 'Не дозвонились' },
  { value: 'DONE', label: 'Закрытые' },
  { value: 'ALL', label: 'Все' },
];

/** A second's clock for the ages on screen (the lists themselves are read every few seconds). */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), 1_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

interface Calling {
  readonly taskId: string;
  readonly attemptId: string;
}

/** A task this operator called back in this session: it stays on screen with the outcome, even once closed. */
function CalledRow({ calling, now, showBranch }: { calling: Calling; now: Date; showBranch: boolean }) {
  const { data: task, error } = useCallbackTask(calling.taskId, calling.attemptId);
  const state = task ? attemptStateOf(task, calling.attemptId) : { kind: 'dialling' as const };
  return (
    <tr className="callback-row called" data-testid="callback-row" data-task-id={calling.taskId} data-status={task?.status ?? 'DIALLING'} tabIndex={0}>
      <td title={task?.closedAt ? 'от потери до закрытия' : undefined}>{task ? formatAge(ageSecondsOf(task.firstLostAt, task.closedAt ? new Date(task.closedAt) : now)) : '…'}</td>
      {showBranch && <td>{task?.branch ?? ''}</td>}
      <td>{task?.callerNumber ?? ''}</td>
      <td>{task?.lostCalls ?? ''}</td>
      <td>
        {task ? callbackStatusName(task.status) : ''} {task?.closeReason ? <span className="muted">({closeReasonName(task.closeReason)})</span> : null}
      </td>
      <td>{task?.attempts ?? ''}</td>
      <td colSpan={2}>
        {error ? (
          <Refusal error={error} />
        ) : (
          <span
            data-testid="callback-result"
            data-outcome={state.kind === 'ended' ? state.outcome : ''}
            className={state.kind === 'dialling' ? 'dialling' : state.reached ? 'ok' : 'refusal'}
            aria-live="polite"
          >
            {state.kind === 'dialling' ? 'Идёт набор: возьмите трубку, АТС соединит с абонентом…' : state.text}
          </span>
        )}
      </td>
    </tr>
  );
}

export function CallbacksPage() {
  const caller = useCaller();
  const operator = caller.role === 'OPERATOR';
  const showBranch = caller.role === 'HEAD_SUPERVISOR';
  const now = useNow();
  const [filter, setFilter] = useState<QueueFilter>('UNRETURNED');
  const [called, setCalled] = useState<readonly Calling[]>([]);
  const [branch, setBranch] = useState('');
  const branches = useReachedBranches();
  const unreturned = useUnreturnedTasks(branch, filter === 'UNRETURNED');
  const tasks = useCallbackTasks(filter === 'UNRETURNED' ? 'ALL' : filter, branch, filter !== 'UNRETURNED');
  const callBack = useCallBack();
  const [failed, setFailed] = useState<{ taskId: string; error: unknown } | null>(null);
  const tableRef = useRef<HTMLTableSectionElement>(null);

  const list = filter === 'UNRETURNED' ? unreturned : tasks;
  const calledIds = new Set(called.map((c) => c.taskId));
  const rows: QueueRow[] = (filter === 'UNRETURNED' ? unreturned.items : (tasks.data?.pages ?? []).flatMap((p) => p.items)).map(rowOfTask).filter((row) => !calledIds.has(row.taskId));

  const start = (row: QueueRow) => {
    if (!operator || callBack.isPending || (row.status !== 'OPEN' && row.status !== 'UNREACHED')) return;
    setFailed(null);
    callBack.mutate(row.taskId, {
      onSuccess: ({ taskId, attemptId }) => setCalled((list) => [{ taskId, attemptId }, ...list.filter((c) => c.taskId !== taskId)]),
      onError: (error) => setFailed({ taskId: row.taskId, error }),
    });
  };

  /** Enter calls the focused row back; arrows move along the queue. */
  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, row: QueueRow) => {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      start(row);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const sibling = event.key === 'ArrowDown' ? event.currentTarget.nextElementSibling : event.currentTarget.previousElementSibling;
      if (sibling instanceof HTMLElement) sibling.focus();
    }
  };

  const focusFirst = () => tableRef.current?.querySelector<HTMLElement>('tr[tabindex]')?.focus();

  return (
    <section className="page callbacks-page">
      <div className="panel row callbacks-head">
        <h2>Перезвоны по потерянным звонкам</h2>
        <label>
          Показать{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value as QueueFilter)} title="Alt+F" accessKey="f">
            {filters.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        {showBranch ? (
          <select value={branch} onChange={(e) => setBranch(e.target.value)} aria-label="Филиал">
            <option value="">все филиалы</option>
            {branches.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        ) : null}
        <button type="button" onClick={focusFirst} title="Alt+Q: к первому в очереди" accessKey="q">
          К очереди
        </button>
        <span className="muted">
          {operator ? 'Enter на строке — перезвонить; ↑/↓ — по очереди. Старые потери — сверху.' : 'Просмотр: перезванивают операторы филиала.'}
        </span>
      </div>
      {failed && <Refusal error={failed.error} />}
      {list.error && <Refusal error={list.error} />}
      <div className="panel callbacks-table">
        <table>
          <thead>
            <tr>
              <th>Ждёт</th>
              {showBranch && <th>Филиал</th>}
              <th>Номер</th>
              <th>Потерь</th>
              <th>Состояние</th>
              <th>Попыток</th>
              <th>Потерян</th>
              <th></th>
            </tr>
          </thead>
          <tbody ref={tableRef}>
            {called.map((c) => (
              <CalledRow key={c.taskId} calling={c} now={now} showBranch={showBranch} />
            ))}
            {rows.map((row) => (
              <tr key={row.taskId} className="callback-row" data-testid="callback-row" data-task-id={row.taskId} data-status={row.status} tabIndex={0} onKeyDown={(e) => onRowKey(e, row)}>
                <td>{formatAge(ageSecondsOf(row.firstLostAt, now))}</td>
                {showBranch && <td>{row.branch}</td>}
                <td>{row.callerNumber}</td>
                <td>{row.lostCalls}</td>
                <td>
                  {callbackStatusName(row.status)}
                  {row.assignedTo ? <span className="muted"> · взял {row.assignedTo === caller.clientId ? 'я' : 'другой оператор'}</span> : null}
                </td>
                <td>{row.attempts}</td>
                <td>{formatMoscow(row.firstLostAt)}</td>
                <td>
                  {operator && (row.status === 'OPEN' || row.status === 'UNREACHED') && (
                    <button type="button" className="primary" data-testid="callback-call" disabled={callBack.isPending} onClick={() => start(row)} title="Enter на строке">
                      Перезвонить
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {!list.isLoading && rows.length === 0 && called.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  Нет потерянных звонков в этом отборе.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {list.isLoading && <p className="muted">Загрузка…</p>}
        {list.hasNextPage && (
          <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            Ещё
          </button>
        )}
      </div>
    </section>
  );
}
