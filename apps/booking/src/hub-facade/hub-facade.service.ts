import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@medbus/errors';
import { HubErrorCode, hubErrorDescriptions, hubSuccess, type DecodedFacadeRequest, type HubFacadeOperationName, type HubFacadeRequests, type HubFacadeResults, type MethodResult } from '@medbus/hubservice';
import { Clock } from '../inventory/clock.service';
import { HubBookingService } from './hub-booking.service';
import { failureOf, hubErrorOf } from './hub-error.mapper';
import { HubAccessDeniedError, OperationNotServedError, ParameterRequiredError, UnknownLpuError } from './hub-facade.errors';
import { AuditLog } from '../audit/audit.service';
import { Role } from '../clients/access.mapper';
import { ClientsService } from '../clients/clients.service';
import { appointmentOf, availableDatesOf, clinicOf, districtOf, doctorOf, spesialityOf, workingTimeOf, type HubClient } from './hub-facade.mapper';
import { HubFacadeQuery, type OrganisationRow } from './hub-facade.query';
import { windowOf } from './hub-time.mapper';

/** An operation's result, tagged with the operation for the encoder. */
export type HubAnswer = { readonly [K in HubFacadeOperationName]: { readonly operation: K; readonly result: HubFacadeResults[K] } }[HubFacadeOperationName];

/**
 * The HubService operations over the unified inventory and the booking flow. The `guid` is checked
 * first; requests the contract has no IdError for (unknown guid, unknown idLpu, a missing required
 * parameter) throw the errors of hub-facade.errors.ts, which the controller answers as faults.
 */
@Injectable()
export class HubFacadeService {
  constructor(
    @Inject(HubFacadeQuery) private readonly query: HubFacadeQuery,
    @Inject(HubBookingService) private readonly booking: HubBookingService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ClientsService) private readonly clients: ClientsService,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  /**
   * Answers one operation for the client the controller found by the request's guid ({@link clientOf});
   * operations on patients and appointments are audited.
   */
  async handle(request: DecodedFacadeRequest, client: HubClient): Promise<HubAnswer> {
    // The guid the parser read must be the one that was looked up before the parse.
    if (request.params.guid?.trim().toLowerCase() !== client.guid.trim().toLowerCase()) throw new HubAccessDeniedError();
    if (!auditedOperations.has(request.operation)) return this.answer(request, client);
    const who = { clientId: client.caller.clientId, role: client.caller.role, action: `hub.${request.operation}`, resourceType: 'hub-operation' };
    try {
      const answer = await this.answer(request, client);
      const idError = answer.result.ErrorList?.[0]?.IdError;
      this.audit.recordLater({ ...who, outcome: answer.result.Success ? 'ALLOWED' : 'REFUSED', details: idError === undefined ? undefined : { idError } });
      return answer;
    } catch (error) {
      this.audit.recordLater({ ...who, outcome: 'FAILED', details: { code: error instanceof AppError ? error.code : 'COMMON.INTERNAL' } });
      throw error;
    }
  }

