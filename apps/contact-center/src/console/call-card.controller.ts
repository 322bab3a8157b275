import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@medbus/service-auth';
import { CurrentConsoleSession, sessionTokenOf, type ConsoleRequest } from './console-auth.middleware';
import { ConsoleEvents } from './console-events.service';
import { CallCardService, type CallCard } from './call-card.service';
import type { ConsoleSession } from './session.service';

/** The call on the operator's seat and its card; the console's event stream. The session is checked by ConsoleAuthMiddleware. */
@ApiTags('console')
@ApiCookieAuth('mb_console')
@Public()
@Controller('console/api')
export class CallCardController {
  constructor(
    @Inject(CallCardService) private readonly cards: CallCardService,
    @Inject(ConsoleEvents) private readonly events: ConsoleEvents,
  ) {}

  @Get('calls/current')
  @ApiOperation({ summary: 'The call now connected to the session’s seat, with its card; { call: null } when none' })
  async current(@CurrentConsoleSession() session: ConsoleSession): Promise<{ call: CallCard | null }> {
    return { call: await this.cards.current(session) };
  }

  @Get('cards/:uniqueid')
  @ApiOperation({ summary: 'The card of a call connected to the session’s seat within the last 12 h: earlier calls, open call-back tasks and open appeals of the same caller; 404 CONSOLE.UNKNOWN_CALL' })
  card(@CurrentConsoleSession() session: ConsoleSession, @Param('uniqueid') uniqueid: string): Promise<CallCard> {
    return this.cards.card(session, uniqueid);
  }

  @Get('events')
  @ApiOperation({ summary: 'Server-Sent Events: call, call-ended (the seat’s calls), live (the wallboard every CC_CONSOLE_LIVE_MS), : ping every 15 s' })
  stream(@CurrentConsoleSession() session: ConsoleSession, @Req() req: ConsoleRequest, @Res() res: ServerResponse): void {
    this.events.open(sessionTokenOf(req) ?? '', session, res);
  }
}
