import { z } from 'zod';
import { AppointmentSource, HubErrorCode, type Patient } from '@medbus/hubservice';
import { specialtyRules, type SimOrganisation } from '../clinic/region.generator';
import type { ScheduleState } from '../clinic/schedule.state';
import type { AppointmentRecord, AppointmentRegistry, AppointmentStatus } from './appointment.registry';
import { facilityId, parseFacilityId, parsePatientId, patientId, patientView, practitionerId, slotId, snilsFormatted, withOffset } from './medrest.mapper';
import { paginate, type Page } from './page.cursor';
import { bookingRefusal, ProblemError } from './problem.errors';
import type { ScheduleQuery } from './schedule.query';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const name = z.string().trim().min(1).max(100);
const policyNumber = z.string().regex(/^\d{16}$/, '16 digits');
const snils = z.string().regex(/^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/, '11 digits, XXX-XXX-XXX YY');

const searchBody = z
  .object({ facility_id: z.string(), policy_number: policyNumber.optional(), snils: snils.optional(), family_name: name.optional(), given_name: name.optional(), birth_date: date.optional() })
  .strict()
  .refine((b) => b.policy_number !== undefined || b.snils !== undefined || (b.family_name !== undefined && b.given_name !== undefined && b.birth_date !== undefined), {
    message: 'give policy_number, or snils, or family_name with given_name and birth_date',
  });

const registerBody = z
  .object({
    facility_id: z.string(),
    family_name: name,
    given_name: name,
    middle_name: name.optional(),
    birth_date: date,
    sex: z.enum(['male', 'female']).optional(),
    policy_number: policyNumber.optional(),
    snils: snils.optional(),
    phone: z.string().regex(/^\+?\d{10,15}$/, '10 to 15 digits, an optional leading +').optional(),
  })
  .strict();

const bookBody = z.object({ slot_id: z.string().min(1).max(100), patient_id: z.string().min(1).max(100), replaces_appointment_id: z.string().min(1).max(100).nullish() }).strict();
const cancelBody = z.object({ reason: z.string().max(500).optional() }).strict();
const statuses: readonly AppointmentStatus[] = ['booked', 'cancelled', 'completed'];

function statusOf(value: string | null): AppointmentStatus | undefined {
  if (value === null) return undefined;
  const status = statuses.find((s) => s === value);
  if (!status) throw new ProblemError('validation_failed', `status must be one of ${statuses.join(', ')}.`, { errors: [{ field: 'status', message: statuses.join('|') }] });
  return status;
}

/** The body as `schema` reads it, or a `validation_failed` problem listing each field's fault. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new ProblemError('validation_failed', 'The request body is not valid.', {
    errors: result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message })),
  });
}

/** Patients and appointments: the write side of the API. */
export class BookingService {
  constructor(
    private readonly state: ScheduleState,
    private readonly registry: AppointmentRegistry,
    private readonly schedule: ScheduleQuery,
    private readonly now: () => Date = () => new Date(),
  ) {}

  search(body: unknown, query: URLSearchParams): Page<Record<string, unknown>> {
    const input = parseBody(searchBody, body);
    const org = this.organisation(input.facility_id);
    const found = this.state
      .findPatients(org.idLpu, { Polis_N: input.policy_number, Snils: input.snils, Surname: input.family_name, Name: input.given_name, Birthday: input.birth_date })
      .sort();
    const page = paginate(found, (idPat) => idPat, `patients:${JSON.stringify(input)}`, { limit: query.get('limit'), cursor: query.get('cursor') });
    return { ...page, data: page.data.map((idPat) => this.patientOf(org.idLpu, idPat)) };
  }

  register(body: unknown): Record<string, unknown> {
    const input = parseBody(registerBody, body);
    const org = this.organisation(input.facility_id);
    const patient: Patient = {
      Surname: input.family_name,
      Name: input.given_name,
      SecondName: input.middle_name,
      Birthday: `${input.birth_date}T00:00:00`,
      Polis_N: input.policy_number,
      Snils: input.snils === undefined ? undefined : snilsFormatted(input.snils),
      CellPhone: input.phone,
    };
    const existing = this.state.findPatients(org.idLpu, patient);
    if (existing.length > 0) {
      throw new ProblemError('patient_exists', 'A patient with this policy number, SNILS, or name and birth date is registered at the facility.', {
        patient_ids: existing.map((idPat) => patientId(org.idLpu, idPat)),
      });
    }
    const idPat = this.state.addPatient(org.idLpu, patient, input.sex === undefined ? {} : { sex: input.sex === 'male' ? 'MALE' : 'FEMALE' });
    return this.patientOf(org.idLpu, idPat);
  }

  patient(id: string): Record<string, unknown> {
    const { idLpu, idPat } = this.patientKey(id);
    return this.patientOf(idLpu, idPat);
  }

