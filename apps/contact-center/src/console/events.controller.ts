import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '@medbus/service-auth';
import { CurrentConsoleSession, sessionTokenOf, type ConsoleRequest } from './console-auth.middleware';
import { ConsoleEvents } from './console-events.service';
import type { ConsoleSession } from './session.service';

/** The console's live push (an EventSource with the session cookie). The session is checked by ConsoleAuthMiddleware. */
@ApiTags('console')
@ApiCookieAuth('mb_console')
@Public()
@Controller('console/api/events')
export class EventsController {
  constructor(@Inject(ConsoleEvents) private readonly events: ConsoleEvents) {}

  @Get()
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Server-Sent Events: call, call-ended (the seat’s calls), live (the wallboard every CC_CONSOLE_LIVE_MS), : ping every 15 s; ends at sign-out, expiry and shutdown' })
  stream(@CurrentConsoleSession() session: ConsoleSession, @Req() req: ConsoleRequest, @Res() res: ServerResponse): void {
    this.events.open(sessionTokenOf(req) ?? '', session, res);
  }
}
