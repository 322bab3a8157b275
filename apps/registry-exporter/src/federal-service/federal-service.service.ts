import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@medbus/errors';
import { BookingClient, federalChannel, type PatientLookup } from '../booking/booking.client';
import { FederalViewQuery, type FederalOrganisation } from '../export/federal-view.query';
import { StatusCode, type ErRequest, type ErRequests, type ErResponse, type ErResponses } from './er-service.contract';
import { outcomeOf, type ErOutcome } from './er-status.mapper';
import { checkWindowDays, clinicDateTime, scheduleWindowOf } from './er-time.mapper';
import { FederalSlotQuery } from './federal-slot.query';
import { ErNotFoundError, ErRefusalCode, ErSlotNotAvailableError, InvalidErRequestError } from './federal-service.errors';

/** Slots one GetScheduleInfo answers at most (a doctor's 31 days are a few hundred). */
export const maxScheduleSlots = 5_000;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The Idempotency-Key of a federal call at booking: the same federal session asking the same thing
 * again (a retry after a timeout) gets the same appointment instead of a second one.
 */
export function idempotencyKeyOf(...parts: readonly string[]): string {
  return `er.${createHash('sha256').update(parts.join('\n')).digest('base64url')}`;
}

const organisationOfId = (id: string): string => id.slice(0, Math.max(0, id.indexOf(':')));

/**
 * The operations of ErWebService: reads from the exporter's federal view (exactly what is exported)
 * and booking's live inventory; patients and appointments through booking's API as the federal
 * channel's client, so every rule of the booking flow holds for federal bookings. A refusal is a
 * Status_Code with a Comment; only our own faults throw.
 */
@Injectable()
export class FederalService {
  constructor(
    @Inject(BookingClient) private readonly booking: BookingClient,
    @Inject(FederalViewQuery) private readonly view: FederalViewQuery,
    @Inject(FederalSlotQuery) private readonly slots: FederalSlotQuery,
  ) {}

  async handle(request: ErRequest, now: Date = new Date()): Promise<ErResponse> {
    switch (request.operation) {
      case 'GetMOInfoExtended':
        return { operation: request.operation, result: await answering(() => this.moInfo(request.params), (refusal) => refusal) };
      case 'GetServicePostSpecsInfo':
        return { operation: request.operation, result: await answering(() => this.specialties(request.params), (refusal) => refusal) };
      case 'GetMOResourceInfo':
        return { operation: request.operation, result: await answering(() => this.resources(request.params), (refusal) => refusal) };
      case 'GetScheduleInfo':
        return { operation: request.operation, result: await answering(() => this.schedule(request.params, now), (refusal) => refusal) };
      case 'GetPatientInfo':
        return { operation: request.operation, result: await answering(() => this.patient(request.params), (refusal) => refusal) };
      case 'CreateAppointment':
        return {
          operation: request.operation,
          result: await answering(() => this.book(request.params), (refusal) => ({ ...refusal, Slot_Id: request.params.Slot_Id })),
        };
      case 'CancelAppointment':
        return { operation: request.operation, result: await answering(() => this.cancel(request.params), (refusal) => refusal) };
      default:
        return request satisfies never;
    }
  }

  private async moInfo(params: ErRequests['GetMOInfoExtended']): Promise<ErResponses['GetMOInfoExtended']> {
    const organisations = await this.view.organisations(params.MO_OID);
    if (params.MO_OID !== undefined && organisations.length === 0) throw moNotFound(params.MO_OID);
    return {
      Status_Code: StatusCode.SUCCESS,
      MO_List: {
        MO: organisations.map((o) => ({
          MO_OID: o.organisationOid,
          MO_Name: o.fullName ?? o.shortName ?? o.organisationOid,
          MO_Short_Name: o.shortName ?? o.fullName ?? o.organisationOid,
          Address: o.address ?? undefined,
          District_Code: o.districtId ?? '',
          District_Name: o.districtName ?? '',
        })),
      },
    };
  }

  private async specialties(params: ErRequests['GetServicePostSpecsInfo']): Promise<ErResponses['GetServicePostSpecsInfo']> {
    await this.organisation(params.MO_OID);
    const items = await this.view.specialties(params.MO_OID);
    return {
      Status_Code: StatusCode.SUCCESS,
      Service_Post_Specs: {
        Item: items.map((item) => ({
          Spec_Code: item.specialtyCode,
          Spec_Name: item.specialtyName ?? item.specialtyCode,
          Post_Code: item.positionCode ?? undefined,
          Post_Name: item.positionName ?? undefined,
        })),
      },
    };
  }

  private async resources(params: ErRequests['GetMOResourceInfo']): Promise<ErResponses['GetMOResourceInfo']> {
    await this.organisation(params.MO_OID);
    const resources = await this.view.resources(params.MO_OID, params.Spec_Code, params.Post_Code);
    return {
      Status_Code: StatusCode.SUCCESS,
      Resources: {
        Resource: resources.map((r) => ({
          Resource_Id: r.locationId,
          Doctor_SNILS: r.practitionerSnils,
          Doctor_Name: r.displayName ?? '',
          Spec_Code: r.specialtyCode,
          Post_Code: r.positionCode ?? undefined,
          Room: r.room ?? undefined,
          Department_OID: r.departmentOid ?? undefined,
        })),
      },
    };
  }

