import type { BookingChannel, SlotStatus } from '@medbus/contracts';
import { localDateTimeToEpochMs, resourceIdOf, slotIdOf, type DataQualityIssue, type Mapped, type SlotState, type SlotWindow } from '@medbus/mis-adapter-kit';
import type { DumpDay, DumpTicket, TicketState } from './dump/dump.types';

/** `busy` is booked (by anyone: the front desk, another channel, us); `closed` is blocked by the clinic (a sick day). */
export const slotStatusOf = { free: 'FREE', busy: 'BOOKED', closed: 'BLOCKED' } as const satisfies Record<TicketState, SlotStatus>;

/** Whose the tickets of a Day are: the clinic (its OID and zone) and the doctor's code. */
export interface DayOwner {
  readonly organisationOid: string;
  readonly timeZone: string;
  readonly doctorCode: string;
}

/**
 * A ticket of a Day as a slot. The vendor sends a clinic-local date and `HH:MM` with a length in
 * minutes; the clinic's zone (its Clinic element's `tz`) turns them into instants.
 */
export function toSlotState(ticket: DumpTicket, date: string, owner: DayOwner, bookingChannels: readonly BookingChannel[]): Mapped<SlotState> {
  const slotId = slotIdOf(owner.organisationOid, ticket.id);
  const startsAt = localDateTimeToEpochMs(`${date}T${ticket.time}:00`, owner.timeZone);
  if (startsAt === undefined) return { issues: [{ kind: 'invalid_value', entity: `slot ${slotId}`, field: 'time' }] };
  return {
    value: {
      slotId,
      localSlotId: ticket.id,
      organisationOid: owner.organisationOid,
      resourceId: resourceIdOf(owner.organisationOid, owner.doctorCode),
      localResourceId: owner.doctorCode,
      startsAt,
      endsAt: startsAt + ticket.minutes * 60_000,
      status: slotStatusOf[ticket.state],
      bookingChannels: [...bookingChannels],
      room: ticket.room?.trim() || null,
    },
    issues: [],
  };
}

/** Every ticket of a Day that can be published, and what was wrong with the others. */
export function toDaySlots(day: DumpDay, owner: DayOwner, bookingChannels: readonly BookingChannel[]): { readonly slots: SlotState[]; readonly issues: DataQualityIssue[] } {
  const slots: SlotState[] = [];
  const issues: DataQualityIssue[] = [];
  for (const ticket of day.tickets) {
    const mapped = toSlotState(ticket, day.date, owner, bookingChannels);
    issues.push(...mapped.issues);
    if (mapped.value) slots.push(mapped.value);
  }
  return { slots, issues };
}

/** The clinic-local date after `date` (`YYYY-MM-DD`). */
export function nextDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, (day ?? 1) + 1)).toISOString().slice(0, 10);
}

/** The instants a clinic-local day spans: from its midnight to the next day's (23 or 25 hours on a DST change). */
export function dayWindowOf(resourceId: string, date: string, timeZone: string): SlotWindow | undefined {
  const fromMs = localDateTimeToEpochMs(`${date}T00:00:00`, timeZone);
  const toMs = localDateTimeToEpochMs(`${nextDate(date)}T00:00:00`, timeZone);
  return fromMs === undefined || toMs === undefined ? undefined : { resourceId, fromMs, toMs };
}

/**
 * A full dump's window of a doctor: everything, since a full dump is the MIS's whole schedule. A
 * slot it no longer lists is gone whatever its day: one before the dump's first day that is still
 * ahead (the MIS closed a day early), one beyond its last. Slots that have passed are forgotten, not removed.
 */
export function wholeScheduleOf(resourceId: string): SlotWindow {
  return { resourceId, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER };
}
