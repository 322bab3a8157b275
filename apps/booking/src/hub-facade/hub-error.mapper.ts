import { AppError, ErrorKind } from '@medbus/errors';
import { HubErrorCode, hubErrorDescriptions, type HubError, type MethodResult } from '@medbus/hubservice';

/**
 * IdError values the facade adds to the shared table (shared/domain/hubservice.md) for outcomes
 * that table has no code for. 312 sits with the booking codes, 500 and 599 mark "not your fault".
 */
export const FacadeErrorCode = {
  /** The MIS has not answered yet: the booking, reschedule or cancel is still in progress. */
  InProgress: 312,
  /** Refused for a reason without a code of its own; the description names the medbus code. */
  Refused: 399,
  /** The organisation's MIS is unavailable or did not answer in time; try again later. */
  MisUnavailable: 500,
  /** Anything else that went wrong on our side. */
  Internal: 599,
} as const;

export type FacadeErrorCode = (typeof FacadeErrorCode)[keyof typeof FacadeErrorCode];

export const facadeErrorDescriptions = {
  312: 'Запрос принят и обрабатывается медицинской организацией',
  399: 'Операция отклонена',
  500: 'Медицинская информационная система организации недоступна, повторите попытку позже',
  599: 'Внутренняя ошибка сервиса записи',
} as const satisfies Record<FacadeErrorCode, string>;

/** medbus error code → IdError. WAITLIST.* codes all map to 400 (see idErrorOf). */
export const idErrorByCode: Readonly<Record<string, HubErrorCode>> = {
  'BOOKING.SLOT_TAKEN': HubErrorCode.SlotTaken,
  'BOOKING.SLOT_HELD': HubErrorCode.SlotTaken,
  'BOOKING.SLOT_RESERVED': HubErrorCode.SlotTaken,
  'BOOKING.SLOT_NOT_FOUND': HubErrorCode.NoAppointmentAtTime,
  'BOOKING.SLOT_IN_PAST': HubErrorCode.NoAppointmentAtTime,
  'BOOKING.SPECIALTY_NOT_PROVIDED': HubErrorCode.NoScheduleOnDate,
  'BOOKING.PATIENT_NOT_FOUND': HubErrorCode.PatientNotFound,
  // An IdPat is per organisation in HubService: another clinic's patient id is no patient here.
  'BOOKING.PATIENT_OF_OTHER_ORGANISATION': HubErrorCode.PatientNotFound,
  'BOOKING.PATIENT_NOT_ELIGIBLE': HubErrorCode.PatientDoesNotFitDoctor,
  'BOOKING.PATIENT_ALREADY_BOOKED': HubErrorCode.PatientAlreadyBooked,
  'BOOKING.PATIENT_NOT_ATTACHED': HubErrorCode.PatientNotAttached,
  'BOOKING.APPOINTMENT_NOT_FOUND': HubErrorCode.BookingNotFound,
  'PATIENT.NOT_FOUND': HubErrorCode.PatientNotRegistered,
  'PATIENT.AMBIGUOUS': HubErrorCode.PatientAmbiguous,
};

/** Codes that mean the organisation's MIS cannot be reached through medbus right now. */
const unavailableCodes: ReadonlySet<string> = new Set([
  'PATIENT.ORGANISATION_NOT_SERVED',
  'BOOKING.ORGANISATION_NOT_SERVED',
  'PATIENT.MIS_UNAVAILABLE',
  'BOOKING.MIS_DEADLINE_EXCEEDED',
]);

/** Refusals whose own wording says more than "refused"; the code is appended. */
const refusalDescriptions: Readonly<Record<string, string>> = {
  'BOOKING.INVALID_REQUEST': 'Неверные или неполные данные запроса',
  'PATIENT.QUERY_INVALID': 'Неверные или неполные данные пациента',
  'BOOKING.APPOINTMENT_NOT_ACTIVE': 'Запись не подтверждена или уже изменяется, повторите позже',
  'BOOKING.SLOT_CLOSED_TO_CHANNEL': 'Талон недоступен для записи через вашу систему',
  'BOOKING.CLIENT_LIMIT_REACHED': 'Превышено число открытых резервов вашей системы',
  'BOOKING.RATE_LIMITED': 'Слишком много запросов, повторите позже',
};

/** The IdError of a medbus error code, or undefined when the code has none of its own. */
export function idErrorOf(code: string): HubErrorCode | FacadeErrorCode | undefined {
  if (code.startsWith('WAITLIST.')) return HubErrorCode.WaitlistRefused;
  if (unavailableCodes.has(code)) return FacadeErrorCode.MisUnavailable;
  return Object.hasOwn(idErrorByCode, code) ? idErrorByCode[code] : undefined;
}

function descriptionOf(idError: HubErrorCode | FacadeErrorCode): string {
  return idError in hubErrorDescriptions ? hubErrorDescriptions[idError as HubErrorCode] : facadeErrorDescriptions[idError as FacadeErrorCode];
}

/**
 * The `Error` a HubService client sees for a medbus code (e.g. the rejection reason of an
 * appointment): its own IdError with the table's Russian wording, or 399 naming the code.
 */
export function hubErrorOfCode(code: string): HubError {
  const idError = idErrorOf(code);
  if (idError !== undefined) return { IdError: idError, ErrorDescription: descriptionOf(idError) };
  const description = Object.hasOwn(refusalDescriptions, code) ? refusalDescriptions[code] : facadeErrorDescriptions[FacadeErrorCode.Refused];
  return { IdError: FacadeErrorCode.Refused, ErrorDescription: `${description} (${code})` };
}

/**
 * The `Error` of a failure a service threw. Only the code of an AppError reaches the client (its
 * message is English and may be internal); the MIS being away or slow is 500, the unexpected 599.
 */
export function hubErrorOf(error: unknown): HubError {
  if (!(error instanceof AppError)) return { IdError: FacadeErrorCode.Internal, ErrorDescription: facadeErrorDescriptions[FacadeErrorCode.Internal] };
  if (idErrorOf(error.code) !== undefined) return hubErrorOfCode(error.code);
  switch (error.kind) {
    case ErrorKind.unavailable:
    case ErrorKind.timeout:
      return { IdError: FacadeErrorCode.MisUnavailable, ErrorDescription: facadeErrorDescriptions[FacadeErrorCode.MisUnavailable] };
    case ErrorKind.internal:
      return { IdError: FacadeErrorCode.Internal, ErrorDescription: facadeErrorDescriptions[FacadeErrorCode.Internal] };
    case ErrorKind.validation:
    case ErrorKind.notFound:
    case ErrorKind.conflict:
    case ErrorKind.unauthorized:
    case ErrorKind.forbidden:
    case ErrorKind.tooManyRequests:
      return hubErrorOfCode(error.code);
    default:
      error.kind satisfies never;
      return hubErrorOfCode(error.code);
  }
}

/** The "in progress" error of an operation the MIS has not confirmed yet, naming the appointment to check. */
export function inProgressError(appointmentId: string): HubError {
  return {
    IdError: FacadeErrorCode.InProgress,
    ErrorDescription: `${facadeErrorDescriptions[FacadeErrorCode.InProgress]} (в обработке), запись ${appointmentId}: проверьте историю пациента или повторите запрос`,
  };
}

/** A failed envelope with one error, echoing `idHistory`. */
export function failureOf(error: HubError, idHistory: number | undefined): MethodResult {
  return idHistory === undefined ? { Success: false, ErrorList: [error] } : { Success: false, ErrorList: [error], IdHistory: idHistory };
}
