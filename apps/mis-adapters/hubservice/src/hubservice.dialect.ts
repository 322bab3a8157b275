import type { IncomingMessage, ServerResponse } from 'node:http';
import { CommandRejectionReason } from '@medbus/contracts';
import { HubErrorCode } from '@medbus/hubservice';
import type { IdentifiedPatient, IdentifyRequest } from '@medbus/identification';
import {
  CircuitBreaker,
  MisDialect,
  TokenBucket,
  describeError,
  type BookOrder,
  type CancelOrder,
  type DialectContext,
  type DialectRoute,
  type MisAnswer,
  type MisAppointment,
  type MisResponseRejection,
  type SyncOptions,
  type SyncSummary,
} from '@medbus/mis-adapter-kit';
import { refusalOf } from './booking-command.mapper';
import type { HubServiceAdapterConfig } from './hubservice.config';
import { HubServiceClient, mayHaveReachedMis } from './hubservice.client';
import { archivedPatientElements } from './hubservice-response.mapper';
import { NotificationEndpoint, type ReadRequest } from './notification.controller';
import { PatientIdentification } from './patient.service';
import { ScheduleSync } from './schedule-sync.service';

export interface HubServiceHealth extends Record<string, unknown> {
  readonly circuit: string;
  readonly rejectedResponses: Readonly<Record<string, number>>;
  readonly notifications: { readonly accepted: number; readonly refused: number };
}

const notListed: MisAnswer = { kind: 'refused', reason: CommandRejectionReason.OTHER, misErrorCode: null, message: 'the MIS no longer lists the organisation' };

/**
 * The HubService dialect (SOAP, shared/domain/hubservice.md): reads organisations → specialties →
 * doctors → free appointments, books with SetAppointment and cancels with CreateClaimForRefusal, and
 * takes the MIS's SOAP notifications on `POST /notifications`, each re-reading one doctor's day.
 */
export class HubServiceDialect extends MisDialect {
  readonly client: HubServiceClient;
  readonly schedule: ScheduleSync;
  readonly rejected: Record<string, number> = {};
  private readonly breaker: CircuitBreaker;
  private readonly notifications: NotificationEndpoint;
  private readonly patients: PatientIdentification;

