import { UnavailableError, ValidationError } from '@medbus/errors';

/** The MIS did not answer, refused the connection or returned an HTTP/SOAP error. Retryable. */
export class MisUnavailableError extends UnavailableError {
  static readonly code = 'MIS.UNAVAILABLE';

  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(MisUnavailableError.code, message, options);
  }
}

/** The circuit breaker is open: the MIS is not called until the cool-down has passed. */
export class MisCircuitOpenError extends UnavailableError {
  static readonly code = 'MIS.CIRCUIT_OPEN';

  constructor(readonly retryAt: Date) {
    super(MisCircuitOpenError.code, 'MIS circuit is open', { details: { retryAt: retryAt.toISOString() } });
  }
}

/**
 * The MIS answered with something we refuse to use: oversized, not XML, a DTD, or a shape
 * that fails validation. Not retryable by repeating the same call; counted and reported.
 */
export class MisResponseRejectedError extends ValidationError {
  static readonly code = 'MIS.RESPONSE_REJECTED';

  constructor(
    readonly reason: MisResponseRejection,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(MisResponseRejectedError.code, message, { ...options, details: { reason, ...options?.details } });
  }
}

export const MisResponseRejection = {
  tooLarge: 'too_large',
  dtd: 'dtd',
  malformed: 'malformed',
  invalidShape: 'invalid_shape',
  businessError: 'business_error',
} as const;

export type MisResponseRejection = (typeof MisResponseRejection)[keyof typeof MisResponseRejection];
