/** Calendar days in the region's time zone, [from, until): `until` is the day after the last one counted. */
export interface DaySpan {
  readonly from: string;
  readonly until: string;
}

/** The longest span a statistics request may cover (a quarter). */
export const maxSpanDays = 93;

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const dayMs = 86_400_000;

/**
 * The last day a request may name: the day after it and its ISO week still have four-digit years (from
 * 9999-12-31 the next day was "+010000-01", which PostgreSQL refused: a 500).
 */
const lastDay = '9998-12-31';

/** Whether `value` is a real calendar day written YYYY-MM-DD (not 2026-02-30), no later than {@link lastDay}. */
export function isCalendarDay(value: string): boolean {
  const match = dayPattern.exec(value);
  if (!match || value > lastDay) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

function utcOf(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

function dayOf(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return dayOf(utcOf(day) + days * dayMs);
}

/** Days from `from` to `until`, `until` excluded. */
export function daysBetween(from: string, until: string): number {
  return Math.round((utcOf(until) - utcOf(from)) / dayMs);
}

/** The calendar day an instant falls on in `timeZone`. */
export function localDayOf(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export function daySpan(day: string): DaySpan {
  return { from: day, until: addDays(day, 1) };
}

/** The ISO week (Monday to Sunday) that holds `day`. */
export function isoWeekSpan(day: string): DaySpan {
  const sinceMonday = (new Date(utcOf(day)).getUTCDay() + 6) % 7;
  const monday = addDays(day, -sinceMonday);
  return { from: monday, until: addDays(monday, 7) };
}

/** `from` to `to`, both days counted (as a supervisor says "1 to 31 March"). */
export function inclusiveSpan(from: string, to: string): DaySpan {
  return { from, until: addDays(to, 1) };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms. */
function offsetMsAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a calendar day begins in `timeZone`, as Postgres' `day::timestamp AT TIME ZONE zone`
 * gives it: where midnight is skipped or repeated by a change of offset, the later instant.
 */
export function startOfDay(day: string, timeZone: string): Date {
  const wall = utcOf(day);
  const first = wall - offsetMsAt(wall, timeZone);
  const second = wall - offsetMsAt(first, timeZone);
  const valid = [first, second].filter((instant) => offsetMsAt(instant, timeZone) === wall - instant);
  return new Date(valid.length === 1 ? (valid[0] as number) : Math.max(first, second));
}
