import { ForbiddenError, ValidationError } from '@medbus/errors';
import {
  AppointmentSource,
  HubErrorCode,
  hubFailure,
  hubSuccess,
  type Appointment,
  type DecodedRequest,
  type Doctor,
  type HistoryVisit,
  type HubResults,
  type Patient,
  type Spesiality,
} from '@medbus/hubservice';
import { localPositions, localSpecialties, type SimDoctor, type SimOrganisation } from '../clinic/region.generator';
import { addDays, type ScheduleState, type SimSlot } from '../clinic/schedule.state';

/** What the SOAP layer answers: the operation's result, or a fault worded for the client. */
export type HubAnswer = { readonly [K in keyof HubResults]: { readonly operation: K; readonly result: HubResults[K] } }[keyof HubResults];

const specialtyByCode = new Map(localSpecialties.map((s) => [s.code, s]));
const positionByCode = new Map(localPositions.map((p) => [p.code, p]));

/**
 * The MIS side of the HubService contract over the simulator's state. Wrong input the contract has
 * no IdError for (unknown guid, unknown organisation, missing required parameter) is a client fault.
 */
export class HubService {
  constructor(
    private readonly state: ScheduleState,
    private readonly guids: ReadonlySet<string>,
  ) {}

  handle(request: DecodedRequest): HubAnswer {
    if (!request.params.guid || !this.guids.has(request.params.guid)) {
      throw new ForbiddenError('HUB.ACCESS_DENIED', 'Доступ запрещён: неизвестный guid');
    }
    const h = request.params.idHistory;
    switch (request.operation) {
      case 'GetDistrictList':
        return {
          operation: request.operation,
          result: {
            ...hubSuccess(h),
            Districts: this.state.region.districts.map((d) => ({ DistrictName: d.name, IdDistrict: d.idDistrict, Okato: d.okato })),
          },
        };
      case 'GetLPUList': {
        const { idDistrict } = request.params;
        const orgs = this.state.region.organisations.filter((o) => idDistrict === undefined || o.idDistrict === idDistrict);
        return {
          operation: request.operation,
          result: {
            ...hubSuccess(h),
            ListLPU: orgs.map((o) => ({
              Description: o.address,
              District: o.idDistrict,
              IdLPU: o.idLpu,
              IsActive: true,
              LPUFullName: o.fullName,
              LPUShortName: o.shortName,
              LPUType: o.lpuType,
              Oid: o.oid,
            })),
          },
        };
      }
      case 'CheckPatient': {
        const org = this.organisation(request.params.idLpu);
        const found = this.state.findPatients(org.idLpu, requirePatient(request.params.pat));
        if (found.length === 0) return { operation: request.operation, result: hubFailure(HubErrorCode.PatientNotRegistered, h) };
        if (found.length > 1) return { operation: request.operation, result: hubFailure(HubErrorCode.PatientAmbiguous, h) };
        return { operation: request.operation, result: { ...hubSuccess(h), IdPat: found[0] } };
      }
      case 'AddNewPatient': {
        const org = this.organisation(request.params.idLpu);
        const patient = requirePatient(request.params.patient);
        if (!patient.Surname || !patient.Name || !patient.Birthday) throw new ValidationError('HUB.PATIENT_INCOMPLETE', 'Не заполнены фамилия, имя или дата рождения');
        const existing = this.state.findPatients(org.idLpu, patient);
        if (existing.length > 1) return { operation: request.operation, result: hubFailure(HubErrorCode.PatientAmbiguous, h) };
        const idPat = existing[0] ?? this.state.addPatient(org.idLpu, patient);
        return { operation: request.operation, result: { ...hubSuccess(h), IdPat: idPat } };
      }
      case 'GetSpesialityList': {
        const org = this.organisation(request.params.idLpu);
        const doctors = this.doctorsOf(org);
        const codes = [...new Set(doctors.map((d) => d.specialtyCode))].sort();
        const list: Spesiality[] = codes.map((code) => {
          const spec = specialtyByCode.get(code);
          const free = doctors.filter((d) => d.specialtyCode === code).flatMap((d) => this.free(d));
          const dates = free.map((s) => s.start).sort();
          return {
            CountFreeParticipantIE: free.length,
            CountFreeTicket: free.length,
            FerIdSpesiality: spec?.nsi ?? undefined,
            IdSpesiality: code,
            LastDate: dates.at(-1),
            NameSpesiality: spec?.name ?? code,
            NearestDate: dates[0],
          };
        });
        return { operation: request.operation, result: { ...hubSuccess(h), ListSpesiality: list } };
      }
      case 'GetDoctorList': {
        const org = this.organisation(request.params.idLpu);
        const doctors = this.doctorsOf(org).filter((d) => d.specialtyCode === request.params.idSpesiality);
        return { operation: request.operation, result: { ...hubSuccess(h), Docs: doctors.map((d) => this.doctorContract(d)) } };
      }
      case 'GetAvailableDates': {
        const doctor = this.doctor(request.params.idLpu, request.params.idDoc);
        if (!doctor) return { operation: request.operation, result: hubFailure(HubErrorCode.NoScheduleOnDate, h) };
        const window = windowOf(this.organisation(request.params.idLpu).timeZone, request.params.visitStart, request.params.visitEnd);
        const dates = [...new Set(this.free(doctor, window).map((s) => `${s.date}T00:00:00`))].sort();
        return { operation: request.operation, result: { ...hubSuccess(h), AvailableDateList: dates } };
      }
      case 'GetAvaibleAppointments': {
        const doctor = this.doctor(request.params.idLpu, request.params.idDoc);
        if (!doctor) return { operation: request.operation, result: hubFailure(HubErrorCode.NoScheduleOnDate, h) };
        const window = windowOf(this.organisation(request.params.idLpu).timeZone, request.params.visitStart, request.params.visitEnd);
        const org = this.organisation(request.params.idLpu);
        return {
          operation: request.operation,
          result: { ...hubSuccess(h), ListAppointments: this.free(doctor, window).map((s) => appointmentOf(s, org)) },
        };
      }
      case 'GetWorkingTime': {
        const doctor = this.doctor(request.params.idLpu, request.params.idDoc);
        if (!doctor) return { operation: request.operation, result: hubFailure(HubErrorCode.NoScheduleOnDate, h) };
        const window = windowOf(this.organisation(request.params.idLpu).timeZone, request.params.visitStart, request.params.visitEnd);
        const list = [];
        for (let date = this.state.today; date <= this.state.lastDay; date = addDays(date, 1)) {
          if (date < window.from.slice(0, 10) || date > window.to.slice(0, 10)) continue;
          const slots = this.state.slotsOf(doctor.idLpu, doctor.idDoc, { from: `${date}T00:00:00`, to: `${date}T23:59:59` });
          if (slots.length === 0) continue;
          const sick = this.state.isSick(doctor.idLpu, doctor.idDoc, date);
          list.push({
            DenyCause: sick ? 'Больничный лист' : undefined,
            RecordableDay: !sick,
            VisitEnd: slots.at(-1)?.end ?? `${date}T00:00:00`,
            VisitStart: slots[0]?.start ?? `${date}T00:00:00`,
          });
        }
        return { operation: request.operation, result: { ...hubSuccess(h), WorkingTimeList: list } };
      }
      case 'SetAppointment': {
        const org = this.organisation(request.params.idLpu);
        const outcome = this.state.book(
          org.idLpu,
          required(request.params.idAppointment, 'idAppointment'),
          required(request.params.idPat, 'idPat'),
          AppointmentSource.contactCentre,
          request.params.idAppointmentPrev || undefined,
        );
        if (!outcome.ok) return { operation: request.operation, result: hubFailure(outcome.code, h) };
        const doctor = this.state.doctor(org.idLpu, outcome.slot.idDoc);
        const type = doctor ? specialtyByCode.get(doctor.specialtyCode)?.name : undefined;
        return { operation: request.operation, result: { ...hubSuccess(h), Type: type } };
      }
      case 'CreateClaimForRefusal': {
        const org = this.organisation(request.params.idLpu);
        const outcome = this.state.cancel(org.idLpu, required(request.params.idAppointment, 'idAppointment'), required(request.params.idPat, 'idPat'));
        return { operation: request.operation, result: outcome.ok ? hubSuccess(h) : hubFailure(outcome.code, h) };
      }
      case 'GetPatientHistory': {
        const org = this.organisation(request.params.idLpu);
        const idPat = required(request.params.idPat, 'idPat');
        if (!this.state.patient(org.idLpu, idPat)) return { operation: request.operation, result: hubFailure(HubErrorCode.PatientNotFound, h) };
        const toVisit = (v: { idAppointment: string; idDoc: string; visitStart: string; createdAt: string }): HistoryVisit => {
          const doctor = this.state.doctor(org.idLpu, v.idDoc);
          const spec = doctor ? specialtyByCode.get(doctor.specialtyCode) : undefined;
          return {
            DateCreatedAppointment: v.createdAt,
            DoctorRendingConsultation: doctor ? this.doctorContract(doctor) : undefined,
            IdAppointment: v.idAppointment,
            SpecialityRendingConsultation: spec
              ? { CountFreeParticipantIE: 0, CountFreeTicket: 0, FerIdSpesiality: spec.nsi ?? undefined, IdSpesiality: spec.code, NameSpesiality: spec.name }
              : undefined,
            VisitStart: v.visitStart,
          };
        };
        const history = this.state.historyOf(org.idLpu, idPat);
        return {
          operation: request.operation,
          result: {
            ...hubSuccess(h),
            ListHistoryRefusal: history.filter((v) => v.refused).map(toVisit),
            ListHistoryVisit: history.filter((v) => !v.refused).map(toVisit),
          },
        };
      }
      case 'SendNotificationAboutAppointment':
      case 'SendNotificationAboutAppointmentStatus':
        throw new ValidationError('HUB.NOT_SERVED', 'Операция обслуживается подписчиком, а не МИС');
      default:
        request satisfies never;
        throw new ValidationError('HUB.NOT_SERVED', 'Операция не поддерживается');
    }
  }

