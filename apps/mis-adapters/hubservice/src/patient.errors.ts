import { ConflictError, NotFoundError, ValidationError } from '@medbus/errors';

/** The MIS knows no patient matching the query (HubService 200). */
export class PatientNotFoundError extends NotFoundError {
  constructor() {
    super('PATIENT.NOT_FOUND', 'the MIS knows no patient matching the query');
  }
}

/** More than one patient matched (HubService 201): the caller must give a stronger identifier. */
export class PatientAmbiguousError extends ConflictError {
  constructor() {
    super('PATIENT.AMBIGUOUS', 'more than one patient matched; give the policy number or SNILS');
  }
}

/** The query cannot identify anyone: it needs a policy number, or a SNILS, or surname + first name + birth date. */
export class PatientQueryInvalidError extends ValidationError {
  constructor(message: string) {
    super('PATIENT.QUERY_INVALID', message);
  }
}

/** The organisation is not one this adapter's MIS serves. */
export class OrganisationNotServedError extends NotFoundError {
  constructor() {
    super('ORGANISATION.NOT_SERVED', 'this adapter does not serve the organisation');
  }
}
