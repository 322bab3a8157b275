import { ValidationError, type ErrorDetails } from '@medbus/errors';

/** Query parameters of a search break a rule; `details.problems` names each one. */
export class InvalidQueryError extends ValidationError {
  static readonly code = 'BOOKING.INVALID_QUERY';

  constructor(problems: readonly string[]) {
    super(InvalidQueryError.code, `Invalid query: ${problems.join('; ')}`, { details: { problems } satisfies ErrorDetails });
  }
}

/** A pagination cursor was not one this service issued. */
export class InvalidCursorError extends ValidationError {
  static readonly code = 'BOOKING.INVALID_CURSOR';

  constructor(options?: { cause?: unknown }) {
    super(InvalidCursorError.code, 'cursor is not one this API issued; start again without it', options);
  }
}

/** An MIS event whose content contradicts its schema's rules; redelivery cannot fix it. */
export class InvalidInventoryEventError extends ValidationError {
  static readonly code = 'BOOKING.INVALID_INVENTORY_EVENT';

  constructor(message: string, details: ErrorDetails) {
    super(InvalidInventoryEventError.code, message, { details });
  }
}
