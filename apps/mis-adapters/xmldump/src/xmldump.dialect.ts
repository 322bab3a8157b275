import { tmpdir } from 'node:os';
import { OrganisationNotServedError, type IdentifiedPatient, type IdentifyRequest } from '@medbus/identification';
import { CommandRejectionReason } from '@medbus/contracts';
import {
  CircuitBreaker,
  MisDialect,
  MisUnavailableError,
  TokenBucket,
  type BookOrder,
  type CancelOrder,
  type DialectContext,
  type MisAnswer,
  type MisAppointment,
  type MisResponseRejection,
  type SyncOptions,
  type SyncSummary,
} from '@medbus/mis-adapter-kit';
import { BookingClient } from './booking.client';
import { bookRefusalOf, cancelRefusalOf, VendorCode } from './booking-command.mapper';
import { bookMessage, cancelMessage, patientVisitsMessage, type BookingMessage } from './booking-message.mapper';
import { DumpApplier } from './dump-apply.service';
import { MemoryDumpLedger, PostgresDumpLedger } from './dump-ledger.service';
import { dumpSourceOf, type DumpSource } from './dump-source.client';
import { DumpSync, type DumpCounters, type LastAppliedDump } from './dump-sync.service';
import { PatientIdentification } from './patient.service';
import type { XmlDumpAdapterConfig } from './xmldump.config';
import { mayHaveReachedMis } from './xmldump-http.client';

export interface XmlDumpHealth extends Record<string, unknown> {
  readonly transport: DumpSource['transport'];
  readonly circuit: { readonly dumps: string; readonly booking: string };
  readonly dumps: DumpCounters & { readonly lastApplied: LastAppliedDump | null; readonly retryingAt: string | null };
  readonly rejectedResponses: Readonly<Record<string, number>>;
}

const notListed: MisAnswer = { kind: 'refused', reason: CommandRejectionReason.OTHER, misErrorCode: null, message: 'the MIS no longer lists the organisation' };

/**
 * The XMLDump dialect (tools/simulators/xmldump/README.md): reads the vendor's schedule dumps from
 * an HTTP or SFTP folder (`DumpSync`: a dump is published whole or not at all) and books, cancels
 * and identifies with XML messages posted to the vendor. The vendor pushes nothing: what a command
 * changed shows in its next partial dump.
 */
export class XmlDumpDialect extends MisDialect {
  readonly dumps: DumpSync;
  readonly booking: BookingClient;
  readonly rejected: Record<string, number> = {};
  private readonly source: DumpSource;
  private readonly dumpBreaker: CircuitBreaker;
  private readonly bookingBreaker: CircuitBreaker;
  private readonly patients: PatientIdentification;
  private reachable: boolean | undefined;

  constructor(
    config: XmlDumpAdapterConfig,
    private readonly context: DialectContext,
  ) {
    super();
    const { clock, logger } = context;
    const breakerOptions = { failureThreshold: config.BREAKER_FAILURE_THRESHOLD, openMs: config.BREAKER_OPEN_MS };
    this.dumpBreaker = new CircuitBreaker(clock, breakerOptions);
    this.bookingBreaker = new CircuitBreaker(clock, breakerOptions);
    const archive = context.openRawArchive();
    this.source = dumpSourceOf({
      url: config.DUMP_URL,
      login: config.MIS_LOGIN,
      password: config.MIS_PASSWORD,
      timeoutMs: config.MIS_TIMEOUT_MS,
      hostKeySha256: config.DUMP_SFTP_HOST_KEY_SHA256,
    });
    const applier = new DumpApplier(context.publication, context.codes, context.quality, {
      misVendor: context.misVendor,
      bookingChannels: context.bookingChannels,
      specialtyRules: context.specialtyRules,
      maxUnitBytes: config.DUMP_MAX_UNIT_BYTES,
      concurrency: config.SYNC_DOCTOR_CONCURRENCY,
    });
    this.dumps = new DumpSync(
      this.source,
      applier,
      this.dumpBreaker,
      clock,
      {
        adapterId: context.adapterId,
        tempDir: config.DUMP_TEMP_DIR ?? tmpdir(),
        maxIndexBytes: config.MIS_MAX_RESPONSE_BYTES,
        maxDumpBytes: config.DUMP_MAX_BYTES,
        retry: { initialDelayMs: config.DUMP_RETRY_INITIAL_MS, maxDelayMs: config.DUMP_RETRY_MAX_MS },
        ...(archive && config.RAW_PAYLOAD_DIR ? { archive: { store: archive, directory: config.RAW_PAYLOAD_DIR } } : {}),
        onAnswered: (answered) => (this.reachable = answered),
      },
      logger,
      context.requestSync,
    );
    this.booking = new BookingClient({
      url: config.MIS_BOOKING_URL,
      login: config.MIS_LOGIN,
      password: config.MIS_PASSWORD,
      timeoutMs: config.MIS_TIMEOUT_MS,
      maxResponseBytes: config.MIS_MAX_RESPONSE_BYTES,
      breaker: this.bookingBreaker,
      limiter: new TokenBucket(clock, { ratePerSecond: config.MIS_RATE_PER_SECOND, burst: config.MIS_RATE_BURST }),
      onAnswered: (answered) => (this.reachable = answered),
      onRejected: (message, reason) => this.countRejected(message, reason),
    });
    this.patients = new PatientIdentification(this.booking, (oid) => this.clinicOf(oid), { maxAttempts: 2, initialDelayMs: 200, maxDelayMs: 1_000 });
  }

