import { Injectable, Logger, Module, type BeforeApplicationShutdown, type MiddlewareConsumer, type NestModule, type DynamicModule, type OnApplicationShutdown, type INestApplication, type LoggerService } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig, ConfigModule, answerMalformedRequests, ensureDatabaseSchema, runMigrationsLocked, applyServerTimeouts, httpsOptionsOf, loadConfig, postgresSessionOptionsOf, type Env } from '@medbus/config';
import { AppErrorFilter, HostileInputMiddleware } from '@medbus/errors';
import { AddBackboneRetentionIndexes1795910400000, CreateKafkaBackboneTables1732406400000, EventPublisher, KafkaProbe, ProjectionConsumer, kafkaConnectionOf, type KafkaConnectionOptions, type Projection } from '@medbus/kafka';
import { RedactingLogger } from '@medbus/telemetry';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ClientsModule } from './clients/clients.module';
import { CreateClientsAndAudit1796300000000 } from './migrations/clients-and-audit.migration';
import { WaitlistContactEncrypted1796320000000 } from './migrations/waitlist-contact-encrypted.migration';
import { ContactCentreRoles1796500000000 } from './migrations/contact-centre-roles.migration';
import { AppointmentAdapter1796310000000 } from './migrations/appointment-adapter.migration';
import { BackboneRetentionPoller } from './backbone-retention.poller';
import { bookingConfigSchema, type BookingConfig, type BookingDatabaseConfig } from './booking.config';
import { HealthModule } from './health/health.module';
import { HealthService, type ConsumerCounts } from './health/health.service';
import { InventoryProjection } from './inventory/inventory.consumer';
import { InventoryModule } from './inventory/inventory.module';
import { CreateInventoryTables1764028800000 } from './migrations/inventory-tables.migration';
import { CreateBookingTables1764115200000 } from './migrations/booking-tables.migration';
import { CreateHubFacadeTables1764288000000 } from './migrations/hub-facade-tables.migration';
import { InventorySearchIndexes1796100000000 } from './migrations/inventory-search.migration';
import { InventoryAntiEntropy1796200000000 } from './migrations/inventory-anti-entropy.migration';
import { InventorySlotFillfactor1796000000000 } from './migrations/inventory-slot-fillfactor.migration';
import { HubFacadeModule } from './hub-facade/hub-facade.module';
import { AppointmentsModule } from './appointments/appointments.module';
import { OutcomeProjection } from './appointments/outcome.consumer';
import { PatientsModule } from './patients/patients.module';
import { WaitlistModule } from './waitlist/waitlist.module';

export const bookingMigrations = [
  CreateKafkaBackboneTables1732406400000,
  CreateInventoryTables1764028800000,
  CreateBookingTables1764115200000,
  CreateHubFacadeTables1764288000000,
  AddBackboneRetentionIndexes1795910400000,
  InventorySlotFillfactor1796000000000,
  InventorySearchIndexes1796100000000,
  InventoryAntiEntropy1796200000000,
  CreateClientsAndAudit1796300000000,
  AppointmentAdapter1796310000000,
  WaitlistContactEncrypted1796320000000,
  ContactCentreRoles1796500000000,
];

const shutdownHook = Symbol('booking shutdown hook');

/** The service's projection consumers; stopped before the database closes. */
@Injectable()
export class BookingConsumers implements BeforeApplicationShutdown {
  private readonly consumers: ProjectionConsumer[] = [];
  private publisher?: EventPublisher;

  async start(connection: KafkaConnectionOptions, dataSource: DataSource, config: BookingConfig, groups: readonly (readonly [string, Projection])[]): Promise<void> {
    this.publisher = new EventPublisher(connection);
    for (const [groupId, projection] of groups) {
      const consumer = new ProjectionConsumer({
        connection: { ...connection, clientId: `${connection.clientId}-${projection.name}` },
        groupId,
        projections: [projection],
        dataSource,
        deadLetters: this.publisher,
        partitionsConcurrently: config.BOOKING_CONSUMER_CONCURRENCY,
        maxBatchSize: config.BOOKING_CONSUMER_BATCH_SIZE,
        logger: new Logger(`${projection.name} consumer`),
      });
      this.consumers.push(consumer);
      await consumer.start();
    }
  }

