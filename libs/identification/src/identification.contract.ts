import { z } from 'zod';
import { PatientQueryInvalidError } from './identification.errors';
import { isValidSnils } from './snils.mapper';

/**
 * The one contract of patient identification between the booking service and MIS adapters:
 * booking asks `POST {adapter}/v1/patients/identify` with an `IdentifyRequest` and reads an
 * `IdentifiedPatient` or an error body `{ code, message }` with the statuses of `identificationStatusOf`.
 * Every value here is personal data: never logged, never put on Kafka.
 */
export const identifyPath = '/v1/patients/identify';

const name = z.string().trim().min(1).max(100);

function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** Who the patient is, as a caller gives it: types and formats; whether it identifies anyone is `assertIdentifies`. */
export const patientQuerySchema = z
  .object({
    /** The organisation's id in medbus (its ФРМО OID); whether anyone serves it is checked after. */
    organisationOid: z.string().trim().min(1).max(200),
    /** ЕНП: the 16-digit unified OMS policy number. */
    policyNumber: z.string().regex(/^\d{16}$/, 'must be the 16-digit ЕНП').optional(),
    snils: z
      .string()
      .regex(/^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/, 'must be a SNILS')
      .transform((text) => text.replace(/\D/g, ''))
      .refine(isValidSnils, 'must be a SNILS with a valid check number')
      .optional(),
    surname: name.optional(),
    firstName: name.optional(),
    patronymic: name.optional(),
    birthDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
      .refine(isCalendarDate, 'must be a calendar date')
      .optional(),
    sex: z.enum(['MALE', 'FEMALE']).optional(),
    phone: z
      .string()
      .regex(/^\+?[\d\s()-]{5,30}$/, 'must be a phone number')
      .optional(),
  })
  .strict();

/** The body of `POST /v1/patients/identify`: the query, and whether to register a patient the MIS does not know. */
export const identifyRequestSchema = patientQuerySchema.extend({ register: z.boolean().optional() }).strict();

export type PatientQuery = z.input<typeof patientQuerySchema>;
export type IdentifyQuery = z.input<typeof identifyRequestSchema>;
export type IdentifyRequest = z.output<typeof identifyRequestSchema>;

/** The adapter's answer: the MIS's id of the patient. */
export interface IdentifiedPatient {
  readonly misPatientId: string;
  /** True when the MIS registered the patient for this request. */
  readonly registered: boolean;
  /** Attached (прикреплён) to the organisation, when the MIS says; null when its protocol does not tell. */
  readonly attached: boolean | null;
}

export const identifiedPatientSchema = z.object({
  misPatientId: z.string().min(1).max(200),
  registered: z.boolean(),
  attached: z.boolean().nullable(),
});

/**
 * Refuses a query that cannot identify anyone. Enough: the policy number, or the SNILS, or surname +
 * first name + birth date; registering a new patient needs the latter three whatever else is given
 * (the MIS files a record under a name).
 */
export function assertIdentifies(request: IdentifyRequest, today: string): void {
  const byName = request.surname !== undefined && request.firstName !== undefined && request.birthDate !== undefined;
  if (request.policyNumber === undefined && request.snils === undefined && !byName) {
    throw new PatientQueryInvalidError('give policyNumber, or snils, or surname + firstName + birthDate');
  }
  if (request.register && !byName) throw new PatientQueryInvalidError('registering a patient needs surname, firstName and birthDate');
  if (request.birthDate !== undefined && request.birthDate > today) throw new PatientQueryInvalidError('birthDate is in the future');
}
