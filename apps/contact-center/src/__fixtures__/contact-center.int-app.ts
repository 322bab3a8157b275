import { Global, Module, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { AppErrorFilter } from '@medbus/errors';
import { AuthGuard, CredentialsService, type Caller, type Introspection, type Introspector } from '@medbus/service-auth';
import { Clock, SystemClock } from '../clock.service';

/** A clock the test sets (`at`, `set`) or moves. */
export class ManualClock extends Clock {
  constructor(public at: Date) {
    super();
  }
  now(): Date {
    return this.at;
  }
  set(at: Date): void {
    this.at = at;
  }
  advanceHours(hours: number): void {
    this.at = new Date(this.at.getTime() + hours * 3_600_000);
  }
}

export interface ContactCenterTestAppOptions {
  /** The test schema's data source, migrated; TypeORM closes it with the app. */
  readonly dataSource: DataSource;
  /** What AppConfig answers every module. */
  readonly config: object;
  readonly imports?: ModuleMetadata['imports'];
  readonly controllers?: ModuleMetadata['controllers'];
  readonly providers?: ModuleMetadata['providers'];
  /** The Clock every module reads; the system's when not given. */
  readonly clock?: Clock;
  /** Whose a presented key is; by default the keys `keyOf` made, any other refused. */
  readonly introspector?: Introspector;
  /** Nest's own log (off by default). */
  readonly logs?: boolean;
}

export interface ContactCenterTestApp {
  readonly app: INestApplication;
  readonly url: string;
  /** A key the default introspector answers as `caller`. */
  keyOf(caller: Omit<Caller, 'channel'>): string;
}

/**
 * Part of the contact centre over a test's data source, listening on a free local port: the modules,
 * controllers and providers a test names, AppConfig and the Clock for all of them, the real AuthGuard
 * over a fake introspector and the error filter, as the service has them.
 */
export async function startContactCenterTestApp(options: ContactCenterTestAppOptions): Promise<ContactCenterTestApp> {
  const callers = new Map<string, Introspection>();
  const introspector: Introspector = options.introspector ?? { introspect: async (key) => callers.get(key) ?? { active: false } };

  @Global()
  @Module({
    providers: [{ provide: AppConfig, useValue: options.config }, options.clock ? { provide: Clock, useValue: options.clock } : { provide: Clock, useClass: SystemClock }],
    exports: [AppConfig, Clock],
  })
  class TestGlobalsModule {}

  @Module({
    imports: [TestGlobalsModule, TypeOrmModule.forRootAsync({ useFactory: () => ({ type: 'postgres' as const }), dataSourceFactory: async () => options.dataSource }), ...(options.imports ?? [])],
    controllers: options.controllers ?? [],
    providers: [
      { provide: CredentialsService, useValue: new CredentialsService(introspector) },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_FILTER, useClass: AppErrorFilter },
      ...(options.providers ?? []),
    ],
  })
  class ContactCenterTestModule {}

  const app = await NestFactory.create(ContactCenterTestModule, { logger: options.logs ? undefined : false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  let keys = 0;
  return {
    app,
    url: await app.getUrl(),
    keyOf: (caller) => {
      const key = `mbk.${(++keys).toString(16).padStart(16, '0')}.${'k'.repeat(43)}`;
      callers.set(key, { active: true, clientId: caller.clientId, role: caller.role, channel: 'CONTACT_CENTRE', branch: caller.branch });
      return key;
    },
  };
}
