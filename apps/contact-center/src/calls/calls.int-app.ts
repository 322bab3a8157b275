import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadConfig } from '@medbus/config';
import type { Caller } from '@medbus/service-auth';
// The PBX simulator runs in-process in the integration tests (tools/simulators is no Nx project to import by alias).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadSimulatorConfig } from '../../../../tools/simulators/telephony/simulator.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startTelephonySimulator, type RunningTelephonySimulator } from '../../../../tools/simulators/telephony/simulator';
import { CallbackAttemptsService } from '../callbacks/callback-attempts.service';
import { CallbackTasksQuery } from '../callbacks/callback-tasks.query';
import { CallbacksController } from '../callbacks/callbacks.controller';
import { callbacksConfigSchema } from '../callbacks/callbacks.config';
import { CallbacksService } from '../callbacks/callbacks.service';
import { DiallerPoller } from '../callbacks/dialler.poller';
import { HealthService } from '../health/health.service';
import { callbacksMigrations } from '../migrations/callbacks.migrations';
import { callsMigrations } from '../migrations/calls.migrations';
import { startContactCenterTestApp } from '../__fixtures__/contact-center.int-app';
import { PbxHealthIndicator } from '../pbx/pbx.module';
import { PbxLink } from '../pbx/pbx-link.service';
import { QueueLogClient } from '../pbx/queue-log.client';
import { CallConnections } from './call-connections.service';
import { CallIngestService } from './call-ingest.service';
import { CallerCipher, CallerHash } from './caller-protection.service';
import { CallsController } from './calls.controller';
import { callsConfigSchema } from './calls.config';
import { CallsQuery } from './calls.query';
import { CallsService } from './calls.service';
import { LiveQueueService } from './live-queue.service';

export const callsTestMigrations = [...callsMigrations, ...callbacksMigrations];
export const adminToken = 'telsim-admin-token-for-tests';

/** The PBX link, calls and call-backs with their tables' owners: what every int app of these modules runs. */
export const callsAndCallbacksProviders = [
  PbxLink,
  QueueLogClient,
  CallerCipher,
  CallerHash,
  CallsService,
  CallIngestService,
  CallConnections,
  CallsQuery,
  LiveQueueService,
  CallbacksService,
  CallbackAttemptsService,
  CallbackTasksQuery,
  DiallerPoller,
];

/** The PBX simulator in-process (no traffic of its own unless asked), fast simulated time. */
export async function startTestPbx(speed = 20, extra: readonly string[] = []): Promise<RunningTelephonySimulator> {
  const argv = [...extra, '--host', '127.0.0.1', '--ami-port', '0', '--admin-port', '0', '--calls-per-day', '0', '--speed', String(speed), '--queues', 'head:3,sochi:2', '--pause-every-seconds', '0', '--ring-no-answer-share', '0', '--redial-share', '0', '--admin-token', adminToken, '--seed', '11'];
  return startTelephonySimulator(loadSimulatorConfig(argv, {}), { log: () => undefined });
}

/** Calls the simulator's admin API. */
export async function admin<T>(pbx: RunningTelephonySimulator, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${pbx.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`simulator ${method} ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

/** A data source on an existing test schema (a restarted service opens its own). */
export async function reopen(databaseUrl: string, schema: string): Promise<DataSource> {
  return new DataSource({ type: 'postgres', url: databaseUrl, extra: { options: `-c search_path=${schema}`, max: 4 } }).initialize();
}

export interface CallsTestApp {
  readonly url: string;
  readonly dataSource: DataSource;
  readonly link: PbxLink;
  readonly ingest: CallIngestService;
  readonly live: LiveQueueService;
  readonly tasks: CallbackTasksQuery;
  keyOf(caller: Omit<Caller, 'channel'>): string;
  close(): Promise<void>;
}

export const testKeys = { dataKeys: `it=${randomBytes(32).toString('base64')}`, hashKey: randomBytes(32).toString('base64') };

/**
 * The calls, call-backs and PBX link of the contact centre over `dataSource` (closed with the app),
 * connected to `pbx`, with the real AuthGuard over a fake introspection (keys → callers).
 */
export async function startCallsTestApp(dataSource: DataSource, pbx: RunningTelephonySimulator, env: Record<string, string> = {}): Promise<CallsTestApp> {
  const config = {
    CC_HEAD_BRANCH: 'head',
    ...loadConfig(callsConfigSchema.merge(callbacksConfigSchema), {
      CC_DATA_KEYS: testKeys.dataKeys,
      CC_PHONE_HASH_KEY: testKeys.hashKey,
      CC_AMI_HOST: pbx.host,
      CC_AMI_PORT: String(pbx.amiPort),
      CC_AMI_USERNAME: 'medbus',
      CC_AMI_SECRET: 'amisecret',
      CC_QUEUE_LOG_URL: `${pbx.adminUrl}/queue_log`,
      CC_QUEUE_LOG_TOKEN: adminToken,
      CC_AMI_RECONNECT_MAX_MS: '500',
      CC_CALLBACK_POLL_MS: '200',
      CC_ORIGINATE_TIMEOUT_MS: '5000',
      ...env,
    }),
  };
  const { app, url, keyOf } = await startContactCenterTestApp({
    dataSource,
    config,
    controllers: [CallsController, CallbacksController],
    providers: [HealthService, PbxHealthIndicator, ...callsAndCallbacksProviders],
  });
  return {
    url,
    dataSource,
    link: app.get(PbxLink),
    ingest: app.get(CallIngestService),
    live: app.get(LiveQueueService),
    tasks: app.get(CallbackTasksQuery),
    keyOf,
    close: () => app.close(),
  };
}