  constructor(
    config: HubServiceAdapterConfig,
    private readonly context: DialectContext,
  ) {
    super();
    const { clock, logger } = context;
    this.breaker = new CircuitBreaker(clock, { failureThreshold: config.BREAKER_FAILURE_THRESHOLD, openMs: config.BREAKER_OPEN_MS });
    const archive = context.openRawArchive(archivedPatientElements);
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
      onArchiveError: (error) => logger.warn('raw payload not archived', { error: (error as Error).message }),
    });
    this.schedule = new ScheduleSync(
      this.client,
      context.publication,
      clock,
      context.codes,
      context.quality,
      {
        misVendor: context.misVendor,
        timeZone: config.MIS_TIME_ZONE,
        organisationTimeZones: new Map(Object.entries(config.ORGANISATION_TIME_ZONES)),
        horizonDays: context.horizonDays,
        doctorConcurrency: config.SYNC_DOCTOR_CONCURRENCY,
        bookingChannels: context.bookingChannels,
        specialtyRules: context.specialtyRules,
      },
      logger,
    );
    this.patients = new PatientIdentification(this.client, this.schedule, { maxAttempts: 2, initialDelayMs: 200, maxDelayMs: 1_000 });
    this.notifications = new NotificationEndpoint({
      guid: config.NOTIFY_GUID ?? config.MIS_GUID,
      maxBodyBytes: 256 * 1024,
      onRead: (request) => void this.reread(request),
    });
  }

  get misReachable(): boolean {
    return this.client.misReachable;
  }

  get lastSuccessfulSyncAt(): Date | null {
    return this.schedule.lastSuccessfulSyncAt;
  }

  override get lastReassertedAt(): Date | null {
    return this.schedule.lastReassertedAt;
  }

  sync(options: SyncOptions): Promise<SyncSummary> {
    return this.schedule.fullSync({ reassert: options.reassert });
  }

  async book(order: BookOrder): Promise<MisAnswer> {
    const idLpu = await this.idLpuOf(order.organisationOid);
    if (idLpu === undefined) return notListed;
    const answer = await this.client.setAppointment(idLpu, order.localSlotId, order.misPatientId, order.replacesMisAppointmentId ?? undefined);
    if (answer.Success) return { kind: 'done', misAppointmentId: order.localSlotId };
    const code = answer.ErrorList[0]?.IdError;
    const refusal = refusalOf(answer.ErrorList);
    // 307: the patient may already hold exactly this slot; 308 and, for a move, 309 may be this command's own lost call.
    if (code === HubErrorCode.PatientAlreadyBooked) return { ...refusal, recheck: 'always' };
    if (code === HubErrorCode.SlotTaken || (code === HubErrorCode.BookingNotFound && order.replacesMisAppointmentId)) return { ...refusal, recheck: 'if-uncertain' };
    return refusal;
  }

  async cancel(order: CancelOrder): Promise<MisAnswer> {
    const idLpu = await this.idLpuOf(order.organisationOid);
    if (idLpu === undefined) return notListed;
    const answer = await this.client.createClaimForRefusal(idLpu, order.misPatientId, order.misAppointmentId);
    if (answer.Success) return { kind: 'done' };
    const refusal = refusalOf(answer.ErrorList);
    return answer.ErrorList[0]?.IdError === HubErrorCode.BookingNotFound ? { ...refusal, recheck: 'if-uncertain' } : refusal;
  }

  /** GetPatientHistory's visits not refused; HubService's appointment id is the slot's. */
  async activeAppointments(organisationOid: string, misPatientId: string): Promise<readonly MisAppointment[]> {
    const idLpu = await this.idLpuOf(organisationOid);
    if (idLpu === undefined) return [];
    const history = await this.client.getPatientHistory(idLpu, misPatientId);
    if (!history.Success) return [];
    return history.ListHistoryVisit.flatMap((visit) => (visit.IdAppointment ? [{ localSlotId: visit.IdAppointment, misAppointmentId: visit.IdAppointment }] : []));
  }

  identify(request: IdentifyRequest): Promise<IdentifiedPatient> {
    return this.patients.identify(request);
  }

  mayHaveReachedMis(error: unknown): boolean {
    return mayHaveReachedMis(error);
  }

  async refreshSlots(organisationOid: string, localSlotIds: readonly string[]): Promise<void> {
    const idLpu = this.schedule.idLpuOf(organisationOid);
    if (idLpu === undefined) return;
    for (const idAppointment of localSlotIds) void this.reread({ kind: 'slot', idLpu, idAppointment });
  }

  override routes(): readonly DialectRoute[] {
    return [{ method: 'POST', path: '/notifications', handle: (req: IncomingMessage, res: ServerResponse) => this.notifications.handle(req, res) }];
  }

  override health(): HubServiceHealth {
    return { circuit: this.breaker.state, rejectedResponses: { ...this.rejected }, notifications: { ...this.notifications.counters } };
  }

  private async idLpuOf(organisationOid: string): Promise<number | undefined> {
    const known = this.schedule.idLpuOf(organisationOid);
    if (known !== undefined) return known;
    await this.schedule.discoverOrganisations();
    return this.schedule.idLpuOf(organisationOid);
  }

  private async reread(request: ReadRequest): Promise<void> {
    try {
      const published =
        request.kind === 'doctor-day'
          ? await this.schedule.refreshDoctorDay(request.idLpu, request.idDoc, request.localDay)
          : request.kind === 'slot'
            ? await this.schedule.refreshSlot(request.idLpu, request.idAppointment)
            : undefined;
      if (published === undefined) this.context.requestSync();
    } catch (error) {
      this.context.logger.warn('re-read after notification failed; the poller will catch up', { error: describeError(error) });
      this.context.requestSync();
    }
  }

  private countRejected(operation: string, reason: MisResponseRejection): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    this.context.logger.warn('MIS response rejected', { operation, reason });
  }
}
