import { z } from 'zod';
import { AppealDimension } from '../appeals/appeal-statistics.query';
import { InvalidStatisticsQueryError } from './statistics.errors';
import { addDays, daySpan, daysBetween, inclusiveSpan, isCalendarDay, isoWeekSpan, maxSpanDays, startOfDay, type DaySpan } from './statistics-period.mapper';

const day = z.string().refine(isCalendarDay, 'must be a calendar day YYYY-MM-DD');
/** A branch id as the PBX's queues name them (calls.config.ts: CC_QUEUE_BRANCHES). */
const branch = z.string().regex(/^[A-Za-z0-9_.-]{1,80}$/, 'must be a branch id');
const format = z.enum(['json', 'csv']).optional();

export const liveQuerySchema = z.object({ branch: branch.optional(), format }).strict();

/** `period` (+ `date`, default today) or `from` and `to`, both days counted. */
export const callsQuerySchema = z
  .object({ period: z.enum(['day', 'week']).optional(), date: day.optional(), from: day.optional(), to: day.optional(), branch: branch.optional(), format })
  .strict()
  .refine((q) => (q.from === undefined && q.to === undefined) || (q.period === undefined && q.date === undefined), 'give either period and date, or from and to')
  .refine((q) => (q.from === undefined) === (q.to === undefined), 'from and to go together');

export const dailyQuerySchema = z.object({ from: day, to: day, branch: branch.optional(), format }).strict();

const dayOrInstant = z.union([day, z.string().datetime({ offset: true })], { errorMap: () => ({ message: 'must be a calendar day YYYY-MM-DD or an ISO 8601 instant with its offset' }) });

/** Appeals registered from `from` to `to` (days: both counted; instants: `to` excluded), by one dimension (default: type). */
export const appealsQuerySchema = z
  .object({ from: dayOrInstant, to: dayOrInstant, branch: branch.optional(), by: z.nativeEnum(AppealDimension).default(AppealDimension.type), format })
  .strict();

export function parsed<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidStatisticsQueryError(result.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`));
  return result.data;
}

/** `from`..`to` as a span, refused when it runs backwards or past a quarter. */
export function rangeOf(from: string, to: string): DaySpan {
  const span = inclusiveSpan(from, to);
  const days = daysBetween(span.from, span.until);
  if (days < 1) throw new InvalidStatisticsQueryError(['to: must not be before from']);
  if (days > maxSpanDays) throw new InvalidStatisticsQueryError([`to: a range covers at most ${maxSpanDays} days`]);
  return span;
}

/** Instants [startsAt, endsAt): a day given begins at its midnight in `timeZone`, and `to` as a day is counted whole. */
export function instantRangeOf(from: string, to: string, timeZone: string): { readonly startsAt: Date; readonly endsAt: Date } {
  const startsAt = isCalendarDay(from) ? startOfDay(from, timeZone) : new Date(from);
  const endsAt = isCalendarDay(to) ? startOfDay(addDays(to, 1), timeZone) : new Date(to);
  if (endsAt <= startsAt) throw new InvalidStatisticsQueryError(['to: must be after from']);
  // A day may last 25 hours where the clocks go back.
  if (endsAt.getTime() - startsAt.getTime() > maxSpanDays * 86_400_000 + 3_600_000) throw new InvalidStatisticsQueryError([`to: a range covers at most ${maxSpanDays} days`]);
  return { startsAt, endsAt };
}

/** The span a calls request asks for; `today` is the region's current day. */
export function callsSpanOf(query: z.output<typeof callsQuerySchema>, today: string): DaySpan {
  if (query.from !== undefined && query.to !== undefined) return rangeOf(query.from, query.to);
  const date = query.date ?? today;
  return query.period === 'week' ? isoWeekSpan(date) : daySpan(date);
}

/**
 * CSV when `format=csv`, JSON when `format=json`; otherwise CSV when the Accept header names text/csv
 * before (or without) application/json.
 */
export function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const types = (accept ?? '').split(',').map((entry) => entry.split(';')[0]?.trim().toLowerCase());
  const csv = types.indexOf('text/csv');
  const json = types.indexOf('application/json');
  return csv >= 0 && (json < 0 || csv < json);
}
