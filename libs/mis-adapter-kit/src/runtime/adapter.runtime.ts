import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource, type MigrationInterface } from 'typeorm';
import { answerMalformedRequests, applyServerTimeouts, ensureDatabaseSchema, httpsOptionsOf, postgresSessionOptionsOf, runMigrationsLocked } from '@medbus/config';
import type { BookingChannel } from '@medbus/contracts';
import { AddBackboneRetentionIndexes1795910400000, BackboneRetention, CreateKafkaBackboneTables1732406400000, EventPublisher, Outbox, OutboxRelay, kafkaConnectionOf } from '@medbus/kafka';
import { OrganisationNotServedError } from '@medbus/identification';
import { BookingCommandConsumer } from '../commands/booking-command.consumer';
import { outcomeEvents } from '../commands/booking-command.mapper';
import { CreateMisAdapterCommands1764201600000 } from '../commands/booking-command.migration';
import { CommandExecutor } from '../commands/command-executor.service';
import { SystemClock, type Clock } from '../clock.service';
import { CodeMap, DataQualityReport } from '../code-map.mapper';
import { HeartbeatPublisher } from '../heartbeat.service';
import { PollScheduler } from '../poll.poller';
import { RawPayloadArchive } from '../raw-payload.service';
import { CreateMisAdapterPublishedState1764000000000 } from '../published-state.migration';
import { PublishedStateStore } from '../published-state.service';
import { Publication } from '../publication/publication.service';
import { defaultSpecialtyRules, specialtyRulesSchema } from '../publication/specialty-rules.config';
import { IndexPublishedSlotsByResource1796800000000 } from '../publication/slot-ledger.migration';
import { MemorySlotLedger, PostgresSlotLedger } from '../publication/slot-ledger.service';
import { commandGroupOf, databaseSchemaOf, type MisAdapterConfig } from './adapter.config';
import type { DialectContext, DialectLogger, MisDialect } from './mis.dialect';
import { PatientsController } from './patients.controller';

export interface RuntimeDependencies {
  readonly publisher?: EventPublisher;
  readonly clock?: Clock;
  readonly logger?: DialectLogger;
  /**
   * Postgres for the published state only (booking commands are consumed only on the adapter's own
   * schema, which it opens itself from DATABASE_URL); defaults to that one when DATABASE_URL is set.
   */
  readonly dataSource?: DataSource;
  /** Host to bind the HTTP endpoint to (default HTTP_HOST). */
  readonly httpHost?: string;
}

export interface AdapterHealthReport {
  readonly adapterId: string;
  readonly misVendor: string;
  readonly misReachable: boolean;
  readonly lastSuccessfulSyncAt: string | null;
  /** Organisations published and still listed by the MIS. */
  readonly organisations: number;
  /** What the MIS listed of organisations not registered to this adapter, and was not published. */
  readonly outOfScope: { readonly events: number; readonly organisations: readonly string[] };
  readonly dataQualityIssues: number;
  /** Whether booking commands are consumed (they need DATABASE_URL). */
  readonly commands: { readonly enabled: boolean };
}

/** Makes the dialect once the runtime's parts exist. */
export type DialectFactory<C extends MisAdapterConfig, D extends MisDialect> = (config: C, context: DialectContext) => D;

export interface DialectDefinition<C extends MisAdapterConfig, D extends MisDialect> {
  readonly create: DialectFactory<C, D>;
  /** Tables of the dialect's own, migrated with the runtime's under its lock. */
  readonly migrations?: ReadonlyArray<new () => MigrationInterface>;
}

/** One lock for every adapter's migrations: instances of one adapter id may start together; different ids migrate different schemas. */
const migrationLock = 7_781_302;

const quietLogger: DialectLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** The Nest application the adapter's HTTP endpoint runs in; its routes are mounted raw (bodies are read by each handler with its own limit). */
@Module({})
class MisAdapterHttpModule {}

