import type { IncomingMessage, ServerResponse } from 'node:http';
import { CommandRejectionReason } from '@medbus/contracts';
import type { IdentifiedPatient, IdentifyRequest } from '@medbus/identification';
import {
  CircuitBreaker,
  MisDialect,
  MisResponseRejectedError,
  PollScheduler,
  TokenBucket,
  describeError,
  slotIdOf,
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
import { idempotencyKeyOf, refusalOf } from './booking-command.mapper';
import { ChangeFeed, type ChangeFeedCounters } from './change-feed.poller';
import { ListingReader } from './listing.query';
import type { MedRestAdapterConfig } from './medrest.config';
import { MedRestClient, mayHaveReachedMis } from './medrest.client';
import { appointmentSchema, slotSchema, type MedRestAppointment } from './medrest-response.mapper';
import { PatientIdentification } from './patient.service';
import { ScheduleSync, type PractitionerDay } from './schedule-sync.service';
import { WebhookEndpoint, type WebhookCounters } from './webhook.controller';

export interface MedRestHealth extends Record<string, unknown> {
  readonly circuit: string;
  readonly rejectedResponses: Readonly<Record<string, number>>;
  readonly webhooks: WebhookCounters | null;
  readonly changeFeed: ChangeFeedCounters & { readonly anchored: boolean };
}

const notListed: MisAnswer = { kind: 'refused', reason: CommandRejectionReason.OTHER, misErrorCode: null, message: 'the MIS no longer lists the organisation' };

/** Practitioner-days re-read at once after a poll of the change feed. */
const rereadConcurrency = 4;
/** Appointments whose practitioner-day is remembered for re-reading after their command. */
const rememberedAppointments = 10_000;

/**
 * The MedREST dialect (JSON over HTTP, tools/simulators/medrest/README.md): reads specialties →
 * facilities → practitioners → slots of every status with ETags, follows the change feed between
 * passes and takes signed webhooks on `POST /webhooks/medrest`, each re-reading one practitioner's
 * day; books with `POST /appointments` under an idempotency key derived from the command id, cancels
 * with `POST /appointments/{id}/cancel`, identifies with `POST /patients/search` and `POST /patients`.
 */
export class MedRestDialect extends MisDialect {
  readonly client: MedRestClient;
  readonly schedule: ScheduleSync;
  readonly feed: ChangeFeed;
  readonly rejected: Record<string, number> = {};
  private readonly listings: ListingReader;
  private readonly breaker: CircuitBreaker;
  private readonly feedPoller: PollScheduler;
  private readonly webhooks?: WebhookEndpoint;
  private readonly patients: PatientIdentification;
  /** Appointment id → its practitioner's day, from the MIS's answers to commands (a cancellation names only the appointment). */
  private readonly appointmentDays = new Map<string, PractitionerDay>();

  constructor(
    config: MedRestAdapterConfig,
    private readonly context: DialectContext,
  ) {
    super();
    const { clock, logger } = context;
    this.breaker = new CircuitBreaker(clock, { failureThreshold: config.BREAKER_FAILURE_THRESHOLD, openMs: config.BREAKER_OPEN_MS });
    const archive = context.openRawArchive();
    this.client = new MedRestClient({
      baseUrl: config.MEDREST_BASE_URL,
      apiKey: config.MEDREST_API_KEY,
      timeoutMs: config.MIS_TIMEOUT_MS,
      maxResponseBytes: config.MIS_MAX_RESPONSE_BYTES,
      clock,
      breaker: this.breaker,
      limiter: new TokenBucket(clock, { ratePerSecond: config.MIS_RATE_PER_SECOND, burst: config.MIS_RATE_BURST }),
      retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 2_000 },
      maxRateLimitWaitMs: config.MEDREST_RATE_LIMIT_MAX_WAIT_MS,
      archive,
      onRejected: (operation, reason) => this.countRejected(operation, reason),
      onArchiveError: (error) => logger.warn('raw payload not archived', { error: describeError(error) }),
    });
    this.listings = new ListingReader(this.client, config.MEDREST_PAGE_SIZE);
    this.schedule = new ScheduleSync(
      this.listings,
      context.publication,
      clock,
      context.codes,
      context.quality,
      {
        misVendor: context.misVendor,
        fallbackTimeZone: config.MEDREST_DEFAULT_TIME_ZONE,
        horizonDays: context.horizonDays,
        practitionerConcurrency: config.SYNC_DOCTOR_CONCURRENCY,
        bookingChannels: context.bookingChannels,
        specialtyRules: context.specialtyRules,
      },
      logger,
    );
    this.feed = new ChangeFeed(this.client, { pageSize: config.MEDREST_PAGE_SIZE, reread: (days) => this.rereadAll(days), requestSync: context.requestSync });
    this.feedPoller = new PollScheduler(
      () => this.feed.poll(),
      { intervalMs: config.MEDREST_CHANGES_INTERVAL_MS, jitter: 0.1 },
      (error) => logger.warn('change feed not read; trying again', { error: describeError(error) }),
    );
    this.patients = new PatientIdentification(this.client, this.schedule);
    if (config.MEDREST_WEBHOOK_SECRET.length > 0) {
      this.webhooks = new WebhookEndpoint({
        secrets: config.MEDREST_WEBHOOK_SECRET,
        toleranceSeconds: config.MEDREST_WEBHOOK_TOLERANCE_SECONDS,
        maxBodyBytes: config.MEDREST_WEBHOOK_MAX_BODY_BYTES,
        clock,
        onEvent: (event) => void this.reread({ facilityId: event.data.facility_id, practitionerId: event.data.practitioner_id, date: event.data.date }),
      });
    }
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

  /** A full pass; the change feed is anchored first, so whatever changes while it reads is followed after. */
  async sync(options: SyncOptions): Promise<SyncSummary> {
    await this.feed.anchor();
    return this.schedule.fullSync({ reassert: options.reassert });
  }

  async book(order: BookOrder): Promise<MisAnswer> {
    if (!(await this.schedule.facilityFor(order.organisationOid))) return notListed;
    const body = { slot_id: order.localSlotId, patient_id: order.misPatientId, ...(order.replacesMisAppointmentId ? { replaces_appointment_id: order.replacesMisAppointmentId } : {}) };
    const answer = await this.client.post('appointments.book', '/appointments', body, appointmentSchema, { idempotencyKey: idempotencyKeyOf(order.commandId) });
    if (answer.kind === 'ok') return this.done(answer.value);
    const { problem } = answer;
    // The MIS names the patient's appointment that day: when it is this very slot, the booking stands (a call of ours, or the front desk's).
    if (problem.code === 'patient_already_booked' && problem.appointment_id !== undefined) {
      const held = await this.appointment(problem.appointment_id);
      if (held?.status === 'booked' && held.slot_id === order.localSlotId && held.patient_id === order.misPatientId) return this.done(held);
    }
    return refusalOf(problem);
  }

  async cancel(order: CancelOrder): Promise<MisAnswer> {
    if (!(await this.schedule.facilityFor(order.organisationOid))) return notListed;
    const answer = await this.cancelAt(order.misAppointmentId, idempotencyKeyOf(order.commandId));
    if (answer.kind === 'problem') return refusalOf(answer.problem);
    if (answer.value.status === 'cancelled') return this.done(answer.value);
    return { kind: 'refused', reason: CommandRejectionReason.OTHER, misErrorCode: null, message: `the MIS answered the cancellation with the appointment ${answer.value.status}` };
  }

  /** The patient's booked appointments: the slot each holds and its own id (`apt-…`). */
  async activeAppointments(_organisationOid: string, misPatientId: string): Promise<readonly MisAppointment[]> {
    return (await this.bookedOf(misPatientId)).map((a) => ({ localSlotId: a.slot_id, misAppointmentId: a.id }));
  }

  identify(request: IdentifyRequest): Promise<IdentifiedPatient> {
    return this.patients.identify(request);
  }

  mayHaveReachedMis(error: unknown): boolean {
    return mayHaveReachedMis(error);
  }

  /** Re-reads the days of the slots (or appointments) a command touched. */
  async refreshSlots(organisationOid: string, localSlotIds: readonly string[]): Promise<void> {
    const facility = this.schedule.facilityOf(organisationOid);
    if (!facility) return;
    for (const id of localSlotIds) {
      const day = this.appointmentDays.get(id) ?? (await this.schedule.dayOfSlot(organisationOid, slotIdOf(organisationOid, id))) ?? (await this.dayOfMisSlot(facility.facilityId, id));
      if (day) void this.reread(day);
    }
  }

  override routes(): readonly DialectRoute[] {
    const webhooks = this.webhooks;
    if (!webhooks) return [];
    return [{ method: 'POST', path: webhooks.path, handle: (req: IncomingMessage, res: ServerResponse) => webhooks.handle(req, res) }];
  }

  override health(): MedRestHealth {
    return {
      circuit: this.breaker.state,
      rejectedResponses: { ...this.rejected },
      webhooks: this.webhooks ? { ...this.webhooks.counters } : null,
      changeFeed: { ...this.feed.counters, anchored: this.feed.anchored },
    };
  }

  override async start(): Promise<void> {
    this.feedPoller.start();
  }

  override async stop(): Promise<void> {
    await this.feedPoller.stop();
  }

  private done(appointment: MedRestAppointment): MisAnswer {
    const facility = this.schedule.facility(appointment.facility_id);
    if (facility) {
      this.appointmentDays.set(appointment.id, { facilityId: facility.facilityId, practitionerId: appointment.practitioner_id, date: appointment.start.slice(0, 10) });
      if (this.appointmentDays.size > rememberedAppointments) this.appointmentDays.delete(this.appointmentDays.keys().next().value ?? '');
    }
    return { kind: 'done', misAppointmentId: appointment.id };
  }

  private cancelAt(appointmentId: string, idempotencyKey: string) {
    return this.client.post('appointments.cancel', `/appointments/${encodeURIComponent(appointmentId)}/cancel`, {}, appointmentSchema, { idempotencyKey });
  }

  private async appointment(appointmentId: string): Promise<MedRestAppointment | undefined> {
    const answer = await this.client.read('appointments.get', `/appointments/${encodeURIComponent(appointmentId)}`, appointmentSchema);
    return answer.kind === 'ok' ? answer.value : undefined;
  }

  /** The patient's appointments holding a slot now (none for a patient the MIS does not know). */
  private async bookedOf(misPatientId: string): Promise<MedRestAppointment[]> {
    const path = `/patients/${encodeURIComponent(misPatientId)}/appointments`;
    try {
      return (await this.listings.all('patients.appointments', path, appointmentSchema, { status: 'booked' })).filter((a) => a.status === 'booked');
    } catch (error) {
      if (error instanceof MisResponseRejectedError && error.details?.['misCode'] === 'patient_not_found') return [];
      throw error;
    }
  }

  private async dayOfMisSlot(facilityId: string, localSlotId: string): Promise<PractitionerDay | undefined> {
    const answer = await this.client.read('slots.get', `/slots/${encodeURIComponent(localSlotId)}`, slotSchema);
    return answer.kind === 'ok' ? { facilityId, practitionerId: answer.value.practitioner_id, date: answer.value.start.slice(0, 10) } : undefined;
  }

  private async rereadAll(days: readonly PractitionerDay[]): Promise<void> {
    const queue = [...days];
    const worker = async () => {
      for (let day = queue.shift(); day !== undefined; day = queue.shift()) {
        try {
          if ((await this.schedule.refreshDay(day)) === undefined) this.context.requestSync();
        } catch (error) {
          if (!(error instanceof MisResponseRejectedError)) throw error;
          this.context.logger.warn('a changed day could not be read; a full pass will', { error: describeError(error) });
          this.context.requestSync();
        }
      }
    };
    await Promise.all(Array.from({ length: rereadConcurrency }, worker));
  }

  private async reread(day: PractitionerDay): Promise<void> {
    try {
      if ((await this.schedule.refreshDay(day)) === undefined) this.context.requestSync();
    } catch (error) {
      this.context.logger.warn('re-read after a webhook or command failed; the change feed will catch up', { error: describeError(error) });
    }
  }

  private countRejected(operation: string, reason: MisResponseRejection): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    this.context.logger.warn('MIS response rejected', { operation, reason });
  }
}
