import { z } from 'zod';
import { REDACTED, redactText } from '@medbus/telemetry';

/**
 * MedREST's answers as the adapter accepts them (tools/simulators/medrest/README.md, part 1). Every
 * answer is validated against these before anything reads it; members the adapter does not use are
 * dropped, so a patient's phone or names never travel further than the validation.
 */

/** ISO 8601 with an offset: slot times carry the facility's, instants `Z`. */
const dateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, 'ISO 8601 with an offset');
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const id = z.string().min(1).max(200);
const text = z.string().max(2000);
const count = z.number().int().nonnegative();

const coding = z.object({ code: z.string().min(1).max(100), name: text, nsi: z.string().min(1).max(50).nullable() });

export const facilitySchema = z.object({
  id,
  registry_oid: z.string().max(200).nullable(),
  name: text,
  short_name: text.nullable(),
  district: z.object({ code: z.string().max(50), name: text }).nullable(),
  time_zone: z.string().min(1).max(64),
  address: text.nullable(),
  active: z.boolean(),
});
export type MedRestFacility = z.output<typeof facilitySchema>;

export const practitionerSchema = z.object({
  id,
  facility_id: id,
  name: text.nullable(),
  snils: z.string().max(30).nullable(),
  specialty: coding,
  position: coding.nullable(),
  room: z.string().max(100).nullable(),
});
export type MedRestPractitioner = z.output<typeof practitionerSchema>;

export const specialtySchema = z.object({
  code: z.string().min(1).max(100),
  name: text,
  nsi: z.string().min(1).max(50).nullable(),
  restrictions: z.object({
    sex: z.enum(['male', 'female']).nullable(),
    min_age: count.nullable(),
    max_age: count.nullable(),
    attachment_required: z.boolean(),
  }),
});
export type MedRestSpecialty = z.output<typeof specialtySchema>;

export const slotStatuses = ['available', 'booked', 'blocked'] as const;

export const slotSchema = z.object({
  id,
  facility_id: id,
  practitioner_id: id,
  start: dateTime,
  end: dateTime,
  duration_minutes: count,
  status: z.enum(slotStatuses),
  room: z.string().max(100).nullable(),
  ticket_number: count.nullable(),
  revision: count,
  updated_at: dateTime,
});
export type MedRestSlot = z.output<typeof slotSchema>;

export const slotChangeSchema = z.object({
  revision: count,
  slot_id: id,
  facility_id: id,
  practitioner_id: id,
  change: z.enum(['opened', 'booked', 'freed', 'blocked', 'deleted']),
  status: z.enum([...slotStatuses, 'deleted']),
  start: dateTime,
  updated_at: dateTime,
});
export type MedRestSlotChange = z.output<typeof slotChangeSchema>;

const cursor = z.string().min(1).max(2048);

/** One page of a listing. */
export function pageSchema<T extends z.ZodTypeAny>(item: T) {
  return z.object({ data: z.array(item).max(1000), next_cursor: cursor.nullable() });
}
export type Page<T> = { readonly data: readonly T[]; readonly next_cursor: string | null };

export const changesPageSchema = z.object({ data: z.array(slotChangeSchema).max(1000), next_cursor: cursor, has_more: z.boolean(), reset: z.boolean() });
export type MedRestChangesPage = z.output<typeof changesPageSchema>;

/** A patient as identification reads it: what tells namesakes apart, and whether the patient is attached. */
export const patientSchema = z.object({
  id,
  facility_id: id,
  family_name: z.string().max(200).nullable(),
  given_name: z.string().max(200).nullable(),
  middle_name: z.string().max(200).nullable(),
  birth_date: z.string().max(20).nullable(),
  policy_number: z.string().max(40).nullable(),
  snils: z.string().max(30).nullable(),
  attached: z.boolean(),
});
export type MedRestPatient = z.output<typeof patientSchema>;

export const appointmentSchema = z.object({
  id,
  status: z.enum(['booked', 'cancelled', 'completed']),
  slot_id: id,
  patient_id: id,
  facility_id: id,
  practitioner_id: id,
  start: dateTime,
  end: dateTime,
  cancelled_by: z.enum(['patient', 'clinic']).nullable(),
});
export type MedRestAppointment = z.output<typeof appointmentSchema>;

/** An RFC 7807 problem with MedREST's `code` and the extension members the adapter reads. */
export const problemSchema = z.object({
  code: z.string().min(1).max(100),
  status: z.number().int(),
  title: z.string().max(2000).optional(),
  detail: z.string().max(2000).optional(),
  appointment_id: id.optional(),
  patient_ids: z.array(id).max(100).optional(),
});
export type MedRestProblem = z.output<typeof problemSchema>;

export const webhookEventSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(['slot.updated', 'schedule.changed']),
  occurred_at: dateTime,
  data: z.object({ facility_id: id, practitioner_id: id, slot_id: id.optional(), date: localDate }),
});
export type MedRestWebhookEvent = z.output<typeof webhookEventSchema>;

/** Operations whose answers concern a patient: archived with their structure, ids and codes only. */
export const patientOperations: ReadonlySet<string> = new Set([
  'patients.search',
  'patients.register',
  'patients.get',
  'patients.appointments',
  'appointments.book',
  'appointments.get',
  'appointments.cancel',
]);

/** Members of a patient operation's answer whose values say nothing of the patient (ids, codes, states, instants). */
const keptMembers = new Set([
  'id',
  'facility_id',
  'practitioner_id',
  'slot_id',
  'patient_id',
  'appointment_id',
  'patient_ids',
  'status',
  'code',
  'type',
  'title',
  'start',
  'end',
  'created_at',
  'cancelled_at',
  'cancelled_by',
  'replaces_appointment_id',
  'replaced_by_appointment_id',
  'attached',
  'next_cursor',
]);

/**
 * The answer of a patient operation as the raw archive keeps it: every value replaced by
 * `[REDACTED]` but those of `keptMembers` (patient-shaped strings in them still replaced), so the
 * payload keeps its shape for replaying a mapping; an answer that is not JSON is kept as `[REDACTED]`.
 */
export function redactedPatientAnswer(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return REDACTED;
  }
  const redact = (value: unknown, kept: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item) => redact(item, kept));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, redact(member, keptMembers.has(key))]));
    if (typeof value === 'string') return kept ? redactText(value) : REDACTED;
    return kept || value === null ? value : REDACTED;
  };
  return JSON.stringify(redact(parsed, false));
}