  get misReachable(): boolean {
    return this.reachable ?? false;
  }

  get lastSuccessfulSyncAt(): Date | null {
    return this.dumps.lastApplied?.generatedAt ?? null;
  }

  override get lastReassertedAt(): Date | null {
    return this.dumps.lastReassertedAt;
  }

  sync(options: SyncOptions): Promise<SyncSummary> {
    return this.dumps.sync(options);
  }

  async book(order: BookOrder): Promise<MisAnswer> {
    const clinic = this.listedClinicOf(order.organisationOid);
    if (clinic === undefined) return notListed;
    const answer = await this.booking.send(bookMessage(clinic, order.localSlotId, order.misPatientId, order.replacesMisAppointmentId));
    if (answer.status === 'ok') return { kind: 'done', misAppointmentId: answer.ticket };
    return bookRefusalOf(answer, order.replacesMisAppointmentId !== null);
  }

  async cancel(order: CancelOrder): Promise<MisAnswer> {
    const clinic = this.listedClinicOf(order.organisationOid);
    if (clinic === undefined) return notListed;
    const answer = await this.booking.send(cancelMessage(clinic, order.misAppointmentId, order.misPatientId));
    return answer.status === 'ok' ? { kind: 'done' } : cancelRefusalOf(answer);
  }

  /** PatientVisits' visits still active; the vendor's appointment is its ticket. A patient the MIS does not know holds none. */
  async activeAppointments(organisationOid: string, misPatientId: string): Promise<readonly MisAppointment[]> {
    const clinic = this.listedClinicOf(organisationOid);
    if (clinic === undefined) return [];
    const answer = await this.booking.send(patientVisitsMessage(clinic, misPatientId));
    if (answer.status === 'ok') return answer.visits.filter((v) => v.state === 'active').map((v) => ({ localSlotId: v.ticket, misAppointmentId: v.ticket }));
    if (answer.code === VendorCode.patientNotFound) return [];
    throw new MisUnavailableError(`XMLDump PatientVisits refused with ${answer.code}`, { details: { misRefused: true, misCode: answer.code } });
  }

  identify(request: IdentifyRequest): Promise<IdentifiedPatient> {
    return this.patients.identify(request);
  }

  mayHaveReachedMis(error: unknown): boolean {
    if (error instanceof MisUnavailableError && error.details?.['sent'] === false) return false;
    return mayHaveReachedMis(error);
  }

  /** The vendor publishes only dumps: the touched slots show in its next partial dump, read by the next pass. */
  async refreshSlots(): Promise<void> {
    this.context.requestSync();
  }

  override health(): XmlDumpHealth {
    const retryingAt = this.dumps.retryingAt;
    return {
      transport: this.source.transport,
      circuit: { dumps: this.dumpBreaker.state, booking: this.bookingBreaker.state },
      dumps: { ...this.dumps.counters, lastApplied: this.dumps.lastApplied, retryingAt: retryingAt ? retryingAt.toISOString() : null },
      rejectedResponses: { ...this.rejected },
    };
  }

  /** The ledger (the dialect's own tables in the runtime's database, migrated with its own), then what it remembers. */
  override async start(): Promise<void> {
    const database = this.context.database;
    await this.dumps.start(database ? new PostgresDumpLedger(database, this.context.adapterId) : new MemoryDumpLedger());
  }

  override async stop(): Promise<void> {
    await this.dumps.stop();
  }

  /** The clinic code of an organisation, or undefined when the dumps applied do not list it; before any dump is applied, the MIS is not usable yet. */
  private listedClinicOf(organisationOid: string): string | undefined {
    const code = this.dumps.clinicCodeOf(organisationOid);
    if (code === undefined && this.dumps.lastApplied === null) {
      // Nothing was sent: the command waits and tries again, as for an outage.
      throw new MisUnavailableError('no XMLDump dump applied yet: the clinics are not known', { details: { sent: false } });
    }
    return code;
  }

  private clinicOf(organisationOid: string): string {
    const code = this.listedClinicOf(organisationOid);
    if (code === undefined) throw new OrganisationNotServedError();
    return code;
  }

  private countRejected(message: BookingMessage, reason: MisResponseRejection): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    this.context.logger.warn('MIS response rejected', { message, reason });
  }
}
