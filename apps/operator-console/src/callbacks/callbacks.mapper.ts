/** A call-back task as `GET v1/callbacks` lists it (callback-tasks.query.ts CallbackTaskView). */
export interface CallbackTask {
  readonly id: string;
  readonly branch: string;
  /** In clear for an operator of the task's branch, masked for everyone else. */
  readonly callerNumber: string;
  readonly status: string;
  readonly closeReason: string | null;
  readonly lostCalls: number;
  readonly firstLostAt: string;
  readonly lastLostAt: string;
  readonly createdAt: string;
  readonly assignedTo: string | null;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly closedAt: string | null;
}

export interface CallbackAttempt {
  readonly id: string;
  readonly startedAt: string;
  readonly startedBy: string | null;
  readonly outcome: string | null;
  readonly finishedAt: string | null;
}

/** `GET v1/callbacks/:id` (and the answer of a claim). */
export interface CallbackTaskDetail extends CallbackTask {
  readonly calls: readonly { uniqueid: string; queue: string; joinedAt: string; endedAt: string; waitSeconds: number }[];
  readonly attemptLog: readonly CallbackAttempt[];
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** One line of the queue, whichever list it came from. */
export interface QueueRow {
  readonly taskId: string;
  readonly branch: string;
  readonly status: string;
  readonly callerNumber: string;
  readonly lostCalls: number;
  readonly attempts: number;
  /** The oldest lost call of the task. */
  readonly firstLostAt: string;
  readonly assignedTo: string | null;
  readonly nextAttemptAt: string | null;
}

export function rowOfTask(task: CallbackTask): QueueRow {
  return {
    taskId: task.id,
    branch: task.branch,
    status: task.status,
    callerNumber: task.callerNumber,
    lostCalls: task.lostCalls,
    attempts: task.attempts,
    firstLostAt: task.firstLostAt,
    assignedTo: task.assignedTo,
    nextAttemptAt: task.nextAttemptAt,
  };
}

const statusNames: Record<string, string> = {
  OPEN: 'Ждёт перезвона',
  DIALLING: 'Идёт набор',
  DONE: 'Закрыт',
  UNREACHED: 'Не дозвонились',
};

export const callbackStatusName = (status: string): string => statusNames[status] ?? status;

const closeReasons: Record<string, string> = {
  REACHED: 'перезвонили',
  CALLED_AGAIN: 'позвонил сам',
  INVALID_NUMBER: 'неверный номер',
};

export const closeReasonName = (reason: string | null): string => (reason === null ? '' : (closeReasons[reason] ?? reason));

const outcomes: Record<string, string> = {
  ANSWERED: 'Дозвонились: абонент ответил',
  NO_ANSWER: 'Не ответил',
  BUSY: 'Занято',
  CONGESTED: 'Сеть перегружена',
  NO_SUCH_NUMBER: 'Номер не существует',
  FAILED: 'Вызов не состоялся (сбой АТС)',
};

export const attemptOutcomeName = (outcome: string): string => outcomes[outcome] ?? outcome;

/** Where the attempt this operator started stands: still dialling, or ended with an outcome. */
export type AttemptState = { readonly kind: 'dialling' } | { readonly kind: 'ended'; readonly outcome: string; readonly text: string; readonly reached: boolean };

export function attemptStateOf(task: Pick<CallbackTaskDetail, 'attemptLog'>, attemptId: string): AttemptState {
  const attempt = task.attemptLog.find((a) => a.id === attemptId);
  if (!attempt || attempt.outcome === null) return { kind: 'dialling' };
  return { kind: 'ended', outcome: attempt.outcome, text: attemptOutcomeName(attempt.outcome), reached: attempt.outcome === 'ANSWERED' };
}

/** "45 с", "12 мин", "3 ч 05 мин", "2 дн 4 ч": an age an operator reads at a glance. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} с`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} мин`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} ч ${String(minutes % 60).padStart(2, '0')} мин`;
  return `${Math.floor(hours / 24)} дн ${hours % 24} ч`;
}

export function ageSecondsOf(at: string, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - Date.parse(at)) / 1000));
}

const moscowTime = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });

/** "29.11, 22:05" in the region's time (Europe/Moscow), whatever the browser's zone. */
export const formatMoscow = (at: string): string => moscowTime.format(new Date(at));

/** A list of tasks read so far, oldest lost call first, and whether the API has more after it. */
export interface TaskStream {
  readonly items: readonly CallbackTask[];
  readonly more: boolean;
}

const keyOf = (task: CallbackTask): string => `${task.firstLostAt}|${task.id}`;

/**
 * The tasks of several statuses as one queue, oldest lost call first (the API's order, by first lost
 * call then id). A list with more pages may still hold tasks older than what the others have shown, so the
 * queue stops at the earliest last task of such a list: nothing is shown out of order, the rest comes with
 * the next pages.
 */
export function mergedQueue(streams: readonly TaskStream[]): CallbackTask[] {
  const seen = new Map<string, CallbackTask>();
  for (const stream of streams) for (const task of stream.items) seen.set(task.id, task);
  const bounds = streams.filter((s) => s.more && s.items.length > 0).map((s) => keyOf(s.items[s.items.length - 1] as CallbackTask));
  const bound = bounds.length > 0 ? bounds.reduce((a, b) => (b < a ? b : a)) : null;
  return [...seen.values()].filter((task) => bound === null || keyOf(task) <= bound).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}
