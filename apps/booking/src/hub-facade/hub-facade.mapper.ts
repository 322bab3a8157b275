import { createHash } from 'node:crypto';
import type { Appointment, Clinic, District, Doctor, HistoryVisit, HubFacadeRequests, Patient, Spesiality, WaitingListRule, WorkingTime } from '@medbus/hubservice';
import type { AppointmentView } from '../appointments/appointment.mapper';
import type { Caller } from '../booking-request.mapper';
import type { PatientQuery } from '@medbus/identification';
import type { WaitlistRequest } from '../waitlist/waitlist.mapper';
import type { ClinicRow, DistrictRow, DoctorRow, FreeSlotRow, OrganisationRow, PractitionerRow, ScheduleSlotRow, SpecialtyRow } from './hub-facade.query';
import { toInstant, toLocalDate, toLocalDateTime } from './hub-time.mapper';

/**
 * `LPUType` is a required int in the contract; the inventory does not know an organisation's
 * type, so every clinic is reported as 0 ("not specified").
 */
export const unknownLpuType = 0;

/** Without a `rule`, SetWaitingList waits for the next three weeks (the window clients search in). */
export const defaultWaitingDays = 21;

export function districtOf(row: DistrictRow): District {
  return { DistrictName: row.district_name ?? undefined, IdDistrict: row.id_district };
}

export function clinicOf(row: ClinicRow): Clinic {
  return {
    Description: row.address ?? undefined,
    District: row.id_district ?? undefined,
    IdLPU: row.id_lpu,
    IsActive: row.active,
    LPUFullName: row.full_name ?? undefined,
    LPUShortName: row.short_name ?? row.full_name ?? undefined,
    LPUType: unknownLpuType,
    Oid: row.organisation_oid,
  };
}

function localOrUndefined(instant: Date | null, timeZone: string | null): string | undefined {
  return instant ? toLocalDateTime(instant, timeZone) : undefined;
}

export function spesialityOf(row: SpecialtyRow, timeZone: string | null): Spesiality {
  const free = row.free_slots ?? 0;
  return {
    CountFreeParticipantIE: free,
    CountFreeTicket: free,
    FerIdSpesiality: row.nsi_code ?? undefined,
    IdSpesiality: row.specialty_key,
    LastDate: localOrUndefined(row.last_free_at, timeZone),
    NameSpesiality: row.name ?? row.specialty_key,
    NearestDate: localOrUndefined(row.nearest_free_at, timeZone),
  };
}

export function doctorOf(row: DoctorRow, timeZone: string | null): Doctor {
  const free = row.free_slots ?? 0;
  return {
    Comment: row.position_name ?? undefined,
    CountFreeParticipantIE: free,
    CountFreeTicket: free,
    IdDoc: row.resource_id,
    LastDate: localOrUndefined(row.last_free_at, timeZone),
    Name: row.display_name ?? undefined,
    NearestDate: localOrUndefined(row.nearest_free_at, timeZone),
  };
}

/** A free slot as an `Appointment` (its `IdAppointment` is the medbus slot id). */
export function appointmentOf(row: FreeSlotRow, organisation: Pick<OrganisationRow, 'address' | 'time_zone'>): Appointment {
  const version = Number(row.source_version);
  return {
    Address: organisation.address ?? undefined,
    IdAppointment: row.slot_id,
    Room: row.room ?? undefined,
    Version: Number.isSafeInteger(version) ? version : undefined,
    // A slot without an end (the MIS did not say) ends where it starts, as the contract has no nil here.
    VisitEnd: toLocalDateTime(row.ends_at ?? row.starts_at, organisation.time_zone),
    VisitStart: toLocalDateTime(row.starts_at, organisation.time_zone),
  };
}

/** The clinic-local days with a free slot, each at midnight, in order. */
export function availableDatesOf(rows: readonly Pick<FreeSlotRow, 'starts_at'>[], timeZone: string | null): string[] {
  return [...new Set(rows.map((row) => toLocalDate(row.starts_at, timeZone)))].sort();
}

export const noFreeTimeCause = 'Нет свободного времени для записи';

/**
 * A doctor's working days from the slots of the schedule: each clinic-local day from its first
 * slot's start to its last slot's end, recordable while one slot is still free for the caller.
 */
