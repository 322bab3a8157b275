import { ForbiddenError, UnauthorizedError, UnavailableError, type AppError } from '@medbus/errors';

/** Authentication codes of the services that check keys at booking; the first three are booking's own, so a client sees one vocabulary. */
export const AuthErrorCode = {
  missingCredentials: 'AUTH.MISSING_API_KEY',
  invalidCredentials: 'AUTH.INVALID_API_KEY',
  forbidden: 'AUTH.FORBIDDEN',
  /** Booking, which alone knows the region's credentials, could not be asked: nobody is let in meanwhile. */
  unavailable: 'AUTH.INTROSPECTION_UNAVAILABLE',
} as const;

export const missingCredentials = (): AppError =>
  new UnauthorizedError(AuthErrorCode.missingCredentials, 'send an API key as `Authorization: Bearer <key>`');

export const invalidCredentials = (): AppError => new UnauthorizedError(AuthErrorCode.invalidCredentials, 'the API key is not valid');

export const forbidden = (role: string): AppError =>
  new ForbiddenError(AuthErrorCode.forbidden, `a client of role ${role} may not call this`, { details: { role } });

export const introspectionUnavailable = (cause: unknown): AppError =>
  new UnavailableError(AuthErrorCode.unavailable, 'credentials cannot be checked now: retry later', { cause });
