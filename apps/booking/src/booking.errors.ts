import { AppError, ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, UnavailableError, ValidationError, type ErrorDetails } from '@medbus/errors';
import type { CommandRejectionReason } from '@medbus/contracts';
import type { ReservationRefusal } from './reservations/reservations.service';

/** Why the booking rules refuse a patient a slot (appointments/appointment.mapper.ts decides). */
export type RuleRefusal =
  | 'SLOT_NOT_FOUND'
  | 'SLOT_IN_PAST'
  | 'OTHER_ORGANISATION'
  | 'SPECIALTY_NOT_PROVIDED'
  | 'PATIENT_NOT_ELIGIBLE'
  | 'PATIENT_NOT_ATTACHED';

/**
 * The booking flow's refusals. Codes are stable (clients and the HubService facade match on
 * them); `details` carry ids only, never patient data.
 */
export const BookingErrorCode = {
  slotTaken: 'BOOKING.SLOT_TAKEN',
  slotHeld: 'BOOKING.SLOT_HELD',
  slotReserved: 'BOOKING.SLOT_RESERVED',
  slotNotFound: 'BOOKING.SLOT_NOT_FOUND',
  slotInPast: 'BOOKING.SLOT_IN_PAST',
  specialtyNotProvided: 'BOOKING.SPECIALTY_NOT_PROVIDED',
  patientNotFound: 'BOOKING.PATIENT_NOT_FOUND',
  patientOfOtherOrganisation: 'BOOKING.PATIENT_OF_OTHER_ORGANISATION',
  patientNotEligible: 'BOOKING.PATIENT_NOT_ELIGIBLE',
  patientNotAttached: 'BOOKING.PATIENT_NOT_ATTACHED',
  patientAlreadyBooked: 'BOOKING.PATIENT_ALREADY_BOOKED',
  appointmentNotFound: 'BOOKING.APPOINTMENT_NOT_FOUND',
  appointmentNotActive: 'BOOKING.APPOINTMENT_NOT_ACTIVE',
  holdNotFound: 'BOOKING.HOLD_NOT_FOUND',
  holdExpired: 'BOOKING.HOLD_EXPIRED',
  idempotencyKeyReused: 'BOOKING.IDEMPOTENCY_KEY_REUSED',
  invalidRequest: 'BOOKING.INVALID_REQUEST',
  deadlineExceeded: 'BOOKING.MIS_DEADLINE_EXCEEDED',
  misRefused: 'BOOKING.MIS_REFUSED',
  slotClosedToChannel: 'BOOKING.SLOT_CLOSED_TO_CHANNEL',
  clientLimitReached: 'BOOKING.CLIENT_LIMIT_REACHED',
  rateLimited: 'BOOKING.RATE_LIMITED',
  organisationNotServed: 'BOOKING.ORGANISATION_NOT_SERVED',
} as const;

export class BookingRefusedError extends ConflictError {}
export class BookingNotFoundError extends NotFoundError {}
export class BookingInvalidError extends ValidationError {}

export function invalidRequest(problems: readonly string[]): AppError {
  return new BookingInvalidError(BookingErrorCode.invalidRequest, `Invalid request: ${problems.join('; ')}`, { details: { problems } });
}

const ruleErrors: Record<RuleRefusal, (details: ErrorDetails) => AppError> = {
  SLOT_NOT_FOUND: (d) => new BookingNotFoundError(BookingErrorCode.slotNotFound, 'no such bookable slot in the inventory', { details: d }),
  SLOT_IN_PAST: (d) => new BookingInvalidError(BookingErrorCode.slotInPast, 'the slot has already started', { details: d }),
  OTHER_ORGANISATION: (d) =>
    new BookingInvalidError(
      BookingErrorCode.patientOfOtherOrganisation,
      "the patient id belongs to another organisation: identify the patient at the slot's organisation first",
      { details: d },
    ),
  SPECIALTY_NOT_PROVIDED: (d) =>
    new BookingInvalidError(BookingErrorCode.specialtyNotProvided, "the slot's resource does not provide this specialty", { details: d }),
  PATIENT_NOT_ELIGIBLE: (d) =>
    new BookingRefusedError(BookingErrorCode.patientNotEligible, "the patient does not fit the resource's sex or age rules", { details: d }),
  PATIENT_NOT_ATTACHED: (d) =>
    new BookingRefusedError(BookingErrorCode.patientNotAttached, 'the patient is not attached to the organisation, which this resource requires', {
      details: d,
    }),
};

export function ruleError(refusal: RuleRefusal, details: ErrorDetails): AppError {
  return ruleErrors[refusal](details);
}

export const slotTaken = (details: ErrorDetails): AppError =>
  new BookingRefusedError(BookingErrorCode.slotTaken, 'the slot is already taken', { details });
export const slotHeld = (details: ErrorDetails): AppError =>
  new BookingRefusedError(BookingErrorCode.slotHeld, 'another caller holds the slot', { details });
export const slotReserved = (details: ErrorDetails): AppError =>
  new BookingRefusedError(BookingErrorCode.slotReserved, 'the slot is reserved for a waitlisted patient', { details });
