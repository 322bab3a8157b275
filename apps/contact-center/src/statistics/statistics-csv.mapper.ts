import type { AppealFigures, AppealStatistics } from '../appeals/appeal-statistics.query';
import type { BranchCallFigures, CallFigures } from './call-statistics.query';
import type { LiveQueueFigures, LiveStatistics } from './statistics.service';

export type CsvCell = string | number | boolean | null;

/** Excel reads a UTF-8 file as UTF-8 only when it starts with a byte-order mark. */
export const csvByteOrderMark = '\uFEFF';

const needsQuotes = /[",\r\n]/;
// A text cell Excel would run as a formula (an organisation's name from the bus could be one).
const formulaStart = /^[=+\-@\t\r]/;

function cellOf(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = formulaStart.test(value) ? `'${value}` : value;
  return needsQuotes.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * RFC 4180: comma-separated, CRLF after every record, a field quoted when it holds a comma, a quote or
 * a line break (quotes doubled); the header first; the byte-order mark before it. Decimal point is '.'.
 */
export function csvOf(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return csvByteOrderMark + [header, ...rows].map((row) => `${row.map(cellOf).join(',')}\r\n`).join('');
}

/** The call figures as CSV columns, in the order of the header. */
const callFigureColumns: readonly (readonly [string, (f: CallFigures) => CsvCell])[] = [
  ['offered', (f) => f.offered],
  ['answered', (f) => f.answered],
  ['abandoned', (f) => f.abandoned],
  ['answered_within_service_level', (f) => f.answeredWithinServiceLevel],
  ['service_level_percent', (f) => f.serviceLevelPercent],
  ['average_wait_seconds', (f) => f.averageWaitSeconds],
  ['p90_wait_seconds', (f) => f.p90WaitSeconds],
  ['max_wait_seconds', (f) => f.maxWaitSeconds],
  ['average_wait_answered_seconds', (f) => f.averageWaitAnsweredSeconds],
  ['average_talk_seconds', (f) => f.averageTalkSeconds],
  ['wait_share_percent', (f) => f.waitTalkRatio?.wait ?? null],
  ['talk_share_percent', (f) => f.waitTalkRatio?.talk ?? null],
  ['lost_withheld_number', (f) => f.lost.withheldNumber],
  ['lost_returned', (f) => f.lost.returned],
  ['lost_not_returned', (f) => f.lost.notReturned],
  ['return_median_seconds', (f) => f.lost.returnMedianSeconds],
  ['return_p90_seconds', (f) => f.lost.returnP90Seconds],
];

/** One record per row: its day, `branch` or `consolidated`, the branch (empty when consolidated), then the figures. */
export function callFiguresCsv(rows: readonly BranchCallFigures[]): string {
  return csvOf(
    ['date', 'scope', 'branch', ...callFigureColumns.map(([name]) => name)],
    rows.map((row) => [row.date, row.branch === null ? 'consolidated' : 'branch', row.branch, ...callFigureColumns.map(([, value]) => value(row.figures))]),
  );
}

const queueColumns: readonly (readonly [string, (q: LiveQueueFigures) => CsvCell])[] = [
  ['waiting', (q) => q.waiting],
  ['longest_wait_seconds', (q) => q.longestWaitSeconds],
  ['operators_logged_in', (q) => q.operators.loggedIn],
  ['operators_available', (q) => q.operators.available],
  ['operators_paused', (q) => q.operators.paused],
  ['operators_talking', (q) => q.operators.talking],
];

const quiet: LiveQueueFigures = { waiting: 0, longestWaitSeconds: 0, operators: { loggedIn: 0, available: 0, paused: 0, talking: 0 } };

/** The wallboard: one record per branch (the queues now, then today's figures as `today_*`), then all of them. */
export function liveCsv(live: LiveStatistics): string {
  const names = [...new Set([...live.queues.branches.map((b) => b.branch), ...live.today.branches.map((b) => b.branch)])].sort();
  const record = (scope: string, branch: string | null, queues: LiveQueueFigures, today: CallFigures | undefined): CsvCell[] => [
    live.asOf,
    scope,
    branch,
    ...queueColumns.map(([, value]) => value(queues)),
    ...callFigureColumns.map(([, value]) => (today === undefined ? null : value(today))),
  ];
  return csvOf(
    ['as_of', 'scope', 'branch', ...queueColumns.map(([name]) => name), ...callFigureColumns.map(([name]) => `today_${name}`)],
    [
      ...names.map((name) => record('branch', name, live.queues.branches.find((b) => b.branch === name) ?? quiet, live.today.branches.find((b) => b.branch === name))),
      record('consolidated', null, live.queues.consolidated, live.today.consolidated),
    ],
  );
}

const appealFigureColumns: readonly (readonly [string, (f: AppealFigures) => CsvCell])[] = [
  ['registered', (f) => f.registered],
  ['resolved', (f) => f.resolved],
  ['closed', (f) => f.closed],
  ['escalated', (f) => f.escalated],
  ['overdue', (f) => f.overdue],
  ['resolved_within_deadline', (f) => f.resolvedWithinDeadline],
  ['follow_ups_done', (f) => f.followUpsDone],
  ['satisfied', (f) => f.satisfied],
];

/** One record per key of the dimension (`scope` = the dimension; an empty key: appeals without one), then the total. */
export function appealFiguresCsv(by: string, statistics: AppealStatistics): string {
  const figures = (f: AppealFigures) => appealFigureColumns.map(([, value]) => value(f));
  return csvOf(
    ['scope', 'key', 'name', ...appealFigureColumns.map(([name]) => name)],
    [...statistics.rows.map((row) => [by, row.key, row.name, ...figures(row)]), ['total', null, null, ...figures(statistics.total)]],
  );
}
