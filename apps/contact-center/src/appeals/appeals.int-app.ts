import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Caller } from '@medbus/service-auth';
import { ManualClock, startContactCenterTestApp } from '../__fixtures__/contact-center.int-app';
import { HealthService } from '../health/health.service';
import { KnowledgeController } from '../knowledge/knowledge.controller';
import { AppealTypeArticlesController } from '../knowledge/appeal-type-articles.controller';
import { KnowledgeQuery } from '../knowledge/knowledge.query';
import { KnowledgeService } from '../knowledge/knowledge.service';
import { appealsMigrations } from '../migrations/appeals.migrations';
import { knowledgeMigrations } from '../migrations/knowledge.migrations';
import { AppealEscalationService } from './appeal-escalation.service';
import { appealProtectionProviders } from './appeal-protection.service';
import { AppealStatisticsQuery } from './appeal-statistics.query';
import { AppealTypesController } from './appeal-types.controller';
import { AppealTypesService } from './appeal-types.service';
import { AppealsController } from './appeals.controller';
import { AppealsQuery } from './appeals.query';
import { AppealsService } from './appeals.service';
import { EscalationPoller } from './escalation.poller';
import { OrganisationDirectory, type OrganisationDistrict } from './organisation-directory.client';

/** The migrations a test schema needs: the appeals' and the knowledge base's own. */
export const appealsTestMigrations = [...appealsMigrations, ...knowledgeMigrations];

export interface AppealsTestApp {
  readonly url: string;
  readonly dataSource: DataSource;
  readonly clock: ManualClock;
  readonly poller: EscalationPoller;
  readonly statistics: AppealStatisticsQuery;
  /** A key for a caller: the fake introspection answers it as that caller. */
  keyOf(caller: Omit<Caller, 'channel'>): string;
  close(): Promise<void>;
}

/**
 * The appeals and knowledge controllers over a test's data source (a fresh schema migrated with
 * {@link appealsTestMigrations}; closed with the app), the real AuthGuard over a fake introspection
 * (keys → callers), a manual clock and an organisation directory of the given districts.
 */
export async function startAppealsTestApp(dataSource: DataSource, districts: Readonly<Record<string, OrganisationDistrict>> = {}, start = new Date('2026-03-02T07:00:00Z')): Promise<AppealsTestApp> {
  const clock = new ManualClock(start);
  const config = {
    CC_HEAD_BRANCH: 'head',
    CC_TIME_ZONE: 'Europe/Moscow',
    CC_FOLLOW_UP_WITHIN_HOURS: 24,
    CC_FOLLOW_UP_RETRY_HOURS: 4,
    CC_APPEAL_ESCALATION_POLL_MS: 60_000,
    CC_DATA_KEYS: [{ id: 'test', key: randomBytes(32) }],
    CC_PHONE_HASH_KEY: randomBytes(32),
  };

  const { app, url, keyOf } = await startContactCenterTestApp({
    dataSource,
    config,
    clock,
    controllers: [AppealsController, AppealTypesController, KnowledgeController, AppealTypeArticlesController],
    providers: [
      { provide: OrganisationDirectory, useValue: { districtOf: async (oid: string) => districts[oid] ?? null } satisfies OrganisationDirectory },
      ...appealProtectionProviders,
      HealthService,
      AppealTypesService,
      AppealsService,
      AppealsQuery,
      AppealEscalationService,
      AppealStatisticsQuery,
      KnowledgeQuery,
      KnowledgeService,
    ],
  });
  const poller = new EscalationPoller(config, clock, app.get(AppealEscalationService), app.get(HealthService));
  return {
    url,
    dataSource,
    clock,
    poller,
    statistics: app.get(AppealStatisticsQuery),
    keyOf,
    close: () => app.close(),
  };
}

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T & { error?: { code: string; message: string } };
}

/** Calls the test app as the holder of `key`. */
export function client(url: string, key: string) {
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Answer<T>['body'] };
  };
}