  private async answer(request: DecodedFacadeRequest, client: HubClient): Promise<HubAnswer> {
    const h = request.params.idHistory;
    switch (request.operation) {
      case 'GetDistrictList': {
        await this.query.assignIds();
        return { operation: request.operation, result: { ...hubSuccess(h), Districts: (await this.query.districts()).map(districtOf) } };
      }
      case 'GetLPUList': {
        await this.query.assignIds();
        return { operation: request.operation, result: { ...hubSuccess(h), ListLPU: (await this.query.clinics(request.params.idDistrict)).map(clinicOf) } };
      }
      case 'GetSpesialityList': {
        const org = await this.organisation(request.params.idLpu);
        const rows = await this.query.specialties(org.organisation_oid, client.caller.channel, this.clock.now());
        return { operation: request.operation, result: { ...hubSuccess(h), ListSpesiality: rows.map((row) => spesialityOf(row, org.time_zone)) } };
      }
      case 'GetDoctorList': {
        const org = await this.organisation(request.params.idLpu);
        const specialty = required(request.params.idSpesiality, 'idSpesiality');
        const rows = await this.query.doctors(org.organisation_oid, specialty, client.caller.channel, this.clock.now());
        return { operation: request.operation, result: { ...hubSuccess(h), Docs: rows.map((row) => doctorOf(row, org.time_zone)) } };
      }
      case 'GetAvailableDates': {
        const slots = await this.freeSlots(request.params, client);
        if (!slots) return { operation: request.operation, result: this.noSchedule(h) };
        return { operation: request.operation, result: { ...hubSuccess(h), AvailableDateList: availableDatesOf(slots.rows, slots.org.time_zone) } };
      }
      case 'GetAvaibleAppointments': {
        const slots = await this.freeSlots(request.params, client);
        if (!slots) return { operation: request.operation, result: this.noSchedule(h) };
        return { operation: request.operation, result: { ...hubSuccess(h), ListAppointments: slots.rows.map((row) => appointmentOf(row, slots.org)) } };
      }
      case 'CheckPatient':
      case 'AddNewPatient': {
        const org = await this.organisation(request.params.idLpu);
        const patient = request.operation === 'CheckPatient' ? request.params.pat : request.params.patient;
        if (!patient) throw new ParameterRequiredError(request.operation === 'CheckPatient' ? 'pat' : 'patient');
        const result = await this.guarded(h, () => this.booking.identify(client.caller, patient, org, request.operation === 'AddNewPatient', h));
        return { operation: request.operation, result };
      }
      case 'SetAppointment': {
        const org = await this.organisation(request.params.idLpu);
        const slotId = required(request.params.idAppointment, 'idAppointment');
        const result = await this.guarded(h, () => this.booking.setAppointment(client.caller, org, { ...request.params, idAppointment: slotId }));
        return { operation: request.operation, result };
      }
      case 'CreateClaimForRefusal': {
        const org = await this.organisation(request.params.idLpu);
        const slotId = required(request.params.idAppointment, 'idAppointment');
        const result = await this.guarded(h, () => this.booking.cancel(client.caller, org, request.params.idPat, slotId, h));
        return { operation: request.operation, result };
      }
      case 'GetPatientHistory': {
        const org = await this.organisation(request.params.idLpu);
        const result = await this.guarded(h, () => this.booking.history(client.caller, org, request.params.idPat, h));
        return { operation: request.operation, result };
      }
      case 'SetWaitingList': {
        const org = await this.organisation(request.params.idLpu);
        const result = await this.guarded(h, () => this.booking.waitingList(client.caller, org, request.params, this.clock.now()));
        return { operation: request.operation, result };
      }
      case 'GetWorkingTime': {
        const org = await this.organisation(request.params.idLpu);
        const idDoc = required(request.params.idDoc, 'idDoc');
        if (!(await this.query.hasPractitioner(org.organisation_oid, idDoc))) return { operation: request.operation, result: this.noSchedule(h) };
        const window = windowOf(request.params.visitStart, request.params.visitEnd, org.time_zone, this.clock.now());
        const rows = window.to !== undefined && window.to <= window.from ? [] : await this.query.scheduleSlots(idDoc, window, client.caller.channel);
        return { operation: request.operation, result: { ...hubSuccess(h), WorkingTimeList: workingTimeOf(rows, org.time_zone) } };
      }
      default:
        request satisfies never;
        throw new OperationNotServedError('?');
    }
  }

  /** Failures of the booking flow are `Success=false` with their IdError; ours (faults) and the unexpected pass through. */
  private async guarded<R extends MethodResult>(idHistory: number | undefined, work: () => Promise<R>): Promise<R | MethodResult> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof AppError) || isFacadeFault(error)) throw error;
      return failureOf(hubErrorOf(error), idHistory);
    }
  }

  /**
   * The client system a guid belongs to (a registered HUB_CLIENT's live guid), if any; the controller asks
   * once per request, before parsing the body. A refused guid is audited, never written down.
   */
  async clientOf(guid: string): Promise<HubClient | undefined> {
    const caller = await this.clients.authenticateGuid(guid).catch((error: unknown) => {
      if (error instanceof AppError) return undefined;
      throw error;
    });
    if (caller?.role === Role.HUB_CLIENT) return { guid, caller };
    this.audit.recordLater({ action: 'auth.authenticate', outcome: 'REFUSED', clientId: caller?.clientId ?? null, details: { route: 'hub-facade', code: 'HUB.ACCESS_DENIED' } });
    return undefined;
  }

  private async organisation(idLpu: number | undefined): Promise<OrganisationRow> {
    const org = idLpu === undefined ? undefined : await this.query.organisation(idLpu);
    if (!org) throw new UnknownLpuError();
    return org;
  }

  private async freeSlots(params: HubFacadeRequests['GetAvailableDates'], client: HubClient) {
    const org = await this.organisation(params.idLpu);
    const idDoc = required(params.idDoc, 'idDoc');
    if (!(await this.query.hasPractitioner(org.organisation_oid, idDoc))) return undefined;
    const window = windowOf(params.visitStart, params.visitEnd, org.time_zone, this.clock.now());
    if (window.to !== undefined && window.to <= window.from) return { org, rows: [] };
    return { org, rows: await this.query.freeSlots(idDoc, window, client.caller.channel) };
  }

  private noSchedule(idHistory: number | undefined): MethodResult {
    return failureOf({ IdError: HubErrorCode.NoScheduleOnDate, ErrorDescription: hubErrorDescriptions[HubErrorCode.NoScheduleOnDate] }, idHistory);
  }
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === '') throw new ParameterRequiredError(name);
  return value;
}

const auditedOperations: ReadonlySet<HubFacadeOperationName> = new Set([
  'CheckPatient',
  'AddNewPatient',
  'SetAppointment',
  'CreateClaimForRefusal',
  'GetPatientHistory',
  'SetWaitingList',
] as const);

/** Errors the controller answers as SOAP faults rather than as `Success=false`. */
export function isFacadeFault(error: unknown): boolean {
  return error instanceof HubAccessDeniedError || error instanceof UnknownLpuError || error instanceof ParameterRequiredError || error instanceof OperationNotServedError;
}
