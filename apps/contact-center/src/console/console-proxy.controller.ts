import type { ServerResponse } from 'node:http';
import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@medbus/config';
import { Public } from '@medbus/service-auth';
import type { ContactCenterConfig } from '../contact-center.config';
import { CurrentConsoleSession, type ConsoleRequest } from './console-auth.middleware';
import { bookingPassThroughPrefix, bookingRouteAllowed, hopByHopHeaders } from './console-request.mapper';
import { BookingTimeoutError, BookingUnreachableError, ConsoleErrorCode, NotProxiedError } from './console.errors';
import type { ConsoleSession } from './session.service';

/** A body larger than this is not passed on (booking's bodies are a few hundred bytes). */
export const bookingBodyLimitBytes = 64 * 1024;

/** Request headers passed on to booking besides the person's key; nothing else (no cookie, no hop-by-hop). */
const passedOn = ['accept', 'accept-language', 'content-type', 'idempotency-key', 'x-request-id', 'traceparent', 'tracestate'];

/**
 * `/console/api/booking/<path>` → booking's `/<path>` as the signed-in person (his key as Bearer), only
 * what the console contract allows. Status and JSON body come back as booking gave them; booking down is
 * 502, too slow (BOOKING_TIMEOUT_MS) 504, both CONSOLE.BOOKING_UNAVAILABLE.
 */
@ApiTags('console')
@ApiCookieAuth('mb_console')
@Public()
@Controller('console/api/booking')
export class ConsoleProxyController {
  private readonly bookingUrl: string;

  constructor(@Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'BOOKING_URL' | 'BOOKING_TIMEOUT_MS'>) {
    this.bookingUrl = config.BOOKING_URL.replace(/\/+$/, '');
  }

  @All('*path')
  @ApiOperation({ summary: 'Booking’s slots, organisations, specialties, practitioners, patient identification, appointments, holds and waitlist as the signed-in person; anything else 404 CONSOLE.NOT_PROXIED' })
  async forward(@CurrentConsoleSession() session: ConsoleSession, @Req() req: ConsoleRequest & { body?: unknown }, @Res() res: ServerResponse): Promise<void> {
    const url = new URL(req.originalUrl ?? req.url ?? '', 'http://console.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.slice(bookingPassThroughPrefix.length);
    if (!url.pathname.startsWith(bookingPassThroughPrefix) || !bookingRouteAllowed(method, path)) throw new NotProxiedError();

    const body = method === 'GET' || method === 'HEAD' || req.body === undefined ? undefined : JSON.stringify(req.body);
    if (body !== undefined && Buffer.byteLength(body) > bookingBodyLimitBytes) {
      return reply(res, 413, { error: { code: ConsoleErrorCode.bodyTooLarge, message: `a body passed on to booking is at most ${bookingBodyLimitBytes} bytes` } });
    }
    const headers: Record<string, string> = { authorization: `Bearer ${session.apiKey}` };
    for (const name of passedOn) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    const signal = AbortSignal.timeout(this.config.BOOKING_TIMEOUT_MS);
    try {
      response = await fetch(`${this.bookingUrl}/${path}${url.search}`, { method, headers, body, redirect: 'manual', signal });
    } catch (error) {
      if (signal.aborted) throw new BookingTimeoutError(error);
      const unreachable = new BookingUnreachableError(error);
      return reply(res, 502, { error: { code: unreachable.code, message: unreachable.message } });
    }
    const answer = Buffer.from(await response.arrayBuffer());
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!hopByHopHeaders.has(name)) out[name] = value;
    });
    res.writeHead(response.status, { ...out, 'content-length': String(answer.length) });
    res.end(answer);
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