export function workingTimeOf(rows: readonly ScheduleSlotRow[], timeZone: string | null): WorkingTime[] {
  const days = new Map<string, { start: Date; end: Date; recordable: boolean }>();
  for (const row of rows) {
    const day = toLocalDate(row.starts_at, timeZone);
    const end = row.ends_at ?? row.starts_at;
    const known = days.get(day);
    if (!known) days.set(day, { start: row.starts_at, end, recordable: row.bookable });
    else {
      if (row.starts_at < known.start) known.start = row.starts_at;
      if (end > known.end) known.end = end;
      known.recordable ||= row.bookable;
    }
  }
  return [...days.keys()].sort().map((day) => {
    const { start, end, recordable } = days.get(day) as { start: Date; end: Date; recordable: boolean };
    return {
      DenyCause: recordable ? undefined : noFreeTimeCause,
      RecordableDay: recordable,
      VisitEnd: toLocalDateTime(end, timeZone),
      VisitStart: toLocalDateTime(start, timeZone),
    };
  });
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** What CheckPatient / AddNewPatient pass on to identification at the organisation. */
export function patientQueryOf(patient: Patient, organisationOid: string): PatientQuery {
  const query: { -readonly [K in keyof PatientQuery]: PatientQuery[K] } = { organisationOid };
  const policy = blankToUndefined(patient.Polis_N);
  if (policy) query.policyNumber = policy;
  const snils = blankToUndefined(patient.Snils);
  if (snils) query.snils = snils;
  const surname = blankToUndefined(patient.Surname);
  if (surname) query.surname = surname;
  const firstName = blankToUndefined(patient.Name);
  if (firstName) query.firstName = firstName;
  const patronymic = blankToUndefined(patient.SecondName);
  if (patronymic) query.patronymic = patronymic;
  // Birthday is a date at midnight; its date part is the birth date whatever the offset.
  if (patient.Birthday) query.birthDate = patient.Birthday.slice(0, 10);
  const phone = blankToUndefined(patient.CellPhone) ?? blankToUndefined(patient.HomePhone);
  if (phone) query.phone = phone;
  return query;
}

/** A practitioner (from the inventory) as HistoryVisit's doctor and specialty. */
function consultationOf(practitioner: PractitionerRow | undefined): Pick<HistoryVisit, 'DoctorRendingConsultation' | 'SpecialityRendingConsultation'> {
  if (!practitioner) return {};
  return {
    DoctorRendingConsultation: {
      Comment: practitioner.position_name ?? undefined,
      CountFreeParticipantIE: 0,
      CountFreeTicket: 0,
      IdDoc: practitioner.resource_id,
      Name: practitioner.display_name ?? undefined,
    },
    SpecialityRendingConsultation: practitioner.specialty_key
      ? {
          CountFreeParticipantIE: 0,
          CountFreeTicket: 0,
          FerIdSpesiality: practitioner.specialty_nsi_code ?? undefined,
          IdSpesiality: practitioner.specialty_key,
          NameSpesiality: practitioner.specialty_name ?? practitioner.specialty_key,
        }
      : undefined,
  };
}

export function historyVisitOf(view: AppointmentView, practitioner: PractitionerRow | undefined, timeZone: string | null): HistoryVisit {
  return {
    DateCreatedAppointment: toLocalDateTime(new Date(view.createdAt), timeZone),
    ...consultationOf(practitioner),
    IdAppointment: view.slotId,
    VisitStart: toLocalDateTime(new Date(view.startsAt), timeZone),
  };
}

/**
 * Which list of GetPatientHistory an appointment belongs to: booked ones (waiting for the MIS or
 * confirmed) are visits; cancelled ones, those being cancelled and those replaced by a reschedule
 * are refusals; refused bookings never existed for the patient.
 */
export function historyListOf(status: AppointmentView['status']): 'visit' | 'refusal' | undefined {
  switch (status) {
    case 'PENDING':
    case 'CONFIRMED':
      return 'visit';
    case 'CANCELLING':
    case 'CANCELLED':
    case 'RESCHEDULED':
      return 'refusal';
    case 'REJECTED':
      return undefined;
    default:
      status satisfies never;
      return undefined;
  }
}

const claimReasons = { 1: 'NO_FREE_SLOTS', 2: 'NO_CONVENIENT_TIME', 3: 'NO_SPECIALIST' } as const;

/** SetWaitingList's parameters as a waitlist registration at the organisation. */
export function waitlistRequestOf(
  params: HubFacadeRequests['SetWaitingList'] & { readonly idPat: string },
  organisation: Pick<OrganisationRow, 'organisation_oid' | 'time_zone'>,
  now: Date,
): WaitlistRequest {
  const interval = intervalOf(params.rule, organisation.time_zone, now);
  const reason = params.claim === 1 || params.claim === 2 || params.claim === 3 ? claimReasons[params.claim] : undefined;
  const request: { -readonly [K in keyof WaitlistRequest]: WaitlistRequest[K] } = {
    patientId: params.idPat,
    organisationOid: organisation.organisation_oid,
    preferredIntervals: [interval],
  };
  const specialty = blankToUndefined(params.idSpesiality);
  if (specialty) request.specialtyCode = specialty;
  const doctor = blankToUndefined(params.idDoc);
  if (doctor) request.resourceId = doctor;
  const phone = blankToUndefined(params.phone);
  if (phone) request.contactPhone = phone;
  if (reason) request.reason = reason;
  return request;
}

function intervalOf(rule: WaitingListRule | undefined, timeZone: string | null, now: Date): { from: string; to: string } {
  const start = rule?.Start === undefined ? undefined : toInstant(rule.Start, timeZone);
  const from = start && start > now ? start : now;
  const end = rule?.End === undefined ? undefined : toInstant(rule.End, timeZone);
  const wholeDay = rule?.End !== undefined && /T00:00(:00)?$/.test(rule.End);
  const to = end ? (wholeDay ? new Date(end.getTime() + 86_400_000) : end) : new Date(from.getTime() + defaultWaitingDays * 86_400_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** A client system allowed in by its `guid`, and the channel its bookings come through. */
export interface HubClient {
  readonly guid: string;
  readonly caller: Caller;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an IdPat can be a medbus patient id at all (anything else is "no patient with this id"). */
export function isPatientId(value: string | undefined): value is string {
  return value !== undefined && uuidPattern.test(value);
}

/**
 * The idempotency key of a mutating call: the same client repeating the same call with the same
 * `idHistory` (its process id) replays the first outcome. Without `idHistory` nothing is replayed
 * by key; the facade finds a repeated booking by its state instead (hub-booking.service.ts).
 */
export function idempotencyKeyOf(caller: Caller, operation: string, idHistory: number | undefined, ...parts: readonly (string | undefined)[]): string | undefined {
  if (idHistory === undefined) return undefined;
  const digest = createHash('sha256')
    .update(JSON.stringify([caller.clientId, operation, idHistory, ...parts.map((p) => p ?? null)]))
    .digest('hex');
  return `hub-${digest}`;
}
