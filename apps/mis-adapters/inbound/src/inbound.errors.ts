import { NotFoundError } from '@medbus/errors';

/** The inbound API's stable answer codes (README: Codes) and the HTTP status each is answered with. */
export const InboundCode = {
  invalidApiKey: 'AUTH.INVALID_API_KEY',
  organisationNotServed: 'INBOUND.ORGANISATION_NOT_SERVED',
  unsupportedMediaType: 'INBOUND.UNSUPPORTED_MEDIA_TYPE',
  bodyTooLarge: 'INBOUND.BODY_TOO_LARGE',
  malformedJson: 'INBOUND.MALFORMED_JSON',
  invalidBody: 'INBOUND.INVALID_BODY',
  invalidQuery: 'INBOUND.INVALID_QUERY',
  invalidPath: 'INBOUND.INVALID_PATH',
  slotOutsideRange: 'INBOUND.SLOT_OUTSIDE_RANGE',
  organisationNotFound: 'INBOUND.ORGANISATION_NOT_FOUND',
  resourceNotFound: 'INBOUND.RESOURCE_NOT_FOUND',
  commandNotFound: 'INBOUND.COMMAND_NOT_FOUND',
  commandExpired: 'INBOUND.COMMAND_EXPIRED',
  outcomeConflict: 'INBOUND.OUTCOME_CONFLICT',
  commandsDisabled: 'INBOUND.COMMANDS_DISABLED',
} as const;
export type InboundCode = (typeof InboundCode)[keyof typeof InboundCode];

export const inboundStatusOf: Readonly<Record<InboundCode, number>> = {
  'AUTH.INVALID_API_KEY': 401,
  'INBOUND.ORGANISATION_NOT_SERVED': 403,
  'INBOUND.UNSUPPORTED_MEDIA_TYPE': 415,
  'INBOUND.BODY_TOO_LARGE': 413,
  'INBOUND.MALFORMED_JSON': 400,
  'INBOUND.INVALID_BODY': 400,
  'INBOUND.INVALID_QUERY': 400,
  'INBOUND.INVALID_PATH': 400,
  'INBOUND.SLOT_OUTSIDE_RANGE': 400,
  'INBOUND.ORGANISATION_NOT_FOUND': 404,
  'INBOUND.RESOURCE_NOT_FOUND': 404,
  'INBOUND.COMMAND_NOT_FOUND': 404,
  'INBOUND.COMMAND_EXPIRED': 409,
  'INBOUND.OUTCOME_CONFLICT': 409,
  'INBOUND.COMMANDS_DISABLED': 503,
};

/**
 * A home-grown MIS cannot be asked who a patient is while the caller waits: it only pushes and polls.
 * Meant as a 501; the runtime answers by error kind and has none for 501 yet, so it is a not-found
 * (404, its code kept), which the booking service neither retries nor mistakes for an outage.
 */
export class IdentificationUnsupportedError extends NotFoundError {
  static readonly code = 'PATIENT.IDENTIFICATION_UNSUPPORTED';

  constructor() {
    super(IdentificationUnsupportedError.code, 'the MIS behind this adapter cannot be asked who a patient is');
  }
}

/** A request refused: its code, what was wrong, and each field refused (never its value). */
export interface InboundRefusal {
  readonly refused: InboundCode;
  readonly message: string;
  readonly fields?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
}
