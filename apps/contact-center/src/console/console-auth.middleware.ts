import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, createParamDecorator, type ExecutionContext, type NestMiddleware } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ccPassThroughPrefix, changesSomething, consoleApiPrefix, cookieValueOf, csrfHeader, sessionCookieName } from './console-request.mapper';
import { CsrfError, NoSessionError, NotProxiedError } from './console.errors';
import { SessionService, type ConsoleSession } from './session.service';

/** A request as this middleware reads and rewrites it (Express's, seen through Node's type). */
export interface ConsoleRequest extends IncomingMessage {
  originalUrl?: string;
  consoleSession?: ConsoleSession;
  /** Set on a request re-dispatched to the service's own API: it is not the console's any more. */
  consoleForwarded?: true;
}

interface ExpressApp {
  handle(req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void): void;
}

/** The signed-in person's session, put on the request by {@link ConsoleAuthMiddleware}; 401 CONSOLE.NO_SESSION without one. */
export const CurrentConsoleSession = createParamDecorator((_data: unknown, context: ExecutionContext): ConsoleSession => {
  const session = context.switchToHttp().getRequest<ConsoleRequest>().consoleSession;
  if (!session) throw new NoSessionError();
  return session;
});

/** The cookie's token of a request (the events stream re-checks its session with it). */
export function sessionTokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  return cookieValueOf(Array.isArray(header) ? header.join('; ') : header, sessionCookieName);
}

/**
 * Guards /console/api/*: a request that changes something must carry `x-medbus-console: 1` (CSRF); every
 * request but the sign-in needs a live session (its cookie), put on the request. `/console/api/cc/<path>`
 * is then this service's own `/<path>` as the person: the cookie is replaced by `Authorization: Bearer
 * <his key>` and the request dispatched again through the app, in-process, so the API's own guard, roles,
 * masking and errors answer it.
 */
@Injectable()
export class ConsoleAuthMiddleware implements NestMiddleware {
  constructor(
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  async use(req: ConsoleRequest, res: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    const url = req.originalUrl ?? req.url ?? '';
    if (req.consoleForwarded || !url.startsWith(consoleApiPrefix)) return next();
    const method = req.method ?? 'GET';
    if (changesSomething(method) && req.headers[csrfHeader] !== '1') throw new CsrfError();
    const path = url.split('?', 1)[0];
    if (path === `${consoleApiPrefix}session` && method === 'POST') return next();

    const session = await this.sessions.resolve(sessionTokenOf(req));
    if (!session) throw new NoSessionError();
    req.consoleSession = session;
    if (!url.startsWith(`${ccPassThroughPrefix}/`)) return next();

    const target = url.slice(ccPassThroughPrefix.length);
    if (!target.startsWith('/v1/')) throw new NotProxiedError();
    req.headers.authorization = `Bearer ${session.apiKey}`;
    delete req.headers.cookie;
    req.consoleForwarded = true;
    req.url = target;
    this.adapterHost.httpAdapter.getInstance<ExpressApp>().handle(req, res, next);
  }
}
