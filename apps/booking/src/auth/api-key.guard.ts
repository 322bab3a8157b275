import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
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
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new MissingApiKeyError();
    if (!isKnownKey(match[1], this.keys)) throw new InvalidApiKeyError();
    return true;
  }
}
