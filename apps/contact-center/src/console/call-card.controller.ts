import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@medbus/service-auth';
import { CurrentConsoleSession } from './console-auth.middleware';
import { CallCardService, type CallCard } from './call-card.service';
import type { ConsoleSession } from './session.service';

/** The call on the operator's seat and its card. The session is checked by ConsoleAuthMiddleware. */
@ApiTags('console')
@ApiCookieAuth('mb_console')
@Public()
@Controller('console/api')
export class CallCardController {
  constructor(@Inject(CallCardService) private readonly cards: CallCardService) {}

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
}