  counts(): Record<string, ConsumerCounts> {
    return Object.fromEntries(this.consumers.map((consumer) => [consumer.name, { ...consumer.stats }]));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.publisher?.close();
  }
}

export async function ensureSchema(config: BookingDatabaseConfig): Promise<void> {
  await ensureDatabaseSchema(config.DATABASE_URL, config.BOOKING_DATABASE_SCHEMA);
}

const migrationLock = 7_781_205;

/** Runs the booking migrations under the service's lock (libs/config runMigrationsLocked). */
export async function migrated(options: DataSourceOptions): Promise<void> {
  await runMigrationsLocked(options, migrationLock);
}

/** The service's database: its schema placed by search_path, its migrations. */
export function bookingDataSourceOptions(config: BookingDatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres' as const,
    url: config.DATABASE_URL,
    schema: config.BOOKING_DATABASE_SCHEMA,
    // Raw SQL and the backbone's tables name no schema: the connection's search_path places them.
    extra: { options: postgresSessionOptionsOf(config, [`search_path=${config.BOOKING_DATABASE_SCHEMA}`]) },
    migrations: bookingMigrations,
    migrationsTableName: 'booking_migrations',
  };
}

@Module({})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HostileInputMiddleware).forRoutes('*');
  }

  static forRoot(env: Env = process.env, onShutdown?: () => Promise<void>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(bookingConfigSchema, env),
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: async (config: BookingConfig) => {
            await ensureSchema(config);
            return bookingDataSourceOptions(config);
          },
          dataSourceFactory: async (options) => {
            await migrated(options as DataSourceOptions);
            return new DataSource(options as DataSourceOptions).initialize();
          },
        }),
        ClientsModule,
        AuthModule,
        AuditModule,
        HealthModule,
        InventoryModule,
        PatientsModule,
        WaitlistModule,
        AppointmentsModule,
        HubFacadeModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AppErrorFilter },
        BackboneRetentionPoller,
        BookingConsumers,
        // Runs after the consumer, HTTP server and database have closed (e.g. to flush traces).
        { provide: shutdownHook, useValue: { onApplicationShutdown: () => onShutdown?.() } satisfies OnApplicationShutdown },
      ],
    };
  }
}

/** Consumer group of the booking-command outcomes, beside the inventory's BOOKING_CONSUMER_GROUP. */
export function outcomeGroupOf(inventoryGroup: string): string {
  return `${inventoryGroup}-outcomes`;
}

export interface StartOptions {
  /** Overrides HTTP_PORT (0: any free port). */
  readonly port?: number;
  readonly logger?: LoggerService | false;
  /** Called last when the app closes (SIGTERM/SIGINT through Nest's shutdown hooks, or close()). */
  readonly onShutdown?: () => Promise<void>;
}

/** Creates the booking service: REST API with OpenAPI at /docs, and the inventory's Kafka consumer. */
export async function startBookingApp(env: Env = process.env, options: StartOptions = {}): Promise<INestApplication> {
  const httpsOptions = httpsOptionsOf(loadConfig(bookingConfigSchema, env));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env, options.onShutdown), { logger: options.logger ?? new RedactingLogger(), httpsOptions });
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  const config = app.get<BookingConfig>(AppConfig);

  const openApi = new DocumentBuilder()
    .setTitle('medbus booking')
    .setDescription('Unified slot inventory of the region. Every /v1 route needs `Authorization: Bearer <API key>`.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi));

  const connection = kafkaConnectionOf(config);
  await app.init();
  // Two groups: the MIS's answers to bookings must never wait behind a backlog of schedule events (a resync).
  await app.get(BookingConsumers).start(connection, app.get<DataSource>(getDataSourceToken()), config, [
    [config.BOOKING_CONSUMER_GROUP, app.get(InventoryProjection)],
    [outcomeGroupOf(config.BOOKING_CONSUMER_GROUP), app.get(OutcomeProjection)],
  ]);
  const consumers = app.get(BookingConsumers);
  app.get(HealthService).consumerStarted(() => consumers.counts());
  app.get(HealthService).watchKafka(new KafkaProbe(connection));
  applyServerTimeouts(app.getHttpServer(), config);
  answerMalformedRequests(app.getHttpServer());
  await app.listen(options.port ?? config.HTTP_PORT, config.HTTP_HOST);
  return app;
}
