import type { BookingChannel } from '@medbus/contracts';
import { localDateTimeToEpochMs, slotIdOf, type ResourceState, type SlotState, type SlotWindow } from '@medbus/mis-adapter-kit';
import { InboundCode } from './inbound.errors';
import type { FieldError, SlotBody, SlotRange } from './inbound-request.mapper';

export type MappedSlots =
  | { readonly window: SlotWindow; readonly states: SlotState[] }
  | { readonly refused: typeof InboundCode.invalidBody | typeof InboundCode.slotOutsideRange; readonly fields: FieldError[] };

/** The day after a calendar date. */
function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + 1)).toISOString().slice(0, 10);
}

/** The instants of a range of clinic-local days: from the first day's midnight to the midnight after the last. */
export function windowOf(resourceId: string, range: SlotRange, zone: string): SlotWindow | undefined {
  const fromMs = localDateTimeToEpochMs(`${range.from}T00:00`, zone);
  const toMs = localDateTimeToEpochMs(`${nextDay(range.to)}T00:00`, zone);
  return fromMs === undefined || toMs === undefined ? undefined : { resourceId, fromMs, toMs };
}

/**
 * A resource's slots as the MIS pushed them for a range of clinic-local days, read in the
 * organisation's zone. Refused whole, naming each field: a time that is not one (`2026-02-30T08:00`,
 * an end not after its start), or a slot whose start is outside the range (the push states the range
 * exactly, so a slot outside it is the MIS's mistake, not something to remove or keep).
 * A slot's channels are those the region allows for the specialty, narrowed to the MIS's own when it sends them.
 */
export function toSlotStates(resource: ResourceState, range: SlotRange, listed: readonly SlotBody[], zone: string, allowed: readonly BookingChannel[]): MappedSlots {
  const window = windowOf(resource.resourceId, range, zone);
  if (!window) return { refused: InboundCode.invalidBody, fields: [{ path: '(query)', message: 'the range is not a range of days in the organisation’s zone' }] };
  const invalid: FieldError[] = [];
  const outside: FieldError[] = [];
  const states: SlotState[] = [];
  listed.forEach((slot, index) => {
    const startsAt = localDateTimeToEpochMs(slot.start, zone);
    const endsAt = localDateTimeToEpochMs(slot.end, zone);
    if (startsAt === undefined) invalid.push({ path: `slots.${index}.start`, message: 'must be a real clinic-local time' });
    if (endsAt === undefined) invalid.push({ path: `slots.${index}.end`, message: 'must be a real clinic-local time' });
    if (startsAt === undefined || endsAt === undefined) return;
    if (endsAt <= startsAt) invalid.push({ path: `slots.${index}.end`, message: 'must be after start' });
    const day = slot.start.slice(0, 10);
    if (day < range.from || day > range.to) outside.push({ path: `slots.${index}.start`, message: `must fall within ${range.from} to ${range.to}` });
    states.push({
      slotId: slotIdOf(resource.organisationOid, slot.localId),
      localSlotId: slot.localId,
      organisationOid: resource.organisationOid,
      resourceId: resource.resourceId,
      localResourceId: resource.localResourceId,
      startsAt,
      endsAt,
      status: slot.status,
      bookingChannels: slot.channels ? allowed.filter((channel) => slot.channels?.includes(channel)) : [...allowed],
      room: slot.room ?? null,
    });
  });
  if (invalid.length > 0) return { refused: InboundCode.invalidBody, fields: invalid.slice(0, 50) };
  if (outside.length > 0) return { refused: InboundCode.slotOutsideRange, fields: outside.slice(0, 50) };
  return { window, states };
}
