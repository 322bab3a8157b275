import { Module, type DynamicModule, type INestApplication, type LoggerService, type MiddlewareConsumer, type NestModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig, ConfigModule, answerMalformedRequests, applyServerTimeouts, ensureDatabaseSchema, httpsOptionsOf, loadConfig, postgresSessionOptionsOf, runMigrationsLocked, type Env } from '@medbus/config';
import { AppErrorFilter, HostileInputMiddleware } from '@medbus/errors';
import { AddBackboneRetentionIndexes1795910400000, CreateKafkaBackboneTables1732406400000 } from '@medbus/kafka';
import { RedactingLogger } from '@medbus/telemetry';
import { AppealsModule } from './appeals/appeals.module';
import { AuthModule } from './auth/auth.module';
import { BusModule } from './bus/bus.module';
import { CallbacksModule } from './callbacks/callbacks.module';
import { CallsModule } from './calls/calls.module';
import { ClockModule } from './clock.service';
import { ConsoleModule } from './console/console.module';
import { contactCenterConfigSchema, type ContactCenterConfig, type ContactCenterDatabaseConfig } from './contact-center.config';
import { HealthModule } from './health/health.module';
import { KnowledgeModule } from './knowledge/knowledge.module';
import { appealsMigrations } from './migrations/appeals.migrations';
import { busMigrations } from './migrations/bus.migrations';
import { callbacksMigrations } from './migrations/callbacks.migrations';
import { callsMigrations } from './migrations/calls.migrations';
import { consoleMigrations } from './migrations/console.migrations';
import { knowledgeMigrations } from './migrations/knowledge.migrations';
import { statisticsMigrations } from './migrations/statistics.migrations';
import { PbxModule } from './pbx/pbx.module';
import { StatisticsModule } from './statistics/statistics.module';

/** In the order they run: the backbone's tables, then each module's, a module after those it reads. */
export const contactCenterMigrations = [
  CreateKafkaBackboneTables1732406400000,
  AddBackboneRetentionIndexes1795910400000,
  ...callsMigrations,
  ...callbacksMigrations,
  ...appealsMigrations,
  ...knowledgeMigrations,
  ...busMigrations,
  ...statisticsMigrations,
  ...consoleMigrations,
];

const migrationLock = 7_781_411;

/** The contact centre's database: its schema placed by search_path, its migrations under its own lock. */
export function contactCenterDataSourceOptions(config: ContactCenterDatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres' as const,
    url: config.DATABASE_URL,
    schema: config.CC_DATABASE_SCHEMA,
    // Raw SQL and the backbone's tables name no schema: the connection's search_path places them.
    extra: { options: postgresSessionOptionsOf(config, [`search_path=${config.CC_DATABASE_SCHEMA}`]) },
    migrations: contactCenterMigrations,
    migrationsTableName: 'contact_center_migrations',
  };
}

const shutdownHook = Symbol('contact-center shutdown hook');

/**
 * Each feature module starts what it runs beside the HTTP server (the AMI link, the bus consumer,
 * pollers) in onApplicationBootstrap and stops it in beforeApplicationShutdown, before the database
 * closes.
 */
@Module({})
export class AppModule implements NestModule {
  /** A NUL byte anywhere in a request is refused (400 REQUEST.NUL_BYTE) before a handler or PostgreSQL sees it. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HostileInputMiddleware).forRoutes('*');
  }

  static forRoot(env: Env = process.env, onShutdown?: () => Promise<void>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(contactCenterConfigSchema, env),
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: async (config: ContactCenterConfig) => {
            await ensureDatabaseSchema(config.DATABASE_URL, config.CC_DATABASE_SCHEMA);
            return contactCenterDataSourceOptions(config);
          },
          dataSourceFactory: async (options) => {
            await runMigrationsLocked(options as DataSourceOptions, migrationLock);
            return new DataSource(options as DataSourceOptions).initialize();
          },
        }),
        ClockModule,
        HealthModule,
        AuthModule,
        PbxModule,
        CallsModule,
        CallbacksModule,
        AppealsModule,
        KnowledgeModule,
        BusModule,
        StatisticsModule,
        ConsoleModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AppErrorFilter },
        // Runs after every module has stopped and the database has closed (e.g. to flush traces).
        { provide: shutdownHook, useValue: { onApplicationShutdown: () => onShutdown?.() } satisfies OnApplicationShutdown },
      ],
    };
  }
}

export interface StartOptions {
  /** Overrides HTTP_PORT (0: any free port). */
  readonly port?: number;
  readonly logger?: LoggerService | false;
  /** Called last when the app closes (SIGTERM/SIGINT through Nest's shutdown hooks, or close()). */
  readonly onShutdown?: () => Promise<void>;
}

/** Creates the contact-centre service: calls from the PBX, call-backs, appeals, the bus's notices, statistics, the knowledge base; OpenAPI at /docs. */
export async function startContactCenterApp(env: Env = process.env, options: StartOptions = {}): Promise<INestApplication> {
  const httpsOptions = httpsOptionsOf(loadConfig(contactCenterConfigSchema, env));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env, options.onShutdown), { logger: options.logger ?? new RedactingLogger(), httpsOptions });
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  const config = app.get<ContactCenterConfig>(AppConfig);

  const openApi = new DocumentBuilder()
    .setTitle('medbus contact centre')
    .setDescription('Calls, call-backs, appeals, notices from the bus, statistics and the knowledge base of the regional contact centre. Every /v1 route needs `Authorization: Bearer <API key>`.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi));

  applyServerTimeouts(app.getHttpServer(), config);
  answerMalformedRequests(app.getHttpServer());
  await app.listen(options.port ?? config.HTTP_PORT, config.HTTP_HOST);
  return app;
}
