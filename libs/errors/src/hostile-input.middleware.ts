import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ValidationError } from './app.errors';

/** A NUL byte in a path, query, header or JSON string: PostgreSQL text cannot hold it, nor can anything we name. Every service answers it with this code. */
export class NulByteError extends ValidationError {
  static readonly code = 'REQUEST.NUL_BYTE';

  constructor(where: 'url' | 'header' | 'body') {
    super(NulByteError.code, `the request's ${where} contains a NUL byte`, { details: { where } });
  }
}

interface RawRequest {
  readonly originalUrl?: string;
  readonly url?: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
}

/** Refuses a NUL byte anywhere in a request before a handler (or the database) sees it. Runs after the JSON parser. */
@Injectable()
export class HostileInputMiddleware implements NestMiddleware {
  use(req: RawRequest, _res: unknown, next: (error?: unknown) => void): void {
    const url = req.originalUrl ?? req.url ?? '';
    if (url.includes('\u0000') || /%00/i.test(url)) return next(new NulByteError('url'));
    for (const value of Object.values(req.headers)) {
      if ((Array.isArray(value) ? value : [value]).some((v) => v?.includes('\u0000'))) return next(new NulByteError('header'));
    }
    if (hasNul(req.body, 0)) return next(new NulByteError('body'));
    next();
  }
}

function hasNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  // The JSON parser's size limit bounds this; depth only guards the stack.
  if (typeof value !== 'object' || value === null || depth > 64) return false;
  if (Array.isArray(value)) return value.some((item) => hasNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || hasNul(item, depth + 1));
}
