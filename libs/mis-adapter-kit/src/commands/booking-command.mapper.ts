import { z } from 'zod';
import {
  AllEvents,
  type AppointmentCancellationConfirmed,
  type AppointmentCancellationRejected,
  type BookSlot,
  type CancelAppointment,
  type SlotBookingConfirmed,
  type SlotBookingRejected,
} from '@medbus/contracts';
import { ValidationError } from '@medbus/errors';
import type { MisAnswer } from '../runtime/mis.dialect';

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

export type CommandOutcome =
  | { readonly name: 'SlotBookingConfirmed'; readonly value: SlotBookingConfirmed }
  | { readonly name: 'SlotBookingRejected'; readonly value: SlotBookingRejected }
  | { readonly name: 'AppointmentCancellationConfirmed'; readonly value: AppointmentCancellationConfirmed }
  | { readonly name: 'AppointmentCancellationRejected'; readonly value: AppointmentCancellationRejected };

/** The outcome event answering a command. */
export function outcomeOf(command: BookingCommand, result: MisAnswer, occurredAt: number): CommandOutcome {
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
