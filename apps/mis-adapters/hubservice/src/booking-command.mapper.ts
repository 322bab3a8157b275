import { z } from 'zod';
import {
  AllEvents,
  CommandRejectionReason,
  type AppointmentCancellationConfirmed,
  type AppointmentCancellationRejected,
  type BookSlot,
  type CancelAppointment,
  type SlotBookingConfirmed,
  type SlotBookingRejected,
} from '@medbus/contracts';
import { ValidationError } from '@medbus/errors';
import { HubErrorCode } from '@medbus/hubservice';
import { redactText } from '@medbus/telemetry';

const id = z.string().min(1).max(200);
const instant = z.number().int().nonnegative();

const bookSlotSchema = z.object({
  commandId: z.string().uuid(),
  appointmentId: id,
  slotId: id,
  localSlotId: id,
  organisationOid: id,
  resourceId: id,
  localResourceId: id,
  misPatientId: id,
  requestedBy: z.string(),
  requestedAt: instant,
  deadline: instant,
  // Absent when written with the schema before reschedules existed.
  replacesMisAppointmentId: id.nullish().transform((value) => value ?? null),
});

const cancelAppointmentSchema = z.object({
  commandId: z.string().uuid(),
  appointmentId: id,
  organisationOid: id,
  slotId: id,
  localSlotId: id,
  misAppointmentId: id,
  misPatientId: id,
  requestedBy: z.string(),
  requestedAt: instant,
});

export type BookingCommand =
  | { readonly name: 'BookSlot'; readonly value: Pick<BookSlot, Exclude<keyof BookSlot, 'requestedBy'>> }
  | { readonly name: 'CancelAppointment'; readonly value: Pick<CancelAppointment, Exclude<keyof CancelAppointment, 'requestedBy'>> };

/** A command that decodes as Avro but breaks its schema's rules: redelivery cannot fix it, so it is dead-lettered. */
export class InvalidCommandError extends ValidationError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('COMMAND.INVALID', message, details ? { details } : undefined);
  }
}

/** A decoded `booking.command` value as the command it is; anything else is an InvalidCommandError. */
export function toBookingCommand(eventType: string, value: unknown): BookingCommand {
  const schema = eventType === 'BookSlot' ? bookSlotSchema : eventType === 'CancelAppointment' ? cancelAppointmentSchema : undefined;
  if (!schema) throw new InvalidCommandError(`unknown command type ${eventType}`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidCommandError(`${eventType} breaks its schema`, { fields: parsed.error.issues.slice(0, 5).map((i) => i.path.join('.')) });
  }
  return { name: eventType, value: parsed.data } as BookingCommand;
}

/** The rejection reason of a HubService IdError (see shared/domain/hubservice.md); codes outside the table are OTHER. */
export function rejectionReasonOf(idError: number): CommandRejectionReason {
  switch (idError) {
    case HubErrorCode.SlotTaken:
      return CommandRejectionReason.SLOT_TAKEN;
    case HubErrorCode.NoScheduleOnDate:
    case HubErrorCode.NoAppointmentAtTime:
      return CommandRejectionReason.SLOT_NOT_FOUND;
    case HubErrorCode.PatientNotFound:
      return CommandRejectionReason.PATIENT_NOT_FOUND;
    case HubErrorCode.PatientAlreadyBooked:
      return CommandRejectionReason.PATIENT_ALREADY_BOOKED;
    case HubErrorCode.PatientDoesNotFitDoctor:
      return CommandRejectionReason.PATIENT_NOT_ELIGIBLE;
    case HubErrorCode.PatientNotAttached:
    case HubErrorCode.AttachmentDoesNotCoverService:
      return CommandRejectionReason.PATIENT_NOT_ATTACHED;
    case HubErrorCode.BookingNotFound:
      return CommandRejectionReason.APPOINTMENT_NOT_FOUND;
    default:
      return CommandRejectionReason.OTHER;
  }
}

/** What the adapter concluded about a command, before it becomes an outcome event. */
export type CommandResult =
  | { readonly kind: 'done'; readonly misAppointmentId?: string }
  | { readonly kind: 'refused'; readonly reason: CommandRejectionReason; readonly misErrorCode: string | null; readonly message: string };

/**
 * A refusal from the MIS's first IdError with the MIS's wording, which should carry no patient data;
 * patient-shaped strings (СНИЛС, phones, policy numbers) in it are replaced all the same, as it goes to Kafka.
 */
export function refusalOf(errors: ReadonlyArray<{ IdError: number; ErrorDescription?: string }>): CommandResult {
  const first = errors[0];
  if (!first) return { kind: 'refused', reason: CommandRejectionReason.OTHER, misErrorCode: null, message: 'the MIS refused without an error code' };
  const message = redactText((first.ErrorDescription ?? '').trim().slice(0, 500)) || `HubService IdError ${first.IdError}`;
  return { kind: 'refused', reason: rejectionReasonOf(first.IdError), misErrorCode: String(first.IdError), message };
}

export type CommandOutcome =
  | { readonly name: 'SlotBookingConfirmed'; readonly value: SlotBookingConfirmed }
  | { readonly name: 'SlotBookingRejected'; readonly value: SlotBookingRejected }
  | { readonly name: 'AppointmentCancellationConfirmed'; readonly value: AppointmentCancellationConfirmed }
  | { readonly name: 'AppointmentCancellationRejected'; readonly value: AppointmentCancellationRejected };

/** The outcome event answering a command. */
export function outcomeOf(command: BookingCommand, result: CommandResult, occurredAt: number): CommandOutcome {
  const { commandId, appointmentId, organisationOid, slotId } = command.value;
  const base = { commandId, appointmentId, organisationOid, slotId, occurredAt };
  if (command.name === 'BookSlot') {
    return result.kind === 'done'
      ? { name: 'SlotBookingConfirmed', value: { ...base, misAppointmentId: result.misAppointmentId ?? command.value.localSlotId } }
      : { name: 'SlotBookingRejected', value: { ...base, reason: result.reason, misErrorCode: result.misErrorCode, message: result.message } };
  }
  return result.kind === 'done'
    ? { name: 'AppointmentCancellationConfirmed', value: base }
    : { name: 'AppointmentCancellationRejected', value: { ...base, reason: result.reason, misErrorCode: result.misErrorCode, message: result.message } };
}

/** Every event the adapter's outbox may hold. */
export const outcomeEvents = [
  AllEvents.SlotBookingConfirmed,
  AllEvents.SlotBookingRejected,
  AllEvents.AppointmentCancellationConfirmed,
  AllEvents.AppointmentCancellationRejected,
] as const;
