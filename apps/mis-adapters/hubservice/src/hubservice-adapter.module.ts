import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { ensureDatabaseSchema, postgresSessionOptionsOf, runMigrationsLocked } from '@medbus/config';
import { AddBackboneRetentionIndexes1795910400000, BackboneRetention, CreateKafkaBackboneTables1732406400000, EventPublisher, Outbox, OutboxRelay, kafkaConnectionOf } from '@medbus/kafka';
import {
  CircuitBreaker,
  CodeMap,
  DataQualityReport,
  HeartbeatPublisher,
  CreateMisAdapterPublishedState1764000000000,
  PollScheduler,
  PublishedStateStore,
  RawPayloadArchive,
  SystemClock,
  TokenBucket,
  type Clock,
  type MisResponseRejection,
} from '@medbus/mis-adapter-kit';
import { BookingCommandConsumer } from './booking-command.consumer';
import { outcomeEvents } from './booking-command.mapper';
import { CreateMisAdapterCommands1764201600000 } from './booking-command.migration';
import { BookingCommandService } from './booking-command.service';
import { commandGroupOf, databaseSchemaOf, type HubServiceAdapterConfig } from './hubservice.config';
import { HubServiceClient } from './hubservice.client';
import { archivedPatientElements } from './hubservice-response.mapper';
import { NotificationEndpoint, type ReadRequest } from './notification.controller';
import { PatientController } from './patient.controller';
import { PatientIdentification } from './patient.service';
import { ScheduleSync } from './schedule-sync.service';
import { defaultSpecialtyRules, specialtyRulesSchema } from './specialty-rules.config';

export interface AdapterLogger {
  log(message: string, ...params: unknown[]): void;
  warn(message: string, ...params: unknown[]): void;
  error(message: string, ...params: unknown[]): void;
}

export interface AdapterDependencies {
  readonly publisher?: EventPublisher;
  readonly clock?: Clock;
  readonly logger?: AdapterLogger;
  /**
   * Postgres for the published state only (booking commands are consumed only on the adapter's own
   * schema, which it opens itself from DATABASE_URL); defaults to that one when DATABASE_URL is set.
   */
  readonly dataSource?: DataSource;
  /** Host to bind the notification endpoint to (default HTTP_HOST). */
  readonly notifyHost?: string;
}

export interface AdapterHealthReport {
  readonly adapterId: string;
  readonly misReachable: boolean;
  readonly circuit: string;
  readonly lastSuccessfulSyncAt: string | null;
  readonly organisations: number;
  readonly rejectedResponses: Readonly<Record<string, number>>;
  readonly dataQualityIssues: number;
  readonly notifications: { readonly accepted: number; readonly refused: number };
  /** Whether booking commands are consumed (they need DATABASE_URL). */
  readonly commands: { readonly enabled: boolean };
}

const migrationLock = 7_781_302;

const quietLogger: AdapterLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The HubService adapter, wired as plain classes (no DI container: tsx emits no decorator
 * metadata, and an adapter has one composition root). Start: notification endpoint, heartbeat,
 * poller; a notification re-reads one doctor's day at once, the poller catches up the rest.
 */
export class HubServiceAdapter {
  readonly client: HubServiceClient;
  readonly sync: ScheduleSync;
  readonly rejected: Record<string, number> = {};
  private readonly publisher: EventPublisher;
  private readonly ownsPublisher: boolean;
  private readonly breaker: CircuitBreaker;
  private readonly quality: DataQualityReport;
  private readonly poller: PollScheduler;
  private readonly archivePruner?: PollScheduler;
  private readonly heartbeat: HeartbeatPublisher;
  private readonly endpoint: NotificationEndpoint;
  private readonly logger: AdapterLogger;
  private readonly dataSource?: DataSource;
  private readonly ownsDataSource: boolean;
  private readonly commands?: { readonly consumer: BookingCommandConsumer; readonly relay: OutboxRelay; readonly retention: BackboneRetention };

