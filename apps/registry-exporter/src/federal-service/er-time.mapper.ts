import { epochMsToLocalDateTime, localDateTimeToEpochMs } from '@medbus/mis-adapter-kit';
import { InvalidErRequestError } from './federal-service.errors';

/** The zone an organisation without a known one is read in (the region's; booking's facade assumes the same). */
export const regionTimeZone = 'Europe/Moscow';

/** The longest schedule window GetScheduleInfo answers, in days after Start_Date (er-contract.md). */
export const maxWindowDays = 31;

function zoneOf(timeZone: string | null | undefined): string {
  if (!timeZone) return regionTimeZone;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return timeZone;
  } catch {
    return regionTimeZone;
  }
}

/** An instant as the clinic's wall clock with its offset, `2031-03-03T09:00:00+05:00`: the federal side shows it as is. */
export function clinicDateTime(instant: Date | string, timeZone: string | null | undefined): string {
  const epochMs = Math.floor(new Date(instant).getTime() / 1000) * 1000;
  const local = epochMsToLocalDateTime(epochMs, zoneOf(timeZone));
  const offsetMinutes = Math.round((Date.parse(`${local}Z`) - epochMs) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  return `${local}${sign}${hours}:${minutes}`;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** End_Date not before Start_Date and at most {@link maxWindowDays} after it; a day count, so checked before anything is looked up. */
export function checkWindowDays(startDate: string, endDate: string): void {
  if (endDate < startDate) throw new InvalidErRequestError('End_Date', 'must not be before Start_Date');
  if (endDate > addDays(startDate, maxWindowDays)) throw new InvalidErRequestError('End_Date', `must be at most ${maxWindowDays} days after Start_Date`);
}

export interface ScheduleWindow {
  /** Inclusive; never before now. */
  readonly from: Date;
  /** Exclusive: the clinic's midnight after End_Date. */
  readonly to: Date;
}

/**
 * The instants a GetScheduleInfo window of clinic-local days covers: from Start_Date's midnight (or
 * now, when later) to the midnight after End_Date, both in the clinic's zone. End_Date before
 * Start_Date, or more than {@link maxWindowDays} after it, is an invalid request naming End_Date.
 */
export function scheduleWindowOf(startDate: string, endDate: string, timeZone: string | null | undefined, now: Date): ScheduleWindow {
  checkWindowDays(startDate, endDate);
  const zone = zoneOf(timeZone);
  const start = localDateTimeToEpochMs(`${startDate}T00:00:00`, zone);
  const end = localDateTimeToEpochMs(`${addDays(endDate, 1)}T00:00:00`, zone);
  if (start === undefined) throw new InvalidErRequestError('Start_Date', 'not a date');
  if (end === undefined) throw new InvalidErRequestError('End_Date', 'not a date');
  return { from: new Date(Math.max(start, now.getTime())), to: new Date(end) };
}
