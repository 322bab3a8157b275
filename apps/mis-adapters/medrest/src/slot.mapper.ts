import type { BookingChannel, SlotStatus } from '@medbus/contracts';
import { resourceIdOf, slotIdOf, type Mapped, type SlotState } from '@medbus/mis-adapter-kit';
import type { MedRestSlot } from './medrest-response.mapper';

const statusOf: Readonly<Record<MedRestSlot['status'], SlotStatus>> = { available: 'FREE', booked: 'BOOKED', blocked: 'BLOCKED' };

/**
 * A MedREST slot, whatever its status, as a slot state. Its times carry the facility's offset, so
 * they are instants as they stand. A slot of another facility than the one read, or whose times
 * cannot be read, is reported, not published.
 */
export function toSlotState(slot: MedRestSlot, facility: { readonly facilityId: string; readonly organisationOid: string }, bookingChannels: readonly BookingChannel[]): Mapped<SlotState> {
  const { organisationOid } = facility;
  const slotId = slotIdOf(organisationOid, slot.id);
  if (slot.facility_id !== facility.facilityId) return { issues: [{ kind: 'invalid_value', entity: `slot ${slotId}`, field: 'facility_id' }] };
  const startsAt = Date.parse(slot.start);
  const endsAt = Date.parse(slot.end);
  if (Number.isNaN(startsAt) || Number.isNaN(endsAt) || endsAt <= startsAt) return { issues: [{ kind: 'invalid_value', entity: `slot ${slotId}`, field: 'start/end' }] };
  return {
    value: {
      slotId,
      localSlotId: slot.id,
      organisationOid,
      resourceId: resourceIdOf(organisationOid, slot.practitioner_id),
      localResourceId: slot.practitioner_id,
      startsAt,
      endsAt,
      status: statusOf[slot.status],
      bookingChannels: [...bookingChannels],
      room: slot.room?.trim() || null,
    },
    issues: [],
  };
}
