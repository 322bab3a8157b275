import {
  AppError,
  ConflictError,
  NotFoundError,
  TimeoutError,
  TooManyRequestsError,
  UnavailableError,
  ValidationError,
  type ErrorDetails,
} from '@medbus/errors';

/** The exporter's own codes for what went wrong between it and the booking service. */
export const BookingClientCode = {
  /** Booking could not be reached (connection refused or reset, DNS) after the retries an idempotent call gets. */
  unreachable: 'EXPORTER.BOOKING_UNREACHABLE',
  /** Booking did not answer within BOOKING_TIMEOUT_MS. */
  timeout: 'EXPORTER.BOOKING_TIMEOUT',
  /** Booking answered something its API does not (a contract mismatch or a proxy's page). */
  badResponse: 'EXPORTER.BOOKING_BAD_RESPONSE',
  /** Booking refused the exporter's own API key or role: a deployment fault, not the exporter's caller's. */
  accessRefused: 'EXPORTER.BOOKING_ACCESS_REFUSED',
  /** The MIS had not answered a booking or cancellation by the exporter's deadline; it may still complete. */
  stillPending: 'EXPORTER.BOOKING_STILL_PENDING',
  /** The MIS refused to cancel: the appointment stays confirmed. */
  cancelRefused: 'EXPORTER.CANCEL_REFUSED',
} as const;

/** A booking error code as booking writes them (`BOOKING.SLOT_TAKEN`); anything else is not passed on. */
const codePattern = /^[A-Z][A-Z0-9_]{0,40}\.[A-Z][A-Z0-9_]{0,80}$/;

/**
 * The AppError a booking error answer stands for: booking's own stable code (it is the contract) with
 * the kind its HTTP status says. Booking refusing the exporter's own key (401, 403) is the exporter's
 * deployment fault and reads as unavailable: the exporter's callers must never see it as theirs.
 */
export function bookingErrorOf(status: number, body: unknown): AppError {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const fields = typeof error === 'object' && error !== null ? (error as { code?: unknown; message?: unknown; details?: unknown }) : {};
  const code = typeof fields.code === 'string' && codePattern.test(fields.code) ? fields.code : `BOOKING.HTTP_${status}`;
  const message = typeof fields.message === 'string' ? fields.message.slice(0, 500) : `booking answered HTTP ${status}`;
  const details = safeDetailsOf(fields.details, status);
  switch (status) {
    case 400:
    case 422:
      return new ValidationError(code, message, { details });
    case 401:
    case 403:
      return new UnavailableError(BookingClientCode.accessRefused, `booking refused the exporter's credentials (${code})`, { details: { ...details, bookingCode: code } });
    case 404:
      return new NotFoundError(code, message, { details });
    case 409:
      return new ConflictError(code, message, { details });
    case 429:
      return new TooManyRequestsError(code, message, { details });
    case 504:
      return new TimeoutError(code, message, { details });
    default:
      return new UnavailableError(code, message, { details });
  }
}

/** Booking's details carry ids only (its contract); kept as plain values, and the HTTP status beside them. */
function safeDetailsOf(details: unknown, status: number): ErrorDetails {
  const out: Record<string, unknown> = { status };
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return out;
  for (const [key, value] of Object.entries(details).slice(0, 20)) {
    if (typeof value === 'string') out[key] = value.slice(0, 300);
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.filter((item) => typeof item === 'string').slice(0, 20).map((item: string) => item.slice(0, 300));
  }
  return out;
}

export const bookingUnreachable = (path: string, cause: unknown): AppError =>
  new UnavailableError(BookingClientCode.unreachable, 'the booking service could not be reached', { cause, details: { path } });

export const bookingTimeout = (path: string, timeoutMs: number, cause: unknown): AppError =>
  new TimeoutError(BookingClientCode.timeout, `the booking service did not answer within ${timeoutMs} ms`, { cause, details: { path, timeoutMs } });

export const bookingBadResponse = (path: string, status: number, problem: string): AppError =>
  new UnavailableError(BookingClientCode.badResponse, `the booking service answered ${path} with what its API does not: ${problem}`, {
    details: { path, status },
  });

export const stillPending = (appointmentId: string, status: string): AppError =>
  new TimeoutError(BookingClientCode.stillPending, 'the clinic has not answered yet: the appointment may still be confirmed; ask again with the same request', {
    details: { appointmentId, status },
  });

export const cancelRefused = (appointmentId: string): AppError =>
  new ConflictError(BookingClientCode.cancelRefused, "the clinic's MIS refused the cancellation; the appointment stands", { details: { appointmentId } });

/** Whether an error is the booking service itself refusing or failing (as opposed to the request being wrong). */
export function isBookingOutage(error: unknown): boolean {
  return error instanceof UnavailableError || error instanceof TimeoutError;
}