  constructor(
    private readonly config: HubServiceAdapterConfig,
    deps: AdapterDependencies = {},
  ) {
    const clock = deps.clock ?? new SystemClock();
    this.logger = deps.logger ?? quietLogger;
    this.ownsPublisher = deps.publisher === undefined;
    this.publisher =
      deps.publisher ??
      new EventPublisher(kafkaConnectionOf(config), { origin: config.ADAPTER_ID });
    this.ownsDataSource = deps.dataSource === undefined && config.DATABASE_URL !== undefined;
    const schema = databaseSchemaOf(config);
    this.dataSource =
      deps.dataSource ??
      (config.DATABASE_URL
        ? new DataSource({
            type: 'postgres',
            url: config.DATABASE_URL,
            schema,
            // Raw SQL and the backbone's tables name no schema: the connection's search_path places them.
            extra: { options: postgresSessionOptionsOf(config, [`search_path=${schema}`]) },
            migrations: [
              CreateMisAdapterPublishedState1764000000000,
              CreateKafkaBackboneTables1732406400000,
              CreateMisAdapterCommands1764201600000,
              AddBackboneRetentionIndexes1795910400000,
            ],
            migrationsTableName: 'mis_adapter_migrations',
          })
        : undefined);
    this.breaker = new CircuitBreaker(clock, { failureThreshold: config.BREAKER_FAILURE_THRESHOLD, openMs: config.BREAKER_OPEN_MS });
    this.quality = new DataQualityReport(this.logger);
    const codes = config.CODE_MAP_PATH ? CodeMap.parse(JSON.parse(readFileSync(config.CODE_MAP_PATH, 'utf8'))) : new CodeMap();
    const archive = config.RAW_PAYLOAD_DIR
      ? new RawPayloadArchive({
          directory: config.RAW_PAYLOAD_DIR,
          patientOperations: archivedPatientElements,
          retentionMs: config.RAW_ARCHIVE_RETENTION_MS,
          clock,
        })
      : undefined;
    this.archivePruner = archive
      ? new PollScheduler(
          async () => {
            const removed = await archive.prune();
            if (removed.length > 0) this.logger.log('raw payload days past retention removed', { days: removed });
          },
          { intervalMs: config.RAW_ARCHIVE_PRUNE_INTERVAL_MS, jitter: 0.1 },
          (error) => this.logger.warn('raw payload archive not pruned', { error: describe(error) }),
        )
      : undefined;
    this.client = new HubServiceClient({
      wsdlUrl: config.MIS_WSDL_URL,
      guid: config.MIS_GUID,
      timeoutMs: config.MIS_TIMEOUT_MS,
      maxResponseBytes: config.MIS_MAX_RESPONSE_BYTES,
      clock,
      breaker: this.breaker,
      limiter: new TokenBucket(clock, { ratePerSecond: config.MIS_RATE_PER_SECOND, burst: config.MIS_RATE_BURST }),
      retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 2_000 },
      archive,
      onRejected: (operation, reason) => this.countRejected(operation, reason),
      onArchiveError: (error) => this.logger.warn('raw payload not archived', { error: (error as Error).message }),
    });
    this.sync = new ScheduleSync(
      this.client,
      this.publisher,
      clock,
      codes,
      this.quality,
      {
        misVendor: config.MIS_VENDOR,
        timeZone: config.MIS_TIME_ZONE,
        organisationTimeZones: new Map(Object.entries(config.ORGANISATION_TIME_ZONES)),
        horizonDays: config.HORIZON_DAYS,
        reassertEveryMs: config.REASSERT_INTERVAL_MS,
        doctorConcurrency: config.SYNC_DOCTOR_CONCURRENCY,
        bookingChannels: config.SLOT_BOOKING_CHANNELS,
        specialtyRules: config.SPECIALTY_RULES_PATH ? specialtyRulesSchema.parse(JSON.parse(readFileSync(config.SPECIALTY_RULES_PATH, 'utf8'))) : defaultSpecialtyRules,
      },
      this.logger,
      this.dataSource ? new PublishedStateStore(this.dataSource, config.ADAPTER_ID) : undefined,
    );
    this.poller = new PollScheduler(
      () => this.sync.fullSync().then(() => undefined),
      { intervalMs: config.POLL_INTERVAL_MS, jitter: config.POLL_JITTER },
      (error) => this.logger.warn('sync failed', { error: describe(error) }),
    );
    this.heartbeat = new HeartbeatPublisher(
      this.publisher,
      clock,
      { adapterId: config.ADAPTER_ID, misVendor: config.MIS_VENDOR, adapterVersion: config.ADAPTER_VERSION },
      () => ({
        organisationOids: this.sync.organisationOids,
        misReachable: this.client.misReachable,
        lastSuccessfulSyncAt: this.sync.lastSuccessfulSyncAt,
        lastReassertedAt: this.sync.lastReassertedAt,
      }),
      config.HEARTBEAT_INTERVAL_MS,
      (error) => this.logger.warn('heartbeat not published', { error: describe(error) }),
    );
    const patients = new PatientController(new PatientIdentification(this.client, this.sync, { maxAttempts: 2, initialDelayMs: 200, maxDelayMs: 1_000 }), {
      apiKeys: config.ADAPTER_API_KEYS,
      maxBodyBytes: 16 * 1024,
      today: () => clock.now().toISOString().slice(0, 10),
    });
    this.endpoint = new NotificationEndpoint({
      port: config.NOTIFY_PORT,
      host: deps.notifyHost ?? config.HTTP_HOST,
      server: config,
      guid: config.NOTIFY_GUID ?? config.MIS_GUID,
      maxBodyBytes: 256 * 1024,
      onRead: (request) => void this.reread(request),
      health: () => this.health(),
      routes: [patients],
    });
    if (this.ownsDataSource && this.dataSource) {
      const service = new BookingCommandService(
        this.dataSource,
        new Outbox(),
        this.client,
        this.sync,
        clock,
        {
          adapterId: config.ADAPTER_ID,
          retry: { initialDelayMs: config.COMMAND_RETRY_INITIAL_MS, maxDelayMs: config.COMMAND_RETRY_MAX_MS },
          cancelWindowMs: config.CANCEL_RETRY_WINDOW_MS,
          verifyWindowMs: config.COMMAND_VERIFY_WINDOW_MS,
        },
        this.logger,
        (idLpu, slots) => {
          for (const idAppointment of slots) void this.reread({ kind: 'slot', idLpu, idAppointment });
        },
      );
      const connection = kafkaConnectionOf(config);
      this.commands = {
        consumer: new BookingCommandConsumer(service, {
          connection,
          adapterId: config.ADAPTER_ID,
          groupId: commandGroupOf(config),
          deadLetters: this.publisher,
          logger: this.logger,
          partitionsConcurrently: config.COMMAND_CONCURRENCY,
        }),
        // A caller waits on this relay: poll the outbox often (an index-only probe when empty).
        relay: new OutboxRelay({ dataSource: this.dataSource, publisher: this.publisher, events: outcomeEvents, logger: this.logger, idleDelayMs: 10 }),
        // Published outcomes leave the outbox after their window (decision record 0007).
        retention: new BackboneRetention({
          dataSource: this.dataSource,
          outboxRetentionMs: config.BACKBONE_OUTBOX_RETENTION_MS,
          processedEventRetentionMs: config.BACKBONE_PROCESSED_EVENT_RETENTION_MS,
          intervalMs: config.BACKBONE_RETENTION_INTERVAL_MS,
          batchSize: config.BACKBONE_RETENTION_BATCH_SIZE,
          clock,
          logger: this.logger,
        }),
      };
    }
  }

  /** Starts everything; returns the port the notification endpoint listens on. */
  async start(): Promise<number> {
    if (this.dataSource && this.ownsDataSource) await this.openDatabase(this.dataSource);
    const restored = await this.sync.restore();
    const port = await this.endpoint.listen();
    this.heartbeat.start();
    this.poller.start();
    this.archivePruner?.start();
    this.commands?.relay.start();
    this.commands?.retention.start();
    await this.commands?.consumer.start();
    this.logger.log('HubService adapter started', { adapterId: this.config.ADAPTER_ID, notifyPort: port, restored, commands: this.commands !== undefined });
    return port;
  }

  async stop(): Promise<void> {
    await this.commands?.consumer.stop();
    await this.commands?.relay.stop();
    await this.commands?.retention.stop();
    this.heartbeat.stop();
    await this.poller.stop();
    await this.archivePruner?.stop();
    await this.endpoint.close();
    if (this.ownsPublisher) await this.publisher.close();
    if (this.ownsDataSource && this.dataSource?.isInitialized) await this.dataSource.destroy();
  }

  health(): AdapterHealthReport {
    const last = this.sync.lastSuccessfulSyncAt;
    return {
      adapterId: this.config.ADAPTER_ID,
      misReachable: this.client.misReachable,
      circuit: this.breaker.state,
      lastSuccessfulSyncAt: last ? last.toISOString() : null,
      organisations: this.sync.organisationOids.length,
      rejectedResponses: { ...this.rejected },
      dataQualityIssues: this.quality.count(),
      notifications: { ...this.endpoint.counters },
      commands: { enabled: this.commands !== undefined },
    };
  }

  /** Creates the adapter's schema, then runs its migrations under a lock (instances of one adapter id may start together). */
  private async openDatabase(dataSource: DataSource): Promise<void> {
    const url = this.config.DATABASE_URL ?? (dataSource.options as { url?: string }).url;
    if (url === undefined) throw new Error('the adapter opens its own database only from DATABASE_URL');
    await ensureDatabaseSchema(url, databaseSchemaOf(this.config));
    await runMigrationsLocked(dataSource.options, migrationLock);
    await dataSource.initialize();
  }

  private async reread(request: ReadRequest): Promise<void> {
    try {
      const published =
        request.kind === 'doctor-day'
          ? await this.sync.refreshDoctorDay(request.idLpu, request.idDoc, request.localDay)
          : request.kind === 'slot'
            ? await this.sync.refreshSlot(request.idLpu, request.idAppointment)
            : undefined;
      if (published === undefined) this.poller.trigger();
    } catch (error) {
      this.logger.warn('re-read after notification failed; the poller will catch up', { error: describe(error) });
      this.poller.trigger();
    }
  }

  private countRejected(operation: string, reason: MisResponseRejection): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    this.logger.warn('MIS response rejected', { operation, reason });
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return code === undefined ? error.message : `${String(code)}: ${error.message}`;
}
