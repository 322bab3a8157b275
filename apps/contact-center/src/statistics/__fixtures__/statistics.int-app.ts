import { randomBytes } from 'node:crypto';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { AppErrorFilter } from '@medbus/errors';
import { AuthGuard, CredentialsService, type Caller, type Introspection } from '@medbus/service-auth';
import { dropSchemas, schemaDataSource, uniqueName } from '@medbus/testing';
import { appealProtectionProviders } from '../../appeals/appeal-protection.service';
import { AppealStatisticsQuery } from '../../appeals/appeal-statistics.query';
import { AppealTypesService } from '../../appeals/appeal-types.service';
import { AppealsService } from '../../appeals/appeals.service';
import { Clock } from '../../clock.service';
import { contactCenterMigrations } from '../../app.module';
import { CallbackAttemptsService } from '../../callbacks/callback-attempts.service';
import { CallbacksService } from '../../callbacks/callbacks.service';
import { CallerCipher, CallerHash } from '../../calls/caller-protection.service';
import { CallsService } from '../../calls/calls.service';
import { LiveQueueService } from '../../calls/live-queue.service';
import { CallStatisticsQuery } from '../call-statistics.query';
import { StatisticsController } from '../statistics.controller';
import { StatisticsService } from '../statistics.service';

/** A clock the test sets. */
export class SetClock extends Clock {
  constructor(public at: Date) {
    super();
  }
  now(): Date {
    return this.at;
  }
}

export interface StatisticsTestApp {
  readonly url: string;
  readonly dataSource: DataSource;
  readonly clock: SetClock;
  readonly calls: CallsService;
  readonly callbacks: CallbackAttemptsService;
  readonly appeals: AppealsService;
  readonly live: LiveQueueService;
  /** A key the fake introspection answers as `caller`. */
  keyOf(caller: Omit<Caller, 'channel'>): string;
  close(): Promise<void>;
}

export const testSettings = {
  CC_HEAD_BRANCH: 'head',
  CC_TIME_ZONE: 'Europe/Moscow',
  CC_SERVICE_LEVEL_SECONDS: 60,
  /** `q-south` takes no call in the tests: its branch shows zeros. */
  CC_QUEUE_BRANCHES: { 'q-head': 'head', 'q-north': 'north', 'q-south': 'south' } as Record<string, string>,
} as const;

/**
 * The statistics controller over a fresh schema with the whole contact centre's migrations, its
 * sources' owners (calls, call-backs, appeals) to write through, the real AuthGuard over a fake
 * introspection and a clock the test sets.
 */
export async function startStatisticsTestApp(start: Date): Promise<StatisticsTestApp> {
  const schema = `cc_test_${uniqueName('stats').replace(/[^a-z0-9]/g, '')}`.slice(0, 60);
  const dataSource = await schemaDataSource(schema, { migrations: contactCenterMigrations, migrationsTableName: 'contact_center_migrations' });
  const clock = new SetClock(start);
  const callers = new Map<string, Introspection>();
  const config = {
    ...testSettings,
    CC_CALLBACK_RETRY_MINUTES: [5, 15],
    CC_FOLLOW_UP_WITHIN_HOURS: 24,
    CC_FOLLOW_UP_RETRY_HOURS: 4,
    CC_DATA_KEYS: [{ id: 'test', key: randomBytes(32) }],
    CC_PHONE_HASH_KEY: randomBytes(32),
  };

  @Global()
  @Module({ providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] })
  class TestConfigModule {}

  @Module({
    imports: [TestConfigModule, TypeOrmModule.forRootAsync({ useFactory: () => ({ type: 'postgres' as const }), dataSourceFactory: async () => dataSource })],
    controllers: [StatisticsController],
    providers: [
      { provide: Clock, useValue: clock },
      { provide: CredentialsService, useValue: new CredentialsService({ introspect: async (key) => callers.get(key) ?? { active: false } }) },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_FILTER, useClass: AppErrorFilter },
      CallerCipher,
      CallerHash,
      CallbacksService,
      CallbackAttemptsService,
      CallsService,
      LiveQueueService,
      ...appealProtectionProviders,
      AppealTypesService,
      AppealsService,
      AppealStatisticsQuery,
      CallStatisticsQuery,
      StatisticsService,
    ],
  })
  class StatisticsTestModule {}

  const app: INestApplication = await NestFactory.create(StatisticsTestModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  let keys = 0;
  return {
    url: await app.getUrl(),
    dataSource,
    clock,
    calls: app.get(CallsService),
    callbacks: app.get(CallbackAttemptsService),
    appeals: app.get(AppealsService),
    live: app.get(LiveQueueService),
    keyOf: (caller) => {
      const key = `mbk.${(++keys).toString(16).padStart(16, '0')}.${'s'.repeat(43)}`;
      callers.set(key, { active: true, clientId: caller.clientId, role: caller.role, channel: 'CONTACT_CENTRE', branch: caller.branch });
      return key;
    },
    close: async () => {
      await app.close();
      await dropSchemas(schema);
    },
  };
}