  /** FREE slots open to the federal portal, from booking's live inventory, of a resource the federal view exports. */
  private async schedule(params: ErRequests['GetScheduleInfo'], now: Date): Promise<ErResponses['GetScheduleInfo']> {
    checkWindowDays(params.Start_Date, params.End_Date);
    const organisation = await this.organisation(params.MO_OID);
    await this.resource(params.MO_OID, params.Resource_Id);
    const window = scheduleWindowOf(params.Start_Date, params.End_Date, organisation.timeZone, now);
    if (window.from >= window.to) return { Status_Code: StatusCode.SUCCESS, Slots: { Slot: [] } };
    const slots = await this.booking.allSlots({ organisation: params.MO_OID, practitioner: params.Resource_Id, from: window.from, to: window.to, freeOnly: true }, maxScheduleSlots);
    return {
      Status_Code: StatusCode.SUCCESS,
      Slots: {
        Slot: slots
          .filter((slot) => slot.status === 'FREE' && slot.bookingChannels.includes(federalChannel))
          .map((slot) => ({
            Slot_Id: slot.slotId,
            Visit_Time: clinicDateTime(slot.startsAt, organisation.timeZone),
            Visit_End: clinicDateTime(slot.endsAt, organisation.timeZone),
            Room: slot.room ?? undefined,
          })),
      },
    };
  }

  /** Identified at the clinic's MIS through booking; the patient's data goes only into that request. */
  private async patient(params: ErRequests['GetPatientInfo']): Promise<ErResponses['GetPatientInfo']> {
    const p = params.Patient;
    if (!p.OMS_Number && !p.SNILS && !(p.Last_Name && p.First_Name && p.Birth_Date)) {
      throw new InvalidErRequestError('Patient', 'give OMS_Number, or SNILS, or Last_Name, First_Name and Birth_Date');
    }
    await this.organisation(params.MO_OID);
    const lookup: PatientLookup = {
      organisationOid: params.MO_OID,
      policyNumber: p.OMS_Number,
      snils: p.SNILS,
      surname: p.Last_Name,
      firstName: p.First_Name,
      patronymic: p.Middle_Name,
      birthDate: p.Birth_Date,
    };
    const identified = await this.booking.identifyPatient(lookup);
    return { Status_Code: StatusCode.SUCCESS, Patient_Id: identified.patientId };
  }

  private async book(params: ErRequests['CreateAppointment']): Promise<ErResponses['CreateAppointment']> {
    if (organisationOfId(params.Slot_Id) !== params.MO_OID) {
      throw new ErNotFoundError(ErRefusalCode.slotNotFound, 'no such slot at this MO', { details: { organisationOid: params.MO_OID } });
    }
    const organisation = await this.organisation(params.MO_OID);
    const key = idempotencyKeyOf('CreateAppointment', params.Session_ID, params.Slot_Id, params.Patient_Id);
    const appointment = await this.booking.book(params.Slot_Id, params.Patient_Id, key).catch(async (error: unknown) => {
      throw await this.slotRefusal(error, params.Slot_Id);
    });
    if (appointment.status !== 'CONFIRMED') {
      throw new ErSlotNotAvailableError(ErRefusalCode.bookingNotActive, 'this request booked before and that appointment is no longer active', {
        details: { appointmentId: appointment.appointmentId, status: appointment.status },
      });
    }
    const resource = (await this.view.resources(params.MO_OID)).find((r) => r.locationId === appointment.resourceId);
    return {
      Status_Code: StatusCode.SUCCESS,
      Book_Id_Mis: appointment.appointmentId,
      Visit_Time: clinicDateTime(appointment.startsAt, organisation.timeZone),
      Room: resource?.room ?? undefined,
      Slot_Id: appointment.slotId,
    };
  }

  /** Booking's SLOT_NOT_FOUND covers an id it never had and a slot removed or closed since: the federal view tells them apart. */
  private async slotRefusal(error: unknown, slotId: string): Promise<unknown> {
    if (!(error instanceof AppError) || error.code !== 'BOOKING.SLOT_NOT_FOUND') return error;
    if (!(await this.slots.isKnown(slotId))) return error;
    return new ErSlotNotAvailableError(ErRefusalCode.slotNotAvailable, 'the slot was removed or closed to the federal portal', { cause: error, details: { slotId } });
  }

  private async cancel(params: ErRequests['CancelAppointment']): Promise<ErResponses['CancelAppointment']> {
    if (!uuidPattern.test(params.Book_Id_Mis)) throw bookingNotFound();
    const appointment = await this.booking.appointment(params.Book_Id_Mis);
    if (appointment.organisationOid !== params.MO_OID) throw bookingNotFound();
    await this.booking.cancel(params.Book_Id_Mis, idempotencyKeyOf('CancelAppointment', params.Session_ID, params.Book_Id_Mis));
    return { Status_Code: StatusCode.SUCCESS };
  }

  private async organisation(organisationOid: string): Promise<FederalOrganisation> {
    const [organisation] = await this.view.organisations(organisationOid);
    if (!organisation) throw moNotFound(organisationOid);
    return organisation;
  }

  private async resource(organisationOid: string, resourceId: string): Promise<void> {
    const resources = await this.view.resources(organisationOid);
    if (!resources.some((r) => r.locationId === resourceId)) {
      throw new ErNotFoundError(ErRefusalCode.resourceNotFound, 'no such exported resource at this MO', { details: { organisationOid } });
    }
  }
}

const moNotFound = (organisationOid: string): AppError =>
  new ErNotFoundError(ErRefusalCode.moNotFound, 'no such MO in the federal view', { details: { organisationOid } });

const bookingNotFound = (): AppError => new ErNotFoundError(ErRefusalCode.bookingNotFound, 'no such booking at this MO');

/** The operation's result, or its refusal as Status_Code and Comment; our own faults pass through. */
async function answering<R>(work: () => Promise<R>, refused: (refusal: ErOutcome) => R): Promise<R> {
  try {
    return await work();
  } catch (error) {
    const refusal = outcomeOf(error);
    if (refusal === undefined) throw error;
    return refused(refusal);
  }
}
