import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '@medbus/config';
import { UnauthorizedError } from '@medbus/errors';
import type { BookingConfig } from '../booking.config';

const publicRoute = 'booking:public';

/** Marks a route that answers without credentials (health probes only). */
export const Public = () => SetMetadata(publicRoute, true);

export class MissingApiKeyError extends UnauthorizedError {
  static readonly code = 'AUTH.MISSING_API_KEY';

  constructor() {
    super(MissingApiKeyError.code, 'send an API key as `Authorization: Bearer <key>`');
  }
}

export class InvalidApiKeyError extends UnauthorizedError {
  static readonly code = 'AUTH.INVALID_API_KEY';

  constructor() {
    super(InvalidApiKeyError.code, 'the API key is not valid');
  }
}

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** A stable, non-secret id of the API client a key belongs to (idempotency keys are scoped by it). */
export function apiClientIdOf(key: string): string {
  return `key-${digestOf(key).toString('hex').slice(0, 16)}`;
}

/** The authenticated API client's id, set by {@link ApiKeyGuard}. */
export const ApiClientId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<{ apiClientId?: string }>();
  if (!request.apiClientId) throw new MissingApiKeyError();
  return request.apiClientId;
});

/** Whether `presented` is one of `keys`, in time independent of where or whether it matches. */
export function isKnownKey(presented: string, keys: readonly Buffer[]): boolean {
  const digest = digestOf(presented);
  let known = false;
  for (const key of keys) known = timingSafeEqual(digest, key) || known;
  return known;
}

/** Every HTTP route needs `Authorization: Bearer <key>` with a configured key, unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: readonly Buffer[];

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AppConfig) config: BookingConfig,
  ) {
    this.keys = config.BOOKING_API_KEYS.map(digestOf);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(publicRoute, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined>; apiClientId?: string }>();
    const header = request.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new MissingApiKeyError();
    if (!isKnownKey(match[1], this.keys)) throw new InvalidApiKeyError();
    request.apiClientId = apiClientIdOf(match[1]);
    return true;
  }
}
