import { AppError, ErrorKind } from '@medbus/errors';
import { BookingClientCode } from '../booking/booking.errors';
import { StatusCode } from './er-service.contract';
import { ErRefusalCode } from './federal-service.errors';

/** What a refused call answers: its Status_Code and a Comment of the medbus code and a short reason. */
export interface ErOutcome {
  readonly Status_Code: StatusCode;
  readonly Comment: string;
}

/**
 * medbus codes (booking's, the exporter's, ErWebService's own) → Status_Code. A code not listed here
 * is answered by its kind (see {@link statusOf}).
 */
export const statusByCode: Readonly<Record<string, StatusCode>> = {
  'BOOKING.SLOT_TAKEN': StatusCode.SLOT_BUSY,
  'BOOKING.SLOT_HELD': StatusCode.SLOT_BUSY,
  'BOOKING.SLOT_RESERVED': StatusCode.SLOT_BUSY,
  'BOOKING.SLOT_CLOSED_TO_CHANNEL': StatusCode.SLOT_NOT_AVAILABLE,
  'BOOKING.SLOT_IN_PAST': StatusCode.SLOT_NOT_AVAILABLE,
  [ErRefusalCode.slotNotAvailable]: StatusCode.SLOT_NOT_AVAILABLE,
  [ErRefusalCode.bookingNotActive]: StatusCode.SLOT_NOT_AVAILABLE,
  'BOOKING.SLOT_NOT_FOUND': StatusCode.NOT_FOUND,
  'BOOKING.APPOINTMENT_NOT_FOUND': StatusCode.NOT_FOUND,
  [ErRefusalCode.moNotFound]: StatusCode.NOT_FOUND,
  [ErRefusalCode.resourceNotFound]: StatusCode.NOT_FOUND,
  [ErRefusalCode.slotNotFound]: StatusCode.NOT_FOUND,
  [ErRefusalCode.bookingNotFound]: StatusCode.NOT_FOUND,
  'BOOKING.PATIENT_NOT_FOUND': StatusCode.PATIENT_NOT_FOUND,
  // A Patient_Id is per organisation: another clinic's patient is no patient here.
  'BOOKING.PATIENT_OF_OTHER_ORGANISATION': StatusCode.PATIENT_NOT_FOUND,
  'PATIENT.NOT_FOUND': StatusCode.PATIENT_NOT_FOUND,
  // Several patients match: none is identified (the portal asks for a policy number or SNILS).
  'PATIENT.AMBIGUOUS': StatusCode.PATIENT_NOT_FOUND,
  'BOOKING.PATIENT_NOT_ELIGIBLE': StatusCode.REFUSED_BY_MIS,
  'BOOKING.PATIENT_NOT_ATTACHED': StatusCode.REFUSED_BY_MIS,
  'BOOKING.PATIENT_ALREADY_BOOKED': StatusCode.REFUSED_BY_MIS,
  'BOOKING.SPECIALTY_NOT_PROVIDED': StatusCode.REFUSED_BY_MIS,
  'BOOKING.MIS_REFUSED': StatusCode.REFUSED_BY_MIS,
  'BOOKING.APPOINTMENT_NOT_ACTIVE': StatusCode.REFUSED_BY_MIS,
  [BookingClientCode.cancelRefused]: StatusCode.REFUSED_BY_MIS,
  // Booking answers these with 404 or 409, but they mean "the clinic cannot be reached through medbus now".
  'PATIENT.ORGANISATION_NOT_SERVED': StatusCode.MIS_UNAVAILABLE,
  'BOOKING.ORGANISATION_NOT_SERVED': StatusCode.MIS_UNAVAILABLE,
  'PATIENT.MIS_UNAVAILABLE': StatusCode.MIS_UNAVAILABLE,
  'BOOKING.MIS_DEADLINE_EXCEEDED': StatusCode.MIS_UNAVAILABLE,
};

/** The Status_Code of an error: by its code when listed, else by its kind; undefined for our own faults (internal). */
export function statusOf(error: AppError): StatusCode | undefined {
  if (Object.hasOwn(statusByCode, error.code)) return statusByCode[error.code];
  switch (error.kind) {
    case ErrorKind.validation:
      return StatusCode.INVALID_REQUEST;
    case ErrorKind.notFound:
      return StatusCode.NOT_FOUND;
    case ErrorKind.conflict:
      return StatusCode.REFUSED_BY_MIS;
    case ErrorKind.unavailable:
    case ErrorKind.timeout:
    case ErrorKind.tooManyRequests:
      return StatusCode.MIS_UNAVAILABLE;
    case ErrorKind.unauthorized:
    case ErrorKind.forbidden:
      // Booking refusing the exporter's own key is the exporter's outage (booking.errors.ts), never the caller's.
      return StatusCode.MIS_UNAVAILABLE;
    case ErrorKind.internal:
      return undefined;
    default:
      error.kind satisfies never;
      return undefined;
  }
}

const reasons: Readonly<Record<StatusCode, string>> = {
  SUCCESS: 'done',
  NOT_FOUND: 'no such object in the region',
  PATIENT_NOT_FOUND: "the clinic's MIS does not identify this patient",
  SLOT_BUSY: 'the slot is taken or held',
  SLOT_NOT_AVAILABLE: 'the slot is not open to the federal portal, is past, or was removed',
  REFUSED_BY_MIS: "the clinic's rules or MIS refused",
  MIS_UNAVAILABLE: "the clinic's MIS or medbus could not answer in time: try again later",
  INVALID_REQUEST: 'the request breaks a rule of the contract',
};

const commentMax = 500;

/**
 * The Status_Code and Comment answering an error, or undefined when it is not a refusal (a fault of
 * ours). The Comment is the medbus code, a fixed reason, and for an invalid request the fields named:
 * never a message from elsewhere, so never patient data.
 */
export function outcomeOf(error: unknown): ErOutcome | undefined {
  if (!(error instanceof AppError)) return undefined;
  const status = statusOf(error);
  if (status === undefined) return undefined;
  const fields = status === StatusCode.INVALID_REQUEST ? fieldsNamedBy(error) : '';
  return { Status_Code: status, Comment: `${error.code}: ${reasons[status]}${fields}`.slice(0, commentMax) };
}

/** The fields an invalid-request error names: ours in details.field, booking's in details.problems ("patientId: must be a UUID"). */
function fieldsNamedBy(error: AppError): string {
  const field = error.details?.['field'];
  if (typeof field === 'string') return ` (${error.message})`;
  const problems = error.details?.['problems'];
  if (Array.isArray(problems)) {
    const named = problems.filter((problem): problem is string => typeof problem === 'string').map((problem) => problem.split(':')[0]);
    if (named.length > 0) return ` (${[...new Set(named)].join(', ')})`;
  }
  return '';
}
