import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { loadConfig } from '@medbus/config';
import { CredentialsService, type Caller, type Introspection, type Introspector } from '@medbus/service-auth';
// The PBX simulator runs in-process in the integration tests (tools/simulators is no Nx project to import by alias).
// eslint-disable-next-line @nx/enforce-module-boundaries
import type { RunningTelephonySimulator } from '../../../../tools/simulators/telephony/simulator';
import { ManualClock, startContactCenterTestApp } from '../__fixtures__/contact-center.int-app';
import { appealProtectionProviders } from '../appeals/appeal-protection.service';
import { AppealStatisticsQuery } from '../appeals/appeal-statistics.query';
import { AppealTypesService } from '../appeals/appeal-types.service';
import { appealsConfigSchema } from '../appeals/appeals.config';
import { AppealsQuery } from '../appeals/appeals.query';
import { AppealsService } from '../appeals/appeals.service';
import { busConfigSchema } from '../bus/bus.config';
import { RegionHealthController } from '../bus/region-health.controller';
import { RegionHealthQuery } from '../bus/region-health.query';
import { callbacksConfigSchema } from '../callbacks/callbacks.config';
import { CallbacksController } from '../callbacks/callbacks.controller';
import { callsConfigSchema } from '../calls/calls.config';
import { CallsController } from '../calls/calls.controller';
import { adminToken, callsAndCallbacksProviders, testKeys } from '../calls/calls.int-app';
import { LiveQueueService } from '../calls/live-queue.service';
import { statisticsConfigSchema } from '../statistics/statistics.config';
import { CallStatisticsQuery } from '../statistics/call-statistics.query';
import { StatisticsService } from '../statistics/statistics.service';
import { consoleConfigSchema } from './console.config';
import { applyConsoleMiddleware, consoleControllers, consoleProviders } from './console.module';
import { ConsoleEvents } from './console-events.service';

export interface ConsoleTestApp {
  readonly url: string;
  readonly dataSource: DataSource;
  readonly clock: ManualClock;
  readonly live: LiveQueueService;
  readonly appeals: AppealsService;
  readonly events: ConsoleEvents;
  /** A key booking's (fake) introspection answers as `caller` until revoked. */
  keyOf(caller: Omit<Caller, 'channel'>): string;
  revoke(key: string): void;
  close(): Promise<void>;
}

/**
 * The console's backend over `dataSource` with what it reads (calls and their PBX link to `pbx`,
 * call-backs, appeals, statistics, region health) and the calls, call-backs and region API it passes
 * through, booking at `bookingUrl` (a test's fake), a clock the test moves, keys answered by a fake
 * introspection shared by the service's guard and the console's sign-in.
 */
export async function startConsoleTestApp(dataSource: DataSource, pbx: RunningTelephonySimulator, bookingUrl: string, env: Record<string, string> = {}): Promise<ConsoleTestApp> {
  const callers = new Map<string, Introspection>();
  const introspector: Introspector = { introspect: async (key) => callers.get(key) ?? { active: false } };
  const clock = new ManualClock(new Date());
  const config = {
    CC_HEAD_BRANCH: 'head',
    CC_TIME_ZONE: 'Europe/Moscow',
    BOOKING_URL: bookingUrl,
    BOOKING_TIMEOUT_MS: 1_000,
    ...loadConfig(callsConfigSchema.merge(callbacksConfigSchema).merge(appealsConfigSchema).merge(busConfigSchema).merge(statisticsConfigSchema).merge(consoleConfigSchema), {
      CC_DATA_KEYS: testKeys.dataKeys,
      CC_PHONE_HASH_KEY: testKeys.hashKey,
      CC_AMI_HOST: pbx.host,
      CC_AMI_PORT: String(pbx.amiPort),
      CC_AMI_USERNAME: 'medbus',
      CC_AMI_SECRET: 'amisecret',
      CC_QUEUE_LOG_URL: `${pbx.adminUrl}/queue_log`,
      CC_QUEUE_LOG_TOKEN: adminToken,
      CC_AMI_RECONNECT_MAX_MS: '500',
      CC_CALLBACK_AUTODIAL: 'false',
      CC_CONSOLE_LIVE_MS: '200',
      CC_CONSOLE_DIR: '/nonexistent/operator-console',
      ...env,
    }),
  };

  @Module({
    controllers: [CallsController, CallbacksController, RegionHealthController, ...consoleControllers],
    providers: [
      { provide: CredentialsService, useValue: new CredentialsService(introspector) },
      ...callsAndCallbacksProviders,
      ...appealProtectionProviders,
      AppealTypesService,
      AppealsService,
      AppealsQuery,
      AppealStatisticsQuery,
      CallStatisticsQuery,
      StatisticsService,
      RegionHealthQuery,
      ...consoleProviders,
    ],
  })
  class ConsoleTestModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      applyConsoleMiddleware(consumer);
    }
  }

  const { app, url } = await startContactCenterTestApp({ dataSource, config, clock, introspector, imports: [ConsoleTestModule] });
  let keys = 0;
  return {
    url,
    dataSource,
    clock,
    live: app.get(LiveQueueService),
    appeals: app.get(AppealsService),
    events: app.get(ConsoleEvents),
    keyOf: (caller) => {
      const key = `mbk.${(++keys).toString(16).padStart(16, 'c')}.${'k'.repeat(43)}`;
      callers.set(key, { active: true, clientId: caller.clientId, role: caller.role, channel: 'CONTACT_CENTRE', branch: caller.branch });
      return key;
    },
    revoke: (key) => void callers.delete(key),
    close: () => app.close(),
  };
}