  /** The Doctor contract of a simulated doctor (also used in notifications). */
  doctorContract(d: SimDoctor): Doctor {
    const free = this.free(d).map((s) => s.start);
    return {
      AriaNumber: d.ariaNumber || undefined,
      Comment: positionByCode.get(d.positionCode)?.name,
      CountFreeParticipantIE: free.length,
      CountFreeTicket: free.length,
      IdDoc: d.idDoc,
      LastDate: free.at(-1),
      Name: d.name,
      NearestDate: free[0],
      Snils: this.state.doctorSnils(d) ?? undefined,
    };
  }

  private free(doctor: SimDoctor, window?: { from: string; to: string }): SimSlot[] {
    return this.state.slotsOf(doctor.idLpu, doctor.idDoc, { ...window, state: 'free' });
  }

  private organisation(idLpu: number | undefined): SimOrganisation {
    const org = idLpu === undefined ? undefined : this.state.organisations.get(idLpu);
    if (!org) throw new ValidationError('HUB.UNKNOWN_LPU', 'Неизвестная медицинская организация');
    return org;
  }

  private doctorsOf(org: SimOrganisation): SimDoctor[] {
    return this.state.region.doctors.filter((d) => d.idLpu === org.idLpu);
  }

  private doctor(idLpu: number | undefined, idDoc: string | undefined): SimDoctor | undefined {
    const org = this.organisation(idLpu);
    return idDoc ? this.state.doctor(org.idLpu, idDoc) : undefined;
  }
}

