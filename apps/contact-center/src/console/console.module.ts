import { Module, type MiddlewareConsumer, type NestModule, type Provider, type Type } from '@nestjs/common';
import { AppealsModule } from '../appeals/appeals.module';
import { AuthModule } from '../auth/auth.module';
import { CallbacksModule } from '../callbacks/callbacks.module';
import { CallsModule } from '../calls/calls.module';
import { StatisticsModule } from '../statistics/statistics.module';
import { CallCardController } from './call-card.controller';
import { CallCardService } from './call-card.service';
import { ConsoleAuthMiddleware } from './console-auth.middleware';
import { ConsoleEvents } from './console-events.service';
import { ConsoleProxyController } from './console-proxy.controller';
import { ConsoleStaticController } from './console-static.controller';
import { EventsController } from './events.controller';
import { SeatCalls } from './seat-calls.service';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';

/** The static pages last: their catch-all answers what no other console route did. */
export const consoleControllers: Type[] = [SessionController, CallCardController, EventsController, ConsoleProxyController, ConsoleStaticController];
export const consoleProviders: Provider[] = [SessionService, SeatCalls, CallCardService, ConsoleEvents, ConsoleAuthMiddleware];

/** Every request of the service passes it: it acts on /console/api/* only (re-dispatching /console/api/cc/* needs the whole app). */
export function applyConsoleMiddleware(consumer: MiddlewareConsumer): void {
  consumer.apply(ConsoleAuthMiddleware).forRoutes('*');
}

/**
 * The operator console's backend-for-frontend (console contract of issue 12): cookie sessions over the
 * people's booking keys (owns `console_session`), this service's API and booking's passed through as the
 * person, the seat's calls pushed as Server-Sent Events with their cards, and the built SPA at /console/.
 */
@Module({
  imports: [AuthModule, CallsModule, CallbacksModule, AppealsModule, StatisticsModule],
  controllers: consoleControllers,
  providers: consoleProviders,
})
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    applyConsoleMiddleware(consumer);
  }
}
