import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@medbus/errors';
import {
  HubErrorCode,
  hubErrorDescriptions,
  hubSuccess,
  type CheckPatientResult,
  type GetPatientHistoryResult,
  type HistoryVisit,
  type HubFacadeRequests,
  type MethodResult,
  type Patient,
  type SetAppointmentResult,
  type SetWaitingListResult,
} from '@medbus/hubservice';
import type { AppointmentView } from '../appointments/appointment.mapper';
import type { Caller } from '../booking-request.mapper';
import { AppointmentsService } from '../appointments/appointments.service';
import { PatientsService } from '../patients/patients.service';
import { WaitlistService } from '../waitlist/waitlist.service';
import { FacadeErrorCode, failureOf, hubErrorOf, hubErrorOfCode, inProgressError } from './hub-error.mapper';
import { historyListOf, historyVisitOf, idempotencyKeyOf, isPatientId, patientQueryOf, waitlistRequestOf } from './hub-facade.mapper';
import { HubFacadeQuery, type OrganisationRow } from './hub-facade.query';

/** How much of a patient's history GetPatientHistory reads (pages of the appointments list). */
const historyPageSize = 200;
const historyMaxPages = 5;

const notFound = (code: HubErrorCode, idHistory: number | undefined): MethodResult =>
  failureOf({ IdError: code, ErrorDescription: hubErrorDescriptions[code] }, idHistory);

/**
 * The HubService operations that identify patients and book, over the booking flow's services.
 * HubService has no hold step: SetAppointment books straight away, and a reserved slot is bookable
 * by the waitlisted patient it is reserved for. IdAppointment is the slot id throughout, so a
 * client's retry of SetAppointment or CreateClaimForRefusal is recognised by the patient's
 * appointment on that slot.
 */
@Injectable()
export class HubBookingService {
  constructor(
    @Inject(PatientsService) private readonly patients: PatientsService,
    @Inject(AppointmentsService) private readonly appointments: AppointmentsService,
    @Inject(WaitlistService) private readonly waitlist: WaitlistService,
    @Inject(HubFacadeQuery) private readonly query: HubFacadeQuery,
  ) {}

  async identify(caller: Caller, patient: Patient, org: OrganisationRow, register: boolean, idHistory: number | undefined): Promise<CheckPatientResult> {
    const identified = await this.patients.identify(caller, patientQueryOf(patient, org.organisation_oid), register);
    return { ...hubSuccess(idHistory), IdPat: identified.patientId };
  }

  async setAppointment(
    caller: Caller,
    org: OrganisationRow,
    params: HubFacadeRequests['SetAppointment'] & { readonly idAppointment: string },
  ): Promise<SetAppointmentResult> {
    const h = params.idHistory;
    const slotId = params.idAppointment;
    if (!isPatientId(params.idPat)) return notFound(HubErrorCode.PatientNotFound, h);
    if (!slotId.startsWith(`${org.organisation_oid}:`)) return notFound(HubErrorCode.NoAppointmentAtTime, h);
    const patientId = params.idPat;
    const previousSlotId = params.idAppointmentPrev?.trim() || undefined;
    // A repeated call (the client timed out, or retries after "в обработке") finds its own booking.
    let view = await this.appointments.findActiveOnSlot(caller, patientId, slotId);
    if (!view) {
      const key = idempotencyKeyOf(caller, 'SetAppointment', h, patientId, slotId, previousSlotId);
      if (previousSlotId === undefined) {
        view = await this.appointments.book(caller, { slotId, patientId }, key);
        // The same idHistory once booked this slot, and that booking has ended since: this is a new one.
        if (key !== undefined && (view.status === 'CANCELLED' || view.status === 'RESCHEDULED')) view = await this.appointments.book(caller, { slotId, patientId });
      } else {
        const previous = await this.appointments.findActiveOnSlot(caller, patientId, previousSlotId);
        if (!previous) return notFound(HubErrorCode.BookingNotFound, h);
        view = await this.appointments.reschedule(caller, previous.appointmentId, { slotId }, key);
      }
    }
    return this.outcome(view, 'CONFIRMED', h, async () => ({ ...hubSuccess(h), Type: (await this.query.practitionerOfSlot(slotId))?.specialty_name ?? undefined }));
  }