  appointmentsOf(patient: string, query: URLSearchParams): Page<Record<string, unknown>> {
    const { idLpu, idPat } = this.patientKey(patient);
    const status = statusOf(query.get('status'));
    const records = this.registry.ofPatient(idLpu, idPat).filter((r) => status === undefined || r.status === status);
    const page = paginate(records, (r) => r.id.slice(4).padStart(10, '0'), `appointments:${idLpu}/${idPat}:${status ?? ''}`, { limit: query.get('limit'), cursor: query.get('cursor') });
    return { ...page, data: page.data.map((r) => this.appointmentOf(r)) };
  }

  book(body: unknown): Record<string, unknown> {
    const input = parseBody(bookBody, body);
    const slot = this.schedule.slotOf(input.slot_id);
    const { idLpu, idPat } = this.patientKey(input.patient_id);
    if (idLpu !== slot.idLpu) {
      throw new ProblemError('patient_not_found', "The patient is registered at another facility; search for or register them at the slot's facility.");
    }
    const replaces = input.replaces_appointment_id ? this.record(input.replaces_appointment_id) : undefined;
    if (replaces && (replaces.idLpu !== idLpu || replaces.idPat !== idPat || replaces.status !== 'booked')) {
      throw new ProblemError('appointment_not_active', 'The appointment to replace is not an active appointment of this patient.', { appointment_id: replaces.id });
    }
    const outcome = this.state.book(idLpu, slot.id, idPat, AppointmentSource.internet, replaces?.slot.id);
    if (!outcome.ok) {
      const mine = this.registry.activeOn(slot.id);
      if (outcome.code === HubErrorCode.PatientAlreadyBooked && mine?.idPat === idPat) {
        throw new ProblemError('patient_already_booked', 'The patient already holds this slot.', { appointment_id: mine.id });
      }
      throw bookingRefusal(outcome.code, this.sexMismatch(idLpu, idPat, slot.idDoc));
    }
    return this.appointmentOf(this.registry.record(outcome.slot, idPat, this.now().toISOString(), replaces));
  }

  appointment(id: string): Record<string, unknown> {
    return this.appointmentOf(this.record(id));
  }

  /** Cancels an appointment; one already cancelled answers as it is, so a repeated cancel is harmless. */
  cancel(id: string, body: unknown): Record<string, unknown> {
    parseBody(cancelBody, body);
    const record = this.record(id);
    if (record.status === 'completed') throw new ProblemError('appointment_not_active', 'The appointment has taken place.', { appointment_id: record.id });
    if (record.status === 'booked') {
      const outcome = this.state.cancel(record.idLpu, record.slot.id, record.idPat);
      if (outcome.ok) this.registry.cancelledByPatient(record, this.now().toISOString());
      else this.registry.settle(record.slot.id, this.now().toISOString());
    }
    return this.appointmentOf(record);
  }

  private appointmentOf(record: AppointmentRecord): Record<string, unknown> {
    const org = this.state.organisations.get(record.idLpu) as SimOrganisation;
    return {
      id: record.id,
      status: record.status,
      slot_id: slotId(record.slot.id),
      patient_id: patientId(record.idLpu, record.idPat),
      facility_id: facilityId(record.idLpu),
      practitioner_id: practitionerId(record.idLpu, record.slot.idDoc),
      start: withOffset(record.slot.start, org.timeZone),
      end: withOffset(record.slot.end, org.timeZone),
      room: record.slot.room,
      created_at: record.createdAt,
      cancelled_at: record.cancelledAt,
      cancelled_by: record.cancelledBy,
      replaces_appointment_id: record.replacesId,
      replaced_by_appointment_id: record.replacedById,
    };
  }

  /** Whether the model's single "does not fit the doctor" code was the sex rule rather than the age rule. */
  private sexMismatch(idLpu: number, idPat: string, idDoc: string): boolean {
    const doctor = this.state.doctor(idLpu, idDoc);
    const rule = doctor ? specialtyRules[doctor.specialtyCode] : undefined;
    const sex = this.state.patientFacts(idLpu, idPat)?.sex;
    return rule?.sex !== undefined && sex !== undefined && sex !== rule.sex;
  }

  private record(id: string): AppointmentRecord {
    const record = this.registry.get(id);
    if (!record) throw new ProblemError('appointment_not_found', 'No appointment with this id.');
    return record;
  }

  private patientOf(idLpu: number, idPat: string): Record<string, unknown> {
    const patient = this.state.patient(idLpu, idPat);
    const facts = this.state.patientFacts(idLpu, idPat);
    if (!patient || !facts) throw new ProblemError('patient_not_found', 'No patient with this id.');
    return patientView(idLpu, idPat, patient, facts);
  }

  private patientKey(id: string): { idLpu: number; idPat: string } {
    const key = parsePatientId(id);
    if (!key || !this.state.patient(key.idLpu, key.idPat)) throw new ProblemError('patient_not_found', 'No patient with this id.');
    return key;
  }

  private organisation(id: string): SimOrganisation {
    const idLpu = parseFacilityId(id);
    const org = idLpu === undefined ? undefined : this.state.organisations.get(idLpu);
    if (!org) throw new ProblemError('facility_not_found', 'No facility with this id.', { field: 'facility_id' });
    return org;
  }
}
