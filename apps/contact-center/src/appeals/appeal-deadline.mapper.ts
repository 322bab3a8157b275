const hourMs = 3_600_000;

function localDateOf(instant: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant a local midnight of the zone falls on (a wall time given as UTC fields). */
function instantOfLocalMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  const guess = wall - offsetAt(new Date(wall), timeZone);
  // A second pass settles a midnight on the other side of an offset change.
  return new Date(wall - offsetAt(new Date(guess), timeZone));
}

/**
 * The regulation's deadline: the end of the `reviewDays`-th calendar day after the day of registration
 * in the region's zone (registered on 2 March with 10 days: answered by the end of 12 March, local time).
 */
export function deadlineOf(registeredAt: Date, reviewDays: number, timeZone: string): Date {
  const { year, month, day } = localDateOf(registeredAt, timeZone);
  return instantOfLocalMidnight(year, month, day + reviewDays + 1, timeZone);
}

/** When an open appeal is escalated: `hours` before its deadline (never before it was registered). */
export function escalationDueOf(registeredAt: Date, deadline: Date, hours: number): Date {
  return new Date(Math.max(registeredAt.getTime(), deadline.getTime() - hours * hourMs));
}

/** When the follow-up call is due after a resolution (or after a call that did not reach the applicant). */
export function followUpDueOf(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * hourMs);
}

/** The appeal's number: its year in the region's zone and its place in that year, `2026-000123`. */
export function appealNumberOf(year: number, sequence: number): string {
  return `${year}-${String(sequence).padStart(6, '0')}`;
}

export function yearOf(instant: Date, timeZone: string): number {
  return localDateOf(instant, timeZone).year;
}