  async cancel(caller: Caller, org: OrganisationRow, idPat: string | undefined, slotId: string, idHistory: number | undefined): Promise<MethodResult> {
    if (!isPatientId(idPat)) return notFound(HubErrorCode.PatientNotFound, idHistory);
    if (!slotId.startsWith(`${org.organisation_oid}:`)) return notFound(HubErrorCode.BookingNotFound, idHistory);
    const active = await this.appointments.findActiveOnSlot(caller, idPat, slotId);
    if (!active) {
      // A repeated cancel of what is already cancelled succeeds again.
      const latest = await this.latestOnSlot(caller, idPat, slotId);
      return latest?.status === 'CANCELLED' ? hubSuccess(idHistory) : notFound(HubErrorCode.BookingNotFound, idHistory);
    }
    const view = await this.appointments.cancel(caller, active.appointmentId, idempotencyKeyOf(caller, 'CreateClaimForRefusal', idHistory, idPat, slotId));
    return this.outcome(view, 'CANCELLED', idHistory, async () => hubSuccess(idHistory));
  }

  async history(caller: Caller, org: OrganisationRow, idPat: string | undefined, idHistory: number | undefined): Promise<GetPatientHistoryResult> {
    if (!isPatientId(idPat)) return notFound(HubErrorCode.PatientNotFound, idHistory);
    const views = (await this.allOf(caller, idPat)).filter((view) => view.organisationOid === org.organisation_oid);
    const practitioners = new Map((await this.query.practitioners(views.map((view) => view.resourceId))).map((row) => [row.resource_id, row]));
    const visits: HistoryVisit[] = [];
    const refusals: HistoryVisit[] = [];
    for (const view of views) {
      const list = historyListOf(view.status);
      if (list === undefined) continue;
      (list === 'visit' ? visits : refusals).push(historyVisitOf(view, practitioners.get(view.resourceId), org.time_zone));
    }
    return { ...hubSuccess(idHistory), ListHistoryRefusal: refusals, ListHistoryVisit: visits };
  }

  async waitingList(caller: Caller, org: OrganisationRow, params: HubFacadeRequests['SetWaitingList'], now: Date): Promise<SetWaitingListResult> {
    if (!isPatientId(params.idPat)) return notFound(HubErrorCode.PatientNotFound, params.idHistory);
    try {
      const entry = await this.waitlist.register(caller, waitlistRequestOf({ ...params, idPat: params.idPat }, org, now));
      return { ...hubSuccess(params.idHistory), GuidClaim: entry.entryId };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const mapped = hubErrorOf(error);
      // The contract's one waitlist code covers every refusal without a code of its own.
      if (mapped.IdError !== FacadeErrorCode.Refused) return failureOf(mapped, params.idHistory);
      return failureOf({ IdError: HubErrorCode.WaitlistRefused, ErrorDescription: `${hubErrorDescriptions[HubErrorCode.WaitlistRefused]} (${error.code})` }, params.idHistory);
    }
  }

  /** Success when the appointment reached `done`; "в обработке" while the MIS has not answered; its refusal otherwise. */
  private async outcome<R extends MethodResult>(view: AppointmentView, done: 'CONFIRMED' | 'CANCELLED', idHistory: number | undefined, success: () => Promise<R>): Promise<R | MethodResult> {
    if (view.status === done) return success();
    if (view.status === 'PENDING' || view.status === 'CANCELLING') return failureOf(inProgressError(view.appointmentId), idHistory);
    if (view.rejection) return failureOf(hubErrorOfCode(view.rejection.code), idHistory);
    return failureOf(hubErrorOfCode(`BOOKING.APPOINTMENT_${view.status}`), idHistory);
  }

  private async allOf(caller: Caller, patientId: string): Promise<AppointmentView[]> {
    const views: AppointmentView[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < historyMaxPages; page++) {
      const result = await this.appointments.listByPatient(caller, patientId, { limit: historyPageSize, cursor });
      views.push(...result.items);
      if (result.nextCursor === null) break;
      cursor = result.nextCursor;
    }
    return views;
  }

  private async latestOnSlot(caller: Caller, patientId: string, slotId: string): Promise<AppointmentView | undefined> {
    const { items } = await this.appointments.listByPatient(caller, patientId, { limit: historyPageSize });
    return items.find((view) => view.slotId === slotId);
  }
}
