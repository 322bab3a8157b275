import type { BookingChannel, SlotPublished } from '@medbus/contracts';
import { localDateTimeToEpochMs, resourceIdOf, slotIdOf, slotPublished, type Mapped, type SlotState, type Stamp } from '@medbus/mis-adapter-kit';
import type { HubAppointment, HubDoctor } from './hubservice-response.mapper';

/**
 * A HubService appointment listed by GetAvaibleAppointments, i.e. a free slot. The vendor sends
 * clinic-local times without an offset; the organisation's zone turns them into instants.
 * A slot whose times cannot be read is reported, not published.
 */
export function toSlotState(
  appointment: HubAppointment,
  doctor: Pick<HubDoctor, 'IdDoc'>,
  clinic: { readonly organisationOid: string },
  clinicZone: string,
  bookingChannels: readonly BookingChannel[],
): Mapped<SlotState> {
  const slotId = slotIdOf(clinic.organisationOid, appointment.IdAppointment);
  const startsAt = localDateTimeToEpochMs(appointment.VisitStart, clinicZone);
  const endsAt = localDateTimeToEpochMs(appointment.VisitEnd, clinicZone);
  if (startsAt === undefined || endsAt === undefined || endsAt <= startsAt) {
    return { issues: [{ kind: 'invalid_value', entity: `slot ${slotId}`, field: 'VisitStart/VisitEnd' }] };
  }
  return {
    value: {
      slotId,
      localSlotId: appointment.IdAppointment,
      organisationOid: clinic.organisationOid,
      resourceId: resourceIdOf(clinic.organisationOid, doctor.IdDoc),
      localResourceId: doctor.IdDoc,
      startsAt,
      endsAt,
      status: 'FREE',
      bookingChannels: [...bookingChannels],
      room: appointment.Room?.trim() ? appointment.Room.trim() : null,
    },
    issues: [],
  };
}

/** Convenience for one appointment straight to its first publication. */
export function toSlotPublished(
  appointment: HubAppointment,
  doctor: Pick<HubDoctor, 'IdDoc'>,
  clinic: { readonly organisationOid: string },
  clinicZone: string,
  stamp: Stamp,
  bookingChannels: readonly BookingChannel[],
): SlotPublished | undefined {
  const { value } = toSlotState(appointment, doctor, clinic, clinicZone, bookingChannels);
  return value && slotPublished(value, stamp);
}
