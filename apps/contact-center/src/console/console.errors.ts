import { ForbiddenError, NotFoundError, TimeoutError, TooManyRequestsError, UnauthorizedError, UnavailableError, ValidationError } from '@medbus/errors';

export const ConsoleErrorCode = {
  loginFailed: 'CONSOLE.LOGIN_FAILED',
  roleNotAllowed: 'CONSOLE.ROLE_NOT_ALLOWED',
  invalidSeat: 'CONSOLE.INVALID_SEAT',
  seatOfOtherBranch: 'CONSOLE.SEAT_OF_OTHER_BRANCH',
  tooManyAttempts: 'CONSOLE.TOO_MANY_ATTEMPTS',
  noSession: 'CONSOLE.NO_SESSION',
  csrf: 'CONSOLE.CSRF',
  notProxied: 'CONSOLE.NOT_PROXIED',
  bookingUnavailable: 'CONSOLE.BOOKING_UNAVAILABLE',
  bodyTooLarge: 'CONSOLE.BODY_TOO_LARGE',
  unknownCall: 'CONSOLE.UNKNOWN_CALL',
  notBuilt: 'CONSOLE.NOT_BUILT',
  notFound: 'CONSOLE.NOT_FOUND',
} as const;

/** Whatever was wrong with a sign-in (unknown key, revoked, malformed): one answer, no hint which. */
export class LoginFailedError extends UnauthorizedError {
  constructor() {
    super(ConsoleErrorCode.loginFailed, 'the key was not accepted');
  }
}

export class RoleNotAllowedError extends ForbiddenError {
  constructor(role: string) {
    super(ConsoleErrorCode.roleNotAllowed, 'this role does not work in the operator console', { details: { role } });
  }
}

export class InvalidSeatError extends ValidationError {
  constructor(reason: 'malformed' | 'not-an-operator') {
    super(ConsoleErrorCode.invalidSeat, reason === 'malformed' ? 'a seat is a PBX interface such as PJSIP/sochi-op01' : 'only an operator binds a seat', { details: { reason } });
  }
}

export class SeatOfOtherBranchError extends ForbiddenError {
  constructor() {
    super(ConsoleErrorCode.seatOfOtherBranch, 'this phone belongs to a queue of another branch');
  }
}

export class TooManyAttemptsError extends TooManyRequestsError {
  constructor(retryAfterSeconds: number) {
    super(ConsoleErrorCode.tooManyAttempts, 'too many failed sign-ins from this address: wait', { details: { retryAfterSeconds } });
  }
}

export class NoSessionError extends UnauthorizedError {
  constructor() {
    super(ConsoleErrorCode.noSession, 'sign in to the console');
  }
}

export class CsrfError extends ForbiddenError {
  constructor() {
    super(ConsoleErrorCode.csrf, 'a console request that changes something must carry x-medbus-console: 1');
  }
}

export class NotProxiedError extends NotFoundError {
  constructor() {
    super(ConsoleErrorCode.notProxied, 'the console does not pass this request on to booking');
  }
}

export class BookingTimeoutError extends TimeoutError {
  constructor(cause: unknown) {
    super(ConsoleErrorCode.bookingUnavailable, 'booking did not answer in time', { cause });
  }
}

/** Booking could not be reached at all (answered 502 by the pass-through). */
export class BookingUnreachableError extends UnavailableError {
  constructor(cause: unknown) {
    super(ConsoleErrorCode.bookingUnavailable, 'booking cannot be reached', { cause });
  }
}

export class UnknownCallError extends NotFoundError {
  constructor() {
    super(ConsoleErrorCode.unknownCall, 'no call connected to this seat within the last 12 hours has this id');
  }
}

export class ConsoleNotBuiltError extends NotFoundError {
  constructor() {
    super(ConsoleErrorCode.notBuilt, 'the operator console is not built here (npm run build)');
  }
}

export class ConsolePageNotFoundError extends NotFoundError {
  constructor() {
    super(ConsoleErrorCode.notFound, 'no such console page or API');
  }
}
