import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Caller } from '@medbus/service-auth';
import { dropSchemas, schemaDataSource, uniqueName } from '@medbus/testing';
import { ManualClock, startContactCenterTestApp } from '../../__fixtures__/contact-center.int-app';
import { appealProtectionProviders } from '../../appeals/appeal-protection.service';
import { AppealStatisticsQuery } from '../../appeals/appeal-statistics.query';
import { AppealTypesService } from '../../appeals/appeal-types.service';
import { AppealsService } from '../../appeals/appeals.service';
import { contactCenterMigrations } from '../../app.module';
import { CallbackAttemptsService } from '../../callbacks/callback-attempts.service';
import { CallbacksService } from '../../callbacks/callbacks.service';
import { CallerCipher, CallerHash } from '../../calls/caller-protection.service';
import { CallsService } from '../../calls/calls.service';
import { LiveQueueService } from '../../calls/live-queue.service';
import { CallStatisticsQuery } from '../call-statistics.query';
import { StatisticsController } from '../statistics.controller';
import { StatisticsService } from '../statistics.service';

export interface StatisticsTestApp {
  readonly url: string;
  readonly dataSource: DataSource;
  readonly clock: ManualClock;
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
  const clock = new ManualClock(start);
  const config = {
    ...testSettings,
    CC_CALLBACK_RETRY_MINUTES: [5, 15],
    CC_FOLLOW_UP_WITHIN_HOURS: 24,
    CC_FOLLOW_UP_RETRY_HOURS: 4,
    CC_DATA_KEYS: [{ id: 'test', key: randomBytes(32) }],
    CC_PHONE_HASH_KEY: randomBytes(32),
  };

  const { app, url, keyOf } = await startContactCenterTestApp({
    dataSource,
    config,
    clock,
    controllers: [StatisticsController],
    providers: [
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
  });
  return {
    url,
    dataSource,
    clock,
    calls: app.get(CallsService),
    callbacks: app.get(CallbackAttemptsService),
    appeals: app.get(AppealsService),
    live: app.get(LiveQueueService),
    keyOf,
    close: async () => {
      await app.close();
      await dropSchemas(schema);
    },
  };
}
