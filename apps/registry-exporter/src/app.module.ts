import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type INestApplication, type LoggerService, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig, ConfigModule, answerMalformedRequests, applyServerTimeouts, ensureDatabaseSchema, httpsOptionsOf, loadConfig, postgresSessionOptionsOf, runMigrationsLocked, type Env } from '@medbus/config';
import { AppErrorFilter } from '@medbus/errors';
import { AddBackboneRetentionIndexes1795910400000, BackboneRetention, CreateKafkaBackboneTables1732406400000, EventPublisher, KafkaProbe, ProjectionConsumer, kafkaConnectionOf, type KafkaConnectionOptions } from '@medbus/kafka';
import { RedactingLogger } from '@medbus/telemetry';
import { AuthModule } from './auth/auth.module';
import { ExportProjection } from './export/export.consumer';
import { ExportModule } from './export/export.module';
import { ExportWorker } from './export/export.poller';
import { exporterConfigSchema, type ExporterConfig, type ExporterDatabaseConfig } from './exporter.config';
import { FederalServiceModule } from './federal-service/federal-service.module';
import { HealthModule } from './health/health.module';
import { HealthService, type ConsumerCounts } from './health/health.service';
import { CreateExportTables1796400000000 } from './migrations/export-tables.migration';
import { ReconciliationScope1796400000001 } from './migrations/reconciliation-scope.migration';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { ReconciliationPoller } from './reconciliation/reconciliation.poller';
import { ExportStatusModule } from './status/export-status.module';

export const exporterMigrations = [CreateKafkaBackboneTables1732406400000, AddBackboneRetentionIndexes1795910400000, CreateExportTables1796400000000, ReconciliationScope1796400000001];

const migrationLock = 7_781_404;

/** The exporter's database: its schema placed by search_path, its migrations under its own lock. */
export function exporterDataSourceOptions(config: ExporterDatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres' as const,
    url: config.DATABASE_URL,
    schema: config.EXPORTER_DATABASE_SCHEMA,
    // Raw SQL and the backbone's tables name no schema: the connection's search_path places them.
    extra: { options: postgresSessionOptionsOf(config, [`search_path=${config.EXPORTER_DATABASE_SCHEMA}`]) },
    migrations: exporterMigrations,
    migrationsTableName: 'exporter_migrations',
  };
}

/**
 * What runs beside the HTTP server: the export projection's consumer, the export worker it wakes,
 * reconciliation and the backbone's retention. Stopped in that order before the database closes: no
 * batch is applied once the worker stops, and the worker's last call is answered and marked first.
 */
@Injectable()
export class ExporterRuntime implements BeforeApplicationShutdown {
  private consumer?: ProjectionConsumer;
  private publisher?: EventPublisher;
  private retention?: BackboneRetention;

  constructor(
    @Inject(ExportWorker) private readonly worker: ExportWorker,
    @Inject(ReconciliationPoller) private readonly reconciliation: ReconciliationPoller,
  ) {}

  async start(connection: KafkaConnectionOptions, dataSource: DataSource, config: ExporterConfig, projection: ExportProjection): Promise<void> {
    this.publisher = new EventPublisher(connection);
    this.consumer = new ProjectionConsumer({
      connection: { ...connection, clientId: `${connection.clientId}-${projection.name}` },
      groupId: config.EXPORTER_CONSUMER_GROUP,
      projections: [projection],
      dataSource,
      deadLetters: this.publisher,
      maxBatchSize: config.EXPORTER_CONSUMER_BATCH_SIZE,
      logger: new Logger(`${projection.name} consumer`),
    });
    await this.consumer.start();
    await this.worker.start();
    this.reconciliation.start();
    this.retention = new BackboneRetention({
      dataSource,
      outboxRetentionMs: config.BACKBONE_OUTBOX_RETENTION_MS,
      processedEventRetentionMs: config.BACKBONE_PROCESSED_EVENT_RETENTION_MS,
      intervalMs: config.BACKBONE_RETENTION_INTERVAL_MS,
      batchSize: config.BACKBONE_RETENTION_BATCH_SIZE,
      logger: new Logger(BackboneRetention.name),
    });
    this.retention.start();
  }

  counts(): Record<string, ConsumerCounts> {
    return this.consumer ? { [this.consumer.name]: { ...this.consumer.stats } } : {};
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    await this.publisher?.close();
    await this.worker.stop();
    await this.reconciliation.stop();
    await this.retention?.stop();
  }
}

const shutdownHook = Symbol('exporter shutdown hook');

@Module({})
export class AppModule {
  static forRoot(env: Env = process.env, onShutdown?: () => Promise<void>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(exporterConfigSchema, env),
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: async (config: ExporterConfig) => {
            await ensureDatabaseSchema(config.DATABASE_URL, config.EXPORTER_DATABASE_SCHEMA);
            return exporterDataSourceOptions(config);
          },
          dataSourceFactory: async (options) => {
            await runMigrationsLocked(options as DataSourceOptions, migrationLock);
            return new DataSource(options as DataSourceOptions).initialize();
          },
        }),
        AuthModule,
        HealthModule,
        ExportModule,
        ReconciliationModule,
        ExportStatusModule,
        FederalServiceModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AppErrorFilter },
        ExporterRuntime,
        // Runs after the consumer, the worker, the HTTP server and the database have closed (e.g. to flush traces).
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

/** Creates the registry exporter: the export projection and worker, its status API with OpenAPI at /docs, health. */
export async function startExporterApp(env: Env = process.env, options: StartOptions = {}): Promise<INestApplication> {
  const httpsOptions = httpsOptionsOf(loadConfig(exporterConfigSchema, env));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env, options.onShutdown), { logger: options.logger ?? new RedactingLogger(), httpsOptions });
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  const config = app.get<ExporterConfig>(AppConfig);

  const openApi = new DocumentBuilder()
    .setTitle('medbus registry exporter')
    .setDescription('Export of the region to the federal registry (ФЭР): status, data-quality errors, reconciliation. Every /v1 route needs `Authorization: Bearer <API key>`.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi));

  const connection = kafkaConnectionOf(config);
  await app.init();
  const runtime = app.get(ExporterRuntime);
  await runtime.start(connection, app.get<DataSource>(getDataSourceToken()), config, app.get(ExportProjection));
  const health = app.get(HealthService);
  health.consumerStarted(() => runtime.counts());
  health.watchKafka(new KafkaProbe(connection));
  applyServerTimeouts(app.getHttpServer(), config);
  answerMalformedRequests(app.getHttpServer());
  await app.listen(options.port ?? config.HTTP_PORT, config.HTTP_HOST);
  return app;
}
