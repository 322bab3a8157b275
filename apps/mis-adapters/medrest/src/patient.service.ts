import { randomUUID } from 'node:crypto';
import { OrganisationNotServedError, PatientAmbiguousError, PatientNotFoundError, type IdentifiedPatient, type IdentifyRequest } from '@medbus/identification';
import { MisUnavailableError } from '@medbus/mis-adapter-kit';
import type { Answer, MedRestClient } from './medrest.client';
import { pageSchema, patientSchema } from './medrest-response.mapper';
import { chosenPatient, toRegisterBody, toSearchBody } from './patient.mapper';
import type { FacilityDirectory } from './schedule-sync.service';

/** Matches read at once; more than this is as good as ambiguous. */
const searchLimit = 50;

/**
 * Finds a patient at a facility's MIS (`POST /patients/search`) and, when asked to and not found,
 * registers them (`POST /patients`). The search is read-only and retried; the registration is
 * retried with one idempotency key, so a lost answer cannot file the patient twice.
 */
export class PatientIdentification {
  constructor(
    private readonly client: Pick<MedRestClient, 'read' | 'post'>,
    private readonly directory: FacilityDirectory,
    private readonly newKey: () => string = randomUUID,
  ) {}

  async identify(request: IdentifyRequest): Promise<IdentifiedPatient> {
    const facility = await this.directory.facilityFor(request.organisationOid);
    if (!facility) throw new OrganisationNotServedError();
    const search = await this.client.post('patients.search', `/patients/search?limit=${searchLimit}`, toSearchBody(facility.facilityId, request), pageSchema(patientSchema), { retry: true });
    if (search.kind === 'problem') throw refused('patients.search', search);
    if (search.value.data.length > 0) {
      const patient = search.value.next_cursor === null ? chosenPatient(search.value.data, request) : undefined;
      if (!patient) throw new PatientAmbiguousError();
      return { misPatientId: patient.id, registered: false, attached: patient.attached };
    }
    if (!request.register) throw new PatientNotFoundError();

    const registered = await this.client.post('patients.register', '/patients', toRegisterBody(facility.facilityId, request), patientSchema, { idempotencyKey: this.newKey(), retry: true });
    if (registered.kind === 'ok') return { misPatientId: registered.value.id, registered: true, attached: registered.value.attached };
    // Registered meanwhile (another caller, the front desk): the one the MIS names is the patient.
    if (registered.kind === 'problem' && registered.problem.code === 'patient_exists') {
      const [only, ...others] = registered.problem.patient_ids ?? [];
      if (only === undefined || others.length > 0) throw new PatientAmbiguousError();
      const existing = await this.client.read('patients.get', `/patients/${encodeURIComponent(only)}`, patientSchema);
      return { misPatientId: only, registered: false, attached: existing.kind === 'ok' ? existing.value.attached : null };
    }
    throw refused('patients.register', registered);
  }
}

/** A problem identification has no place for: the MIS does not know the facility, or refused with a code of its own. */
function refused(operation: string, answer: Extract<Answer<unknown>, { readonly kind: 'problem' }>): Error {
  if (answer.problem.code === 'facility_not_found') return new OrganisationNotServedError();
  return new MisUnavailableError(`MedREST ${operation} refused with ${answer.problem.code}`, { details: { misRefused: true, misCode: answer.problem.code } });
}