/** The Appointment contract of a slot; `Version` carries the slot's change counter. */
export function appointmentOf(slot: SimSlot, org: SimOrganisation): Appointment {
  return {
    Address: org.address,
    IdAppointment: slot.id,
    Num: slot.num,
    Room: slot.room,
    Version: slot.version,
    VisitEnd: slot.end,
    VisitStart: slot.start,
  };
}

/**
 * A wire date-time as clinic-local `YYYY-MM-DDTHH:MM:SS`. The contract sends local time without an
 * offset; a value that carries one (`Z`, `+03:00`) is converted to the clinic's zone, as a WCF
 * server converts a DateTime of another kind to its local time.
 */
export function toClinicLocal(value: string, timeZone: string): string {
  const offset = /(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!offset) return value.length === 16 ? `${value}:00` : value.slice(0, 19);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(value));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}`;
}

/**
 * The requested window as inclusive clinic-local bounds. A `visitEnd` at midnight means the whole of
 * that day, as clients pass bare dates.
 */
export function windowOf(timeZone: string, visitStart?: string, visitEnd?: string): { from: string; to: string } {
  const normal = (value: string) => toClinicLocal(value, timeZone);
  const from = visitStart ? normal(visitStart) : '0000-01-01T00:00:00';
  const to = visitEnd ? normal(visitEnd) : '9999-12-31T23:59:59';
  return { from, to: to.endsWith('T00:00:00') ? `${to.slice(0, 10)}T23:59:59` : to };
}

function requirePatient(patient: Patient | undefined): Patient {
  if (!patient) throw new ValidationError('HUB.PATIENT_REQUIRED', 'Не передан пациент');
  return patient;
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new ValidationError('HUB.PARAMETER_REQUIRED', `Не передан параметр ${name}`, { details: { parameter: name } });
  return value;
}
