import { z } from 'zod';
import type { Patient } from '@medbus/hubservice';
import { PatientQueryInvalidError } from './patient.errors';
import { formatSnils, isValidSnils } from './snils.mapper';

const name = z.string().trim().min(1).max(100);

function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The body of `POST /v1/patients/identify`: types and formats; whether it identifies anyone is checked after. */
export const identifyRequestSchema = z
  .object({
    organisationOid: z.string().regex(/^\d+(\.\d+)+$/, 'must be an OID').max(100),
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
    register: z.boolean().optional(),
  })
  .strict();

export type IdentifyRequest = z.output<typeof identifyRequestSchema>;

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

/**
 * The HubService Patient for CheckPatient / AddNewPatient. The contract has no sex member, so `sex`
 * is not sent (HubService MIS products record it from the name or at the desk).
 */
export function toHubPatient(request: IdentifyRequest): Patient {
  return {
    Birthday: request.birthDate ? `${request.birthDate}T00:00:00` : undefined,
    CellPhone: request.phone,
    Name: request.firstName,
    Polis_N: request.policyNumber,
    SecondName: request.patronymic,
    Snils: request.snils ? formatSnils(request.snils) : undefined,
    Surname: request.surname,
  };
}
