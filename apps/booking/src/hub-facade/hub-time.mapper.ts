import type { LocalDateTime } from '@medbus/hubservice';
import { epochMsToLocalDateTime, localDateTimeToEpochMs } from '@medbus/mis-adapter-kit';

/**
 * HubService carries clinic-local date-times without an offset (shared/domain/hubservice.md: "local
 * time of the region"). An organisation without a known zone is read in the region's zone; the
 * facade was built for Krasnodar krai, which keeps Moscow time all year.
 */
export const regionTimeZone = 'Europe/Moscow';

/** The zone to read an organisation's times in: its own when valid, the region's otherwise. */
export function zoneOf(timeZone: string | null | undefined): string {
  if (!timeZone) return regionTimeZone;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return timeZone;
  } catch {
    return regionTimeZone;
  }
}

/** The clinic-local `YYYY-MM-DDTHH:MM:SS` of an instant, as the wire carries it. */
export function toLocalDateTime(instant: Date, timeZone: string | null | undefined): LocalDateTime {
  return epochMsToLocalDateTime(Math.floor(instant.getTime() / 1000) * 1000, zoneOf(timeZone));
}

/** Midnight of the clinic-local day of an instant: how AvailableDateList names a day. */
export function toLocalDate(instant: Date, timeZone: string | null | undefined): LocalDateTime {
  return `${toLocalDateTime(instant, timeZone).slice(0, 10)}T00:00:00`;
}

const wireDateTime = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * The instant of a wire `xs:dateTime`. A value with an offset (`Z`, `+03:00`) is that instant, as a
 * WCF service converts a DateTime of another kind; one without is clinic-local in `timeZone`.
 * Undefined for a value that is not a date-time.
 */
export function toInstant(value: string, timeZone: string | null | undefined): Date | undefined {
  const match = wireDateTime.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const millis = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? '0'), millis);
  if (Number.isNaN(wall)) return undefined;
  if (offset === 'Z') return new Date(wall);
  if (offset) {
    const sign = offset.startsWith('-') ? -1 : 1;
    return new Date(wall - sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000);
  }
  const local = localDateTimeToEpochMs(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}`, zoneOf(timeZone));
  return local === undefined ? undefined : new Date(local + millis);
}

export interface Window {
  /** Inclusive. */
  readonly from: Date;
  /** Exclusive; undefined for no upper bound. */
  readonly to?: Date;
}

/**
 * The search window of GetAvailableDates / GetAvaibleAppointments. Never before `now`; a `visitEnd`
 * at midnight means the whole of that day, as clients pass bare dates; an unreadable bound is ignored.
 */
export function windowOf(visitStart: string | undefined, visitEnd: string | undefined, timeZone: string | null | undefined, now: Date): Window {
  const start = visitStart === undefined ? undefined : toInstant(visitStart, timeZone);
  const from = start && start > now ? start : now;
  if (visitEnd === undefined) return { from };
  const end = toInstant(visitEnd, timeZone);
  if (!end) return { from };
  const wholeDay = /T00:00(:00(\.0+)?)?$/.test(visitEnd);
  const to = wholeDay ? (toInstant(`${nextDay(visitEnd.slice(0, 10))}T00:00:00`, timeZone) ?? end) : new Date(end.getTime() + 1);
  return { from, to };
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