/**
 * The runtime every MIS adapter runs in: its dialect supplies how to read and book at the MIS; the
 * runtime supplies the rest. Start: database (migrations under a lock), what was published before,
 * the HTTP endpoint (health, the patient API, the dialect's routes), heartbeat, poller, commands.
 */
export class MisAdapterRuntime<D extends MisDialect> {
  readonly dialect: D;
  readonly publication: Publication;
  private readonly publisher: EventPublisher;
  private readonly ownsPublisher: boolean;
  private readonly quality: DataQualityReport;
  private readonly poller: PollScheduler;
  private readonly heartbeat: HeartbeatPublisher;
  private readonly logger: DialectLogger;
  private readonly dataSource?: DataSource;
  private readonly ownsDataSource: boolean;
  private readonly patients: PatientsController;
  private readonly commands?: { readonly consumer: BookingCommandConsumer; readonly relay: OutboxRelay; readonly retention: BackboneRetention };
  private app?: INestApplication;
  private lastReassertAt: number;
  private rawArchive?: RawPayloadArchive;
  private readonly archivePruner?: PollScheduler;

  constructor(
    private readonly config: MisAdapterConfig,
    definition: DialectDefinition<MisAdapterConfig, D>,
    private readonly deps: RuntimeDependencies = {},
  ) {
    const clock = deps.clock ?? new SystemClock();
    this.lastReassertAt = clock.now().getTime();
    this.logger = deps.logger ?? quietLogger;
    this.ownsPublisher = deps.publisher === undefined;
    this.publisher = deps.publisher ?? new EventPublisher(kafkaConnectionOf(config), { origin: config.ADAPTER_ID });
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
              IndexPublishedSlotsByResource1796800000000,
              ...(definition.migrations ?? []),
            ],
            migrationsTableName: 'mis_adapter_migrations',
          })
        : undefined);
    this.quality = new DataQualityReport(this.logger);
    this.publication = new Publication(
      this.publisher,
      clock,
      new Set(config.ADAPTER_ORGANISATIONS),
      this.quality,
      this.logger,
      this.dataSource ? new PublishedStateStore(this.dataSource, config.ADAPTER_ID) : undefined,
      this.dataSource ? new PostgresSlotLedger(this.dataSource, config.ADAPTER_ID) : new MemorySlotLedger(),
    );
    this.poller = new PollScheduler(
      () => this.syncOnce(clock),
      { intervalMs: config.POLL_INTERVAL_MS, jitter: config.POLL_JITTER },
      (error) => this.logger.warn('sync failed', { error: describeError(error) }),
    );
    // Raw payloads, when RAW_PAYLOAD_DIR is set: the dialect opens the archive (it knows which answers concern patients), the runtime prunes it.
    const rawPayloadDir = config.RAW_PAYLOAD_DIR;
    const openRawArchive = (patientOperations?: Readonly<Record<string, readonly string[]>>) => {
      if (rawPayloadDir === undefined) return undefined;
      this.rawArchive ??= new RawPayloadArchive({ directory: rawPayloadDir, patientOperations, retentionMs: config.RAW_ARCHIVE_RETENTION_MS, clock });
      return this.rawArchive;
    };
    this.archivePruner =
      rawPayloadDir === undefined
        ? undefined
        : new PollScheduler(
            async () => {
              const removed = (await this.rawArchive?.prune()) ?? [];
              if (removed.length > 0) this.logger.log('raw payload days past retention removed', { days: removed });
            },
            { intervalMs: config.RAW_ARCHIVE_PRUNE_INTERVAL_MS, jitter: 0.1 },
            (error) => this.logger.warn('raw payload archive not pruned', { error: describeError(error) }),
          );
    this.dialect = definition.create(config, {
      adapterId: config.ADAPTER_ID,
      misVendor: config.MIS_VENDOR,
      publication: this.publication,
      clock,
      codes: config.CODE_MAP_PATH ? CodeMap.parse(JSON.parse(readFileSync(config.CODE_MAP_PATH, 'utf8'))) : new CodeMap(),
      quality: this.quality,
      logger: this.logger,
      horizonDays: config.HORIZON_DAYS,
      bookingChannels: config.SLOT_BOOKING_CHANNELS as readonly BookingChannel[],
      specialtyRules: config.SPECIALTY_RULES_PATH ? specialtyRulesSchema.parse(JSON.parse(readFileSync(config.SPECIALTY_RULES_PATH, 'utf8'))) : defaultSpecialtyRules,
      database: this.ownsDataSource ? this.dataSource : undefined,
      requestSync: () => this.poller.trigger(),
      openRawArchive,
    });
    this.heartbeat = new HeartbeatPublisher(
      this.publisher,
      clock,
      { adapterId: config.ADAPTER_ID, misVendor: config.MIS_VENDOR, adapterVersion: config.ADAPTER_VERSION },
      () => ({
        organisationOids: this.publication.organisationOids,
        misReachable: this.dialect.misReachable,
        lastSuccessfulSyncAt: this.dialect.lastSuccessfulSyncAt,
        lastReassertedAt: this.dialect.lastReassertedAt,
      }),
      config.HEARTBEAT_INTERVAL_MS,
      (error) => this.logger.warn('heartbeat not published', { error: describeError(error) }),
    );
    this.patients = new PatientsController((request) => this.identify(request), {
      apiKeys: config.ADAPTER_API_KEYS,
      maxBodyBytes: 16 * 1024,
      today: () => clock.now().toISOString().slice(0, 10),
    });
    if (this.ownsDataSource && this.dataSource) {
      const executor = new CommandExecutor(
        this.dataSource,
        new Outbox(),
        this.dialect,
        clock,
        {
          adapterId: config.ADAPTER_ID,
          retry: { initialDelayMs: config.COMMAND_RETRY_INITIAL_MS, maxDelayMs: config.COMMAND_RETRY_MAX_MS },
          cancelWindowMs: config.CANCEL_RETRY_WINDOW_MS,
          verifyWindowMs: config.COMMAND_VERIFY_WINDOW_MS,
        },
        this.logger,
      );
      this.commands = {
        consumer: new BookingCommandConsumer(executor, {
          connection: kafkaConnectionOf(config),
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

  /** Starts everything; returns the port the HTTP endpoint listens on. */
  async start(): Promise<number> {
    if (this.dataSource && this.ownsDataSource) await this.openDatabase(this.dataSource);
    const restored = await this.publication.restore();
    await this.dialect.start();
    const port = await this.listen();
    this.heartbeat.start();
    this.poller.start();
    this.archivePruner?.start();
    this.commands?.relay.start();
    this.commands?.retention.start();
    await this.commands?.consumer.start();
    this.logger.log('MIS adapter started', { adapterId: this.config.ADAPTER_ID, misVendor: this.config.MIS_VENDOR, port, restored, commands: this.commands !== undefined });
    return port;
  }

  async stop(): Promise<void> {
    await this.commands?.consumer.stop();
    await this.commands?.relay.stop();
    await this.commands?.retention.stop();
    this.heartbeat.stop();
    await this.poller.stop();
    await this.archivePruner?.stop();
    await this.dialect.stop();
    await this.app?.close();
    this.app = undefined;
    if (this.ownsPublisher) await this.publisher.close();
    if (this.ownsDataSource && this.dataSource?.isInitialized) await this.dataSource.destroy();
  }

  /** Asks for a pass now (the poller's next turn). */
  requestSync(): void {
    this.poller.trigger();
  }

  /** The runtime's health with the dialect's beside it (`GET /health`). */
  health(): AdapterHealthReport & ReturnType<D['health']> {
    return { ...(this.dialect.health() as ReturnType<D['health']>), ...this.runtimeHealth() };
  }

  private runtimeHealth(): AdapterHealthReport {
    const last = this.dialect.lastSuccessfulSyncAt;
    return {
      adapterId: this.config.ADAPTER_ID,
      misVendor: this.config.MIS_VENDOR,
      misReachable: this.dialect.misReachable,
      lastSuccessfulSyncAt: last ? last.toISOString() : null,
      organisations: this.publication.organisationOids.length,
      outOfScope: this.publication.refused,
      dataQualityIssues: this.quality.count(),
      commands: { enabled: this.commands !== undefined },
    };
  }

  /** A pass, reasserting everything when REASSERT_INTERVAL_MS has passed since the last completed one. */
  private async syncOnce(clock: Clock): Promise<void> {
    const startedAt = clock.now().getTime();
    const every = this.config.REASSERT_INTERVAL_MS;
    const reassert = every > 0 && startedAt - this.lastReassertAt >= every;
    const summary = await this.dialect.sync({ reassert });
    if (reassert && summary.failures === 0) this.lastReassertAt = startedAt;
  }

  private async identify(request: Parameters<MisDialect['identify']>[0]) {
    // The runtime's scope first: a patient's data goes only to the MIS of an organisation registered here.
    if (!this.publication.inScope(request.organisationOid)) throw new OrganisationNotServedError();
    return this.dialect.identify(request);
  }

  /** The HTTP endpoint: a Nest application whose routes are the runtime's (health, patients) and the dialect's, mounted raw. */
  private async listen(): Promise<number> {
    const app = await NestFactory.create<NestExpressApplication>(MisAdapterHttpModule, {
      logger: false,
      bodyParser: false,
      httpsOptions: httpsOptionsOf(this.config),
    });
    app.disable('x-powered-by');
    const routes = [
      { method: 'GET', path: '/health', handle: async (_req: IncomingMessage, res: ServerResponse) => send(res, 200, JSON.stringify(this.health())) },
      { method: 'POST', path: this.patients.path, handle: (req: IncomingMessage, res: ServerResponse) => this.patients.handle(req, res) },
      ...this.dialect.routes(),
    ];
    app.use((req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '').split('?')[0];
      const matching = routes.filter((r) => routeParamsOf(r.path, path) !== undefined);
      if (matching.length === 0) return send(res, 404, JSON.stringify({ code: 'REQUEST.NOT_FOUND', message: 'no such route' }));
      // The patient API answers a wrong method itself (405 with its own body).
      const route = matching.find((r) => r.method === req.method) ?? (path === this.patients.path ? matching[0] : undefined);
      if (!route) return send(res, 405, JSON.stringify({ code: 'REQUEST.METHOD_NOT_ALLOWED', message: `use ${matching.map((r) => r.method).join(', ')}` }));
      route.handle(req, res).catch((error: unknown) => {
        this.logger.warn('request failed', { path, error: describeError(error) });
        if (!res.headersSent) send(res, 500, JSON.stringify({ code: 'COMMON.INTERNAL', message: 'internal error' }));
        else res.destroy();
      });
    });
    const server = app.getHttpServer();
    applyServerTimeouts(server, this.config);
    answerMalformedRequests(server);
    await app.listen(this.config.HTTP_PORT, this.deps.httpHost ?? this.config.HTTP_HOST);
    this.app = app;
    return (server.address() as { port: number }).port;
  }

  /** Creates the adapter's schema, then runs its migrations under a lock (instances of one adapter id may start together). */
  private async openDatabase(dataSource: DataSource): Promise<void> {
    const url = this.config.DATABASE_URL;
    if (url === undefined) throw new Error('the adapter opens its own database only from DATABASE_URL');
    await ensureDatabaseSchema(url, databaseSchemaOf(this.config));
    await runMigrationsLocked(dataSource.options, migrationLock);
    await dataSource.initialize();
  }
}

/** A route template's `{name}` segments in the path, decoded; undefined when the path is not the template's or a segment is not valid percent-encoding. */
export function routeParamsOf(template: string, path: string): Record<string, string> | undefined {
  const expected = template.split('/');
  const given = path.split('/');
  if (expected.length !== given.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = given[index] ?? '';
    if (segment.startsWith('{') && segment.endsWith('}')) {
      if (value === '') return undefined;
      try {
        params[segment.slice(1, -1)] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (segment !== value) return undefined;
  }
  return params;
}

function send(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return code === undefined ? error.message : `${String(code)}: ${error.message}`;
}
