import { HubErrorCode } from '@medbus/hubservice';
import { MisUnavailableError, withRetry, type BackoffOptions } from '@medbus/mis-adapter-kit';
import type { HubServiceClient } from './hubservice.client';
import { OrganisationNotServedError, PatientAmbiguousError, PatientNotFoundError, type IdentifiedPatient, type IdentifyRequest } from '@medbus/identification';
import { toHubPatient } from './patient.mapper';

/** Where an organisation's IdLPU comes from (ScheduleSync). */
export interface OrganisationDirectory {
  idLpuOf(organisationOid: string): number | undefined;
  discoverOrganisations(): Promise<void>;
}

/**
 * Finds a patient at an organisation's MIS (CheckPatient) and, when asked to and not found,
 * registers them (AddNewPatient). The lookup is retried on transient failures; the registration
 * is not, since a second AddNewPatient after a lost answer could file the patient twice.
 */
export class PatientIdentification {
  constructor(
    private readonly mis: Pick<HubServiceClient, 'checkPatient' | 'addNewPatient'>,
    private readonly directory: Pick<OrganisationDirectory, 'idLpuOf' | 'discoverOrganisations'>,
    private readonly retry: BackoffOptions,
  ) {}

  async identify(request: IdentifyRequest): Promise<IdentifiedPatient> {
    const idLpu = await this.idLpuOf(request.organisationOid);
    const patient = toHubPatient(request);
    const found = await withRetry(() => this.mis.checkPatient(idLpu, patient), this.retry);
    if (found.Success && found.IdPat) return { misPatientId: found.IdPat, registered: false, attached: null };
    const code = found.ErrorList[0]?.IdError;
    if (code === HubErrorCode.PatientAmbiguous) throw new PatientAmbiguousError();
    if (code !== HubErrorCode.PatientNotRegistered) throw unexpected('CheckPatient', code);
    if (!request.register) throw new PatientNotFoundError();

    const added = await this.mis.addNewPatient(idLpu, patient);
    if (added.Success && added.IdPat) return { misPatientId: added.IdPat, registered: true, attached: null };
    if (added.ErrorList[0]?.IdError === HubErrorCode.PatientAmbiguous) throw new PatientAmbiguousError();
    throw unexpected('AddNewPatient', added.ErrorList[0]?.IdError);
  }

  private async idLpuOf(organisationOid: string): Promise<number> {
    let idLpu = this.directory.idLpuOf(organisationOid);
    if (idLpu === undefined) {
      await this.directory.discoverOrganisations();
      idLpu = this.directory.idLpuOf(organisationOid);
    }
    if (idLpu === undefined) throw new OrganisationNotServedError();
    return idLpu;
  }
}

function unexpected(operation: string, idError: number | undefined): MisUnavailableError {
  return new MisUnavailableError(`HubService ${operation} refused with IdError ${idError ?? 'none'}`, { details: { misRefused: true, misCode: String(idError ?? '') } });
}
