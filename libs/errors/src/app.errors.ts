/**
 * What went wrong, from the caller's point of view. The kind alone decides the HTTP status
 * and whether a Kafka consumer retries; the code says precisely what happened.
 */
export const ErrorKind = {
  validation: 'validation',
  notFound: 'not_found',
  conflict: 'conflict',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  tooManyRequests: 'too_many_requests',
  unavailable: 'unavailable',
  timeout: 'timeout',
  internal: 'internal',
} as const;

export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** Safe, non-personal facts about an error, sent to clients and written to logs. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export interface AppErrorOptions {
  readonly cause?: unknown;
  /** Must never hold patient data: it reaches HTTP clients, logs and dead-letter headers. */
  readonly details?: ErrorDetails;
}

/**
 * Base of every error a medbus service throws on purpose.
 *
 * `code` is stable and namespaced (`BOOKING.SLOT_TAKEN`): clients, the Kafka classifier and
 * the HubService facade match on it, so never reword or reuse one. Wrap a lower-level error
 * with `{ cause }` rather than copying its message.
 */
export abstract class AppError extends Error {
  abstract readonly kind: ErrorKind;
  readonly details?: ErrorDetails;

  protected constructor(
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.details !== undefined) this.details = options.details;
  }
}

/**
 * The input breaks a rule the caller can fix (`COMMON.VALIDATION`). Not retryable.
 *
 * @example class SlotInPastError extends ValidationError { constructor() { super('BOOKING.SLOT_IN_PAST', 'slot is in the past') } }
 */
export class ValidationError extends AppError {
  readonly kind = ErrorKind.validation;

  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(code, message, options);
  }
}

/** The thing asked for does not exist (`BOOKING.APPOINTMENT_NOT_FOUND`). Not retryable. */
export class NotFoundError extends AppError {
  readonly kind = ErrorKind.notFound;

  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(code, message, options);
  }
}

/**
 * The request contradicts the current state (`BOOKING.SLOT_TAKEN`). Not retryable.
 *
 * @example class SlotTakenError extends ConflictError { constructor() { super('BOOKING.SLOT_TAKEN', 'slot is taken') } }
 */
export class ConflictError extends AppError {
  readonly kind = ErrorKind.conflict;

  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(code, message, options);
  }
}

/** The caller is not authenticated (`AUTH.TOKEN_EXPIRED`). Not retryable. */
export class UnauthorizedError extends AppError {
  readonly kind = ErrorKind.unauthorized;

  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(code, message, options);
  }
}

/** The caller may not do this (`AUTH.FOREIGN_ORGANISATION`). Not retryable. */
export class ForbiddenError extends AppError {
  readonly kind = ErrorKind.forbidden;

  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(code, message, options);
  }
}

/** A dependency (MIS, federal registry, database) is down or refused (`MIS.UNAVAILABLE`). Retryable. */
export class UnavailableError extends AppError {
  readonly kind = ErrorKind.unavailable;

  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(code, message, options);
  }
}

/** The caller exceeded a rate limit or a cap (`BOOKING.RATE_LIMITED`); `retryAfterSeconds` in details when known. */
export class TooManyRequestsError extends AppError {
  readonly kind = ErrorKind.tooManyRequests;

  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(code, message, options);
  }
}

/** A dependency did not answer in time (`FER.TIMEOUT`). Retryable. */
export class TimeoutError extends AppError {
  readonly kind = ErrorKind.timeout;

  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(code, message, options);
  }
}

/**
 * A Kafka message that cannot be decoded (`KAFKA.DECODING_FAILED`). Redelivery cannot fix
 * the bytes, so it is a validation error: dead-lettered at once, never retried.
 */
export class DecodingError extends ValidationError {
  static readonly code = 'KAFKA.DECODING_FAILED';

  constructor(message: string, options?: AppErrorOptions) {
    super(DecodingError.code, message, options);
  }
}

const httpStatusByKind = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
  timeout: 504,
} as const satisfies Record<ErrorKind, number>;

/** The HTTP status that answers an error of this kind. */
export function httpStatusOf(error: AppError): number {
  return httpStatusByKind[error.kind];
}

/**
 * Whether trying the same work again may succeed. An error we did not classify counts as
 * transient: consumers retry it a bounded number of times, then dead-letter it.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof AppError)) return true;
  switch (error.kind) {
    case ErrorKind.unavailable:
    case ErrorKind.timeout:
    case ErrorKind.tooManyRequests:
      return true;
    case ErrorKind.validation:
    case ErrorKind.notFound:
    case ErrorKind.conflict:
    case ErrorKind.unauthorized:
    case ErrorKind.forbidden:
    case ErrorKind.internal:
      return false;
    default:
      error.kind satisfies never;
      return true;
  }
}