export const patientNotFound = (details: ErrorDetails): AppError =>
  new BookingNotFoundError(BookingErrorCode.patientNotFound, 'no such patient: identify the patient first', { details });
export const patientAlreadyBooked = (details: ErrorDetails): AppError =>
  new BookingRefusedError(BookingErrorCode.patientAlreadyBooked, 'the patient already has an active appointment with this resource that day', {
    details,
  });
export const appointmentNotFound = (details: ErrorDetails): AppError =>
  new BookingNotFoundError(BookingErrorCode.appointmentNotFound, 'no such appointment', { details });
export const appointmentNotActive = (details: ErrorDetails): AppError =>
  new BookingRefusedError(BookingErrorCode.appointmentNotActive, 'the appointment is not confirmed, so it cannot be changed now', { details });
export const holdNotFound = (details: ErrorDetails): AppError =>
  new BookingNotFoundError(BookingErrorCode.holdNotFound, 'no such hold for this slot', { details });
export const holdExpired = (details: ErrorDetails): AppError =>
  new BookingRefusedError(BookingErrorCode.holdExpired, 'the hold has expired or was used', { details });
/** Why a reservation refused a hold or a booking, as the booking API's stable error. */
export function reservationError(refusal: ReservationRefusal, details: ErrorDetails): AppError {
  switch (refusal) {
    case 'HOLD_NOT_FOUND':
      return holdNotFound(details);
    case 'HOLD_EXPIRED':
      return holdExpired(details);
    case 'SLOT_HELD':
      return slotHeld(details);
    case 'SLOT_RESERVED':
      return slotReserved(details);
    default:
      refusal satisfies never;
      return slotHeld(details);
  }
}
export const slotClosedToChannel = (details: ErrorDetails): AppError =>
  new BookingRefusedError(BookingErrorCode.slotClosedToChannel, "the MIS does not offer this slot to the caller's booking channel", { details });
export const clientLimitReached = (details: ErrorDetails): AppError =>
  new TooManyRequestsError(BookingErrorCode.clientLimitReached, 'this client has reached its limit of open holds or waitlist entries: release some first', {
    details,
  });
export const rateLimited = (details: ErrorDetails): AppError =>
  new TooManyRequestsError(BookingErrorCode.rateLimited, 'too many requests of this kind from this client: retry later', { details });
/**
 * No MIS adapter is registered for the slot's organisation, so no command could reach its MIS. A 503:
 * the request is sound and the same request succeeds once operations register the clinic's adapter.
 */
export const organisationNotServed = (details: ErrorDetails): AppError =>
  new UnavailableError(BookingErrorCode.organisationNotServed, "no MIS adapter is registered for the slot's organisation: it cannot be booked now", { details });

/** An adapter spoke for an organisation it is not registered for (an event on its topics, an outcome of another adapter's command). */
export class OrganisationNotServedError extends ForbiddenError {
  static readonly code = 'MIS.ORGANISATION_NOT_SERVED';

  constructor(message: string, details: ErrorDetails) {
    super(OrganisationNotServedError.code, message, { details });
  }
}

export const idempotencyKeyReused = (details: ErrorDetails): AppError =>
  new BookingInvalidError(BookingErrorCode.idempotencyKeyReused, 'this Idempotency-Key was used for a different request', { details });

/** The stable code of a refusal the MIS gave (through the adapter's outcome event). */
export function codeOfRejection(reason: CommandRejectionReason): string {
  switch (reason) {
    case 'SLOT_TAKEN':
      return BookingErrorCode.slotTaken;
    case 'SLOT_NOT_FOUND':
      return BookingErrorCode.slotNotFound;
    case 'PATIENT_NOT_FOUND':
      return BookingErrorCode.patientNotFound;
    case 'PATIENT_ALREADY_BOOKED':
      return BookingErrorCode.patientAlreadyBooked;
    case 'PATIENT_NOT_ELIGIBLE':
      return BookingErrorCode.patientNotEligible;
    case 'PATIENT_NOT_ATTACHED':
      return BookingErrorCode.patientNotAttached;
    case 'APPOINTMENT_NOT_FOUND':
      return BookingErrorCode.appointmentNotFound;
    case 'DEADLINE_EXCEEDED':
      return BookingErrorCode.deadlineExceeded;
    case 'OTHER':
      return BookingErrorCode.misRefused;
    default:
      reason satisfies never;
      return BookingErrorCode.misRefused;
  }
}

/** The error a caller gets for an appointment the MIS refused. */
export function rejectionError(code: string, message: string, details: ErrorDetails): AppError {
  switch (code) {
    case BookingErrorCode.slotNotFound:
    case BookingErrorCode.patientNotFound:
    case BookingErrorCode.appointmentNotFound:
      return new BookingNotFoundError(code, message, { details });
    case BookingErrorCode.deadlineExceeded:
      return new MisDeadlineError(code, message, { details });
    default:
      return new BookingRefusedError(code, message, { details });
  }
}

class MisDeadlineError extends UnavailableError {}
