import type { ServerResponse } from 'node:http';
import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@medbus/config';
import { Public } from '@medbus/service-auth';
import type { ContactCenterConfig } from '../contact-center.config';
import { CurrentConsoleSession, type ConsoleRequest } from './console-auth.middleware';
import { clearedSessionCookie, loginRequestOf, sessionCookie } from './console-request.mapper';
import { ConsoleEvents } from './console-events.service';
import { SessionService, sessionViewOf, type ConsoleSession, type SessionView } from './session.service';

/** Sign-in and sign-out of the operator console (a cookie session; the API key stays on the server). */
@ApiTags('console')
@ApiCookieAuth('mb_console')
@Public()
@Controller('console/api/session')
export class SessionController {
  constructor(
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(ConsoleEvents) private readonly events: ConsoleEvents,
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_CONSOLE_SECURE_COOKIE'>,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Signs in with a booking API key (an operator may bind his seat, the PBX interface of his phone); header x-medbus-console: 1' })
  @ApiCreatedResponse({ description: '{ clientId, role, branch, seat } and the cookie mb_console. 401 CONSOLE.LOGIN_FAILED, 403 CONSOLE.ROLE_NOT_ALLOWED, 400 CONSOLE.INVALID_SEAT, 403 CONSOLE.SEAT_OF_OTHER_BRANCH, 429 CONSOLE.TOO_MANY_ATTEMPTS' })
  async signIn(@Body() body: unknown, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: ServerResponse): Promise<SessionView> {
    const { token, session } = await this.sessions.open(loginRequestOf(body), req.socket.remoteAddress ?? 'unknown');
    res.setHeader('set-cookie', sessionCookie(token, { secure: this.config.CC_CONSOLE_SECURE_COOKIE, maxAgeSeconds: this.sessions.maxAgeSeconds }));
    res.setHeader('cache-control', 'no-store');
    return sessionViewOf(session);
  }

  @Get()
  @ApiOperation({ summary: 'Who is signed in; 401 CONSOLE.NO_SESSION' })
  whoAmI(@CurrentConsoleSession() session: ConsoleSession): SessionView {
    return sessionViewOf(session);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Signs out: the session is deleted, its event streams end, the cookie is cleared' })
  async signOut(@CurrentConsoleSession() session: ConsoleSession, @Res({ passthrough: true }) res: ServerResponse): Promise<void> {
    await this.sessions.close(session.tokenHash);
    this.events.closeSession(session.tokenHash);
    res.setHeader('set-cookie', clearedSessionCookie(this.config.CC_CONSOLE_SECURE_COOKIE));
  }
}
