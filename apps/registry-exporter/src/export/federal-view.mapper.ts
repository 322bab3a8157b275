import type { FerChannel, FerLocation, FerSlot } from '@medbus/federal-registry';
import type { LocationView, SlotView } from './federal-view.query';

/** A stored location view with its key and Version, as the federal contract's Location (absent optional elements omitted). */
export function ferLocationOf(locationId: string, view: LocationView, version: number): FerLocation {
  return {
    Location_Id: locationId,
    MO_OID: view.MO_OID,
    ...(view.Department_OID === null ? {} : { Department_OID: view.Department_OID }),
    Doctor_SNILS: view.Doctor_SNILS,
    Doctor_Name: view.Doctor_Name ?? '',
    Specialty_Code: view.Specialty_Code,
    ...(view.Position_Code === null ? {} : { Position_Code: view.Position_Code }),
    ...(view.Room === null ? {} : { Room: view.Room }),
    Channels: { Channel: view.Channels as FerChannel[] },
    Version: version,
  };
}

/** A stored slot view with its key and Version, its times written with the clinic's UTC offset. */
export function ferSlotOf(slotId: string, view: SlotView, version: number, timeZone: string | null): FerSlot {
  return {
    Slot_Id: slotId,
    Location_Id: view.Location_Id,
    MO_OID: view.MO_OID,
    Visit_Start: dateTimeWithOffset(view.Visit_Start, timeZone),
    Visit_End: dateTimeWithOffset(view.Visit_End, timeZone),
    ...(view.Room === null ? {} : { Room: view.Room }),
    Status: view.Status,
    Version: version,
  };
}

const offsetFormats = new Map<string, Intl.DateTimeFormat | null>();
const offsetCache = new Map<string, number>();
// Zones change offset only on quarter hours; a region's slots fall on few of them.
const offsetBucketMs = 15 * 60_000;

/** Minutes east of UTC of `zone` at `epochMs`; 0 for an unknown zone. */
export function utcOffsetMinutes(epochMs: number, zone: string): number {
  const key = `${zone}\u0000${Math.floor(epochMs / offsetBucketMs)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  let format = offsetFormats.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      format = null;
    }
    offsetFormats.set(zone, format);
  }
  const name = format?.formatToParts(new Date(epochMs)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  const minutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  if (offsetCache.size > 10_000) offsetCache.clear();
  offsetCache.set(key, minutes);
  return minutes;
}

/** xs:dateTime with the zone's offset at that instant, e.g. `2026-03-02T08:00:00+03:00` (UTC when the zone is unknown). */
export function dateTimeWithOffset(epochMs: number, zone: string | null): string {
  const offset = zone === null ? 0 : utcOffsetMinutes(epochMs, zone);
  const local = new Date(epochMs + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const optional = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);

/** Whether the federal side holds a location with the content of `view` (Version aside). */
export function sameLocation(held: FerLocation, view: LocationView): boolean {
  return (
    held.MO_OID === view.MO_OID &&
    optional(held.Department_OID) === view.Department_OID &&
    held.Doctor_SNILS === view.Doctor_SNILS &&
    held.Doctor_Name === (view.Doctor_Name ?? '') &&
    held.Specialty_Code === view.Specialty_Code &&
    optional(held.Position_Code) === view.Position_Code &&
    optional(held.Room) === view.Room &&
    [...held.Channels.Channel].sort().join(',') === [...view.Channels].sort().join(',')
  );
}

/** Whether the federal side holds a slot with the content of `view` (Version aside; times compared as instants). */
export function sameSlot(held: FerSlot, view: SlotView): boolean {
  return (
    held.Location_Id === view.Location_Id &&
    held.MO_OID === view.MO_OID &&
    Date.parse(held.Visit_Start) === view.Visit_Start &&
    Date.parse(held.Visit_End) === view.Visit_End &&
    optional(held.Room) === view.Room &&
    held.Status === view.Status
  );
}

/**
 * How long to wait after the `failures`-th failed call in a row: 1 s doubling up to `maxMs`, with
 * ±20 % jitter so instances that lost the federal side together do not come back in step.
 */
export function retryDelayMs(failures: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 1_000 * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return Math.min(maxMs, Math.round(base * (0.8 + random() * 0.4)));
}

/**
 * Spaces the calls of one process evenly, at most `perSecond` a second: each call takes the next
 * free moment and is told how long to wait for it. Pure over the time it is given.
 */
export class CallPacer {
  private nextAt = 0;

  constructor(private readonly perSecond: number) {}

  /** Reserves the next moment a call may start at and returns how long from `nowMs` that is. */
  reserve(nowMs: number): number {
    const at = Math.max(nowMs, this.nextAt);
    this.nextAt = at + 1_000 / this.perSecond;
    return at - nowMs;
  }
}

/** A reason the federal side gave, fit to keep: any run of 11 digits (a SNILS, however punctuated) masked, and short. */
export function safeReason(reason: string | undefined): string | null {
  if (reason === undefined || reason === '') return null;
  return reason.replace(/\d(?:[\s-]?\d){10,}/g, '***').slice(0, 300);
}
