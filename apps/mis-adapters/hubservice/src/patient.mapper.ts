import type { Patient } from '@medbus/hubservice';
import { formatSnils, type IdentifyRequest } from '@medbus/identification';

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
