import { withRetry, MisUnavailableError, type BackoffOptions } from '@medbus/mis-adapter-kit';
import { OrganisationNotServedError, PatientAmbiguousError, PatientNotFoundError, type IdentifiedPatient, type IdentifyRequest } from '@medbus/identification';
import type { BookingClient } from './booking.client';
import { findPatientMessage, registerPatientMessage, type VendorRefusal } from './booking-message.mapper';
import { VendorCode } from './booking-command.mapper';

/**
 * Finds a patient at the clinic's MIS (FindPatient) and, when asked to and not found, registers
 * them (RegisterPatient). The lookup is retried on transient failures; the registration is not,
 * since a second RegisterPatient after a lost answer could file the patient twice. The vendor does
 * not say whether a patient is attached.
 */
export class PatientIdentification {
  constructor(
    private readonly mis: Pick<BookingClient, 'send'>,
    private readonly clinicCodeOf: (organisationOid: string) => string,
    private readonly retry: BackoffOptions,
  ) {}

  async identify(request: IdentifyRequest): Promise<IdentifiedPatient> {
    const clinic = this.clinicCodeOf(request.organisationOid);
    const found = await withRetry(() => this.mis.send(findPatientMessage(clinic, request)), this.retry);
    if (found.status === 'error') throw refused('FindPatient', found);
    const [first, ...others] = found.patients;
    if (first !== undefined && others.length === 0) return { misPatientId: first, registered: false, attached: null };
    if (first !== undefined) throw new PatientAmbiguousError();
    if (!request.register) throw new PatientNotFoundError();

    const added = await this.mis.send(registerPatientMessage(clinic, request));
    if (added.status === 'ok') return { misPatientId: added.patient, registered: true, attached: null };
    throw refused('RegisterPatient', added);
  }
}

/** A refusal as the identification contract words it; one it has no code for is the MIS refusing, with the vendor's code. */
function refused(message: string, refusal: VendorRefusal): Error {
  switch (refusal.code) {
    case VendorCode.patientAmbiguous:
      return new PatientAmbiguousError();
    case VendorCode.patientNotFound:
      return new PatientNotFoundError();
    case VendorCode.clinicNotFound:
      return new OrganisationNotServedError();
    default:
      return new MisUnavailableError(`XMLDump ${message} refused with ${refusal.code}`, { details: { misRefused: true, misCode: refusal.code } });
  }
}
