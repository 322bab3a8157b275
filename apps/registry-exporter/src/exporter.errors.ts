import { ForbiddenError, NotFoundError, TimeoutError, TooManyRequestsError, UnavailableError, ValidationError, type ErrorDetails } from '@medbus/errors';

/** The export's stable codes (clients, logs and dead letters match on them); details carry ids only. */
export const ExportErrorCode = {
  invalidEvent: 'EXPORT.INVALID_EVENT',
  /** An adapter published for an organisation not registered to it (0012); the same code booking uses. */
  organisationNotServed: 'MIS.ORGANISATION_NOT_SERVED',
  federalUnavailable: 'EXPORT.FEDERAL_UNAVAILABLE',
  federalTimeout: 'EXPORT.FEDERAL_TIMEOUT',
  federalRateLimited: 'EXPORT.FEDERAL_RATE_LIMITED',
  federalFault: 'EXPORT.FEDERAL_FAULT',
  federalBadResponse: 'EXPORT.FEDERAL_BAD_RESPONSE',
  organisationNotFound: 'EXPORT.ORGANISATION_NOT_FOUND',
  reconciliationNotFound: 'EXPORT.RECONCILIATION_NOT_FOUND',
  invalidQuery: 'EXPORT.INVALID_QUERY',
} as const;

/** An MIS event the export cannot take (its own fault: dead-lettered, never retried). */
export class InvalidExportEventError extends ValidationError {
  constructor(message: string, details: ErrorDetails) {
    super(ExportErrorCode.invalidEvent, message, { details });
  }
}

export class OrganisationNotServedError extends ForbiddenError {
  static readonly code = ExportErrorCode.organisationNotServed;

  constructor(message: string, details: ErrorDetails) {
    super(OrganisationNotServedError.code, message, { details });
  }
}

/**
 * A call to the federal registry that did not get an answer for its items: nothing is marked, the
 * same items go again after the backoff. `retryAfterMs` is the federal side's own wait when it gave
 * one (RATE_LIMITED, QUOTA_EXCEEDED); `faultCode` its fault code when it answered with a Fault.
 */
export interface FederalFailure {
  readonly retryAfterMs?: number;
  readonly faultCode?: string;
}

export class FederalUnavailableError extends UnavailableError implements FederalFailure {
  constructor(
    message: string,
    readonly faultCode?: string,
    options: { cause?: unknown; details?: ErrorDetails } = {},
  ) {
    super(ExportErrorCode.federalUnavailable, message, options);
  }
}

export class FederalTimeoutError extends TimeoutError {
  constructor(timeoutMs: number, operation: string) {
    super(ExportErrorCode.federalTimeout, `the federal registry did not answer ${operation} within ${timeoutMs} ms`, { details: { operation, timeoutMs } });
  }
}

/** RATE_LIMITED or QUOTA_EXCEEDED: wait what the federal side says before the next call. */
export class FederalRateLimitedError extends TooManyRequestsError implements FederalFailure {
  constructor(
    readonly faultCode: string,
    readonly retryAfterMs: number,
    operation: string,
  ) {
    super(ExportErrorCode.federalRateLimited, `the federal registry answered ${faultCode} to ${operation}`, { details: { operation, faultCode, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } });
  }
}

/** A Fault the exporter cannot fix by waiting alone (AUTH_FAILED, BATCH_TOO_LARGE, MALFORMED_REQUEST): retried with backoff, and logged as an error. */
export class FederalFaultError extends UnavailableError implements FederalFailure {
  constructor(
    readonly faultCode: string,
    message: string,
    operation: string,
  ) {
    super(ExportErrorCode.federalFault, `the federal registry refused ${operation}: ${faultCode} ${message}`.slice(0, 500), { details: { operation, faultCode } });
  }
}

/** An answer that is not the contract's (a proxy's page, a truncated body, a missing Result). */
export class FederalBadResponseError extends UnavailableError {
  constructor(operation: string, problem: string) {
    super(ExportErrorCode.federalBadResponse, `the federal registry answered ${operation} with something unreadable: ${problem}`.slice(0, 500), { details: { operation } });
  }
}

export class OrganisationNotFoundError extends NotFoundError {
  constructor(organisationOid: string) {
    super(ExportErrorCode.organisationNotFound, 'the exporter knows no such organisation', { details: { organisationOid } });
  }
}

export class ReconciliationNotFoundError extends NotFoundError {
  constructor(reconciliationId: string) {
    super(ExportErrorCode.reconciliationNotFound, 'no such reconciliation run', { details: { reconciliationId } });
  }
}

export class InvalidExportQueryError extends ValidationError {
  constructor(problems: readonly string[]) {
    super(ExportErrorCode.invalidQuery, `Invalid request: ${problems.join('; ')}`, { details: { problems } });
  }
}
