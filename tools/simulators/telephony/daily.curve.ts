import { exponential, weightedIndex, type Random } from './simulation.random';

/**
 * Relative call intensity per local hour of a contact centre's day: quiet at night, peaks 9–11 and
 * 14–16, a lunch dip between them.
 */
export const hourlyWeights: readonly number[] = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 2, 6, 10, 11, 9.5, 7, 6.5, 8.5, 9, 8, 5.5, 3.5, 2, 1.2, 0.8, 0.5, 0.3,
];
const weightSum = hourlyWeights.reduce((a, b) => a + b, 0);

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in ms. */
export function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts['year']), Number(parts['month']) - 1, Number(parts['day']), Number(parts['hour']), Number(parts['minute']), Number(parts['second']));
  return wall - (at - (at % 1000));
}

/** The local hour (0–23) of an instant in a zone. */
export function localHour(at: number, timeZone: string): number {
  return new Date(at + zoneOffsetMs(at, timeZone)).getUTCHours();
}

/** The instant a local day (`2026-11-30`) starts in a zone. */
export function startOfLocalDay(day: string, timeZone: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) throw new Error('expected a day as YYYY-MM-DD');
  const wall = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const guess = wall - zoneOffsetMs(wall, timeZone);
  return wall - zoneOffsetMs(guess, timeZone);
}

/** Calls per second at an instant for a daily total. */
export function rateAt(at: number, callsPerDay: number, timeZone: string): number {
  return (callsPerDay * (hourlyWeights[localHour(at, timeZone)] ?? 0)) / weightSum / 3600;
}

/**
 * The next arrival of a Poisson process whose rate follows the curve, after `from`: exact because
 * the rate is constant within an hour and the process is memoryless at the hour's end.
 */
export function nextArrival(from: number, callsPerDay: number, timeZone: string, random: Random): number | undefined {
  if (callsPerDay <= 0) return undefined;
  let at = from;
  for (let hours = 0; hours < 24 * 8; hours++) {
    const rate = rateAt(at, callsPerDay, timeZone);
    const hourEnd = at - ((at + zoneOffsetMs(at, timeZone)) % 3_600_000) + 3_600_000;
    const next = rate > 0 ? at + exponential(random, 1 / rate) * 1000 : Infinity;
    if (next < hourEnd) return next;
    at = hourEnd;
  }
  return undefined;
}

/**
 * Exactly `calls` arrival instants over a local day, distributed by the curve (the order statistics
 * of a Poisson day conditioned on its count), sorted.
 */
export function arrivalsOfDay(calls: number, day: string, timeZone: string, random: Random): number[] {
  const start = startOfLocalDay(day, timeZone);
  const arrivals: number[] = [];
  for (let i = 0; i < calls; i++) {
    const hour = weightedIndex(random, hourlyWeights);
    arrivals.push(start + hour * 3_600_000 + Math.floor(random() * 3_600_000));
  }
  return arrivals.sort((a, b) => a - b);
}
