import { formatSnils, snilsDigitsOf, type IdentifyRequest } from '@medbus/identification';
import type { MedRestPatient } from './medrest-response.mapper';

export interface PatientSearchBody {
  readonly facility_id: string;
  readonly policy_number?: string;
  readonly snils?: string;
  readonly family_name?: string;
  readonly given_name?: string;
  readonly birth_date?: string;
}

/**
 * `POST /patients/search` for a request: only the strongest identifier given (the MIS decides by it
 * anyway: policy number, then SNILS, then name and birth date), so no more personal data leaves medbus than needed.
 */
export function toSearchBody(facilityId: string, request: IdentifyRequest): PatientSearchBody {
  if (request.policyNumber !== undefined) return { facility_id: facilityId, policy_number: request.policyNumber };
  if (request.snils !== undefined) return { facility_id: facilityId, snils: formatSnils(request.snils) };
  return { facility_id: facilityId, family_name: request.surname, given_name: request.firstName, birth_date: request.birthDate };
}

/** `POST /patients` for a request to register (the identification contract guarantees surname, first name and birth date). */
export function toRegisterBody(facilityId: string, request: IdentifyRequest): Record<string, string> {
  const phone = phoneOf(request.phone);
  const body: Record<string, string | undefined> = {
    facility_id: facilityId,
    family_name: request.surname,
    given_name: request.firstName,
    middle_name: request.patronymic,
    birth_date: request.birthDate,
    sex: request.sex === 'MALE' ? 'male' : request.sex === 'FEMALE' ? 'female' : undefined,
    policy_number: request.policyNumber,
    snils: request.snils,
    phone,
  };
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** MedREST takes 10 to 15 digits with an optional leading `+`; a number it would refuse is left out rather than refusing the patient. */
function phoneOf(phone: string | undefined): string | undefined {
  if (phone === undefined) return undefined;
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 10 || digits.length > 15) return undefined;
  return phone.trim().startsWith('+') ? `+${digits}` : digits;
}

const same = (a: string | null, b: string | undefined) => b === undefined || (a !== null && a.trim().toLocaleLowerCase('ru') === b.trim().toLocaleLowerCase('ru'));

/**
 * The patient the MIS found: its one match, or among several (the MIS matched by its strongest
 * identifier; namesakes and duplicate records differ in the rest) the one who agrees with everything
 * the request gives; undefined when none or several do.
 */
export function chosenPatient(found: readonly MedRestPatient[], request: IdentifyRequest): MedRestPatient | undefined {
  if (found.length === 1) return found[0];
  const fits = found.filter(
    (patient) =>
      (request.policyNumber === undefined || patient.policy_number === request.policyNumber) &&
      (request.snils === undefined || (patient.snils !== null && snilsDigitsOf(patient.snils) === request.snils)) &&
      same(patient.family_name, request.surname) &&
      same(patient.given_name, request.firstName) &&
      same(patient.middle_name, request.patronymic) &&
      (request.birthDate === undefined || patient.birth_date === request.birthDate),
  );
  return fits.length === 1 ? fits[0] : undefined;
}
