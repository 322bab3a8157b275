const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Wall-clock fields of an instant in a zone, as if that wall clock were UTC. */
function wallClockAsUtc(epochMs: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(zone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

const QUARTER_HOUR_MS = 900_000;
const offsets = new Map<string, number>();

/**
 * Offset of the zone from UTC at an instant, in ms (Europe/Moscow: +3 h). formatToParts costs
 * microseconds and a region's resync converts millions of slot times, so offsets are kept per
 * zone and quarter hour (zones change offset on quarter-hour boundaries; a quarter whose two ends
 * differ is computed exactly, never kept).
 */
function offsetAt(epochMs: number, zone: string): number {
  const second = Math.floor(epochMs / 1000) * 1000;
  const quarter = Math.floor(second / QUARTER_HOUR_MS);
  const key = `${zone}|${quarter}`;
  const kept = offsets.get(key);
  if (kept !== undefined) return kept;
  const start = quarter * QUARTER_HOUR_MS;
  const end = start + QUARTER_HOUR_MS - 1000;
  const atStart = wallClockAsUtc(start, zone) - start;
  if (wallClockAsUtc(end, zone) - end !== atStart) return wallClockAsUtc(second, zone) - second;
  if (offsets.size >= 50_000) offsets.clear();
  offsets.set(key, atStart);
  return atStart;
}

/**
 * Epoch ms of a clinic-local date-time without offset (`2026-11-24T08:20:00`) in an IANA zone.
 * In a DST gap the later offset applies; in an overlap, the earlier instant. Returns undefined
 * for a string that is not a local date-time (one carrying an offset or `Z` included: the
 * vendor contract says local, and guessing would shift slots).
 */
export function localDateTimeToEpochMs(local: string, zone: string): number | undefined {
  const match = LOCAL_DATE_TIME.exec(local.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '0'] = match;
  const ms = Math.floor(Number(`0.${fraction}`) * 1000);
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(asUtc);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23) return undefined;
  const first = asUtc - offsetAt(asUtc, zone);
  const second = asUtc - offsetAt(first, zone);
  return Math.min(first, second);
}

/** The clinic-local date-time (`2026-11-24T08:20:00`) of an instant, to put on the wire. */
export function epochMsToLocalDateTime(epochMs: number, zone: string): string {
  return new Date(epochMs + offsetAt(epochMs, zone)).toISOString().slice(0, 19);
}
