import { ConflictError, NotFoundError, ValidationError } from '@medbus/errors';

/** The error codes of the contract and the HTTP status each is answered with. */
export const IdentificationCode = {
  queryInvalid: 'PATIENT.QUERY_INVALID',
  notFound: 'PATIENT.NOT_FOUND',
  ambiguous: 'PATIENT.AMBIGUOUS',
  organisationNotServed: 'ORGANISATION.NOT_SERVED',
  misRefused: 'MIS.REFUSED',
  misBadResponse: 'MIS.BAD_RESPONSE',
  misUnavailable: 'MIS.UNAVAILABLE',
} as const;
export type IdentificationCode = (typeof IdentificationCode)[keyof typeof IdentificationCode];

export const identificationStatusOf: Readonly<Record<IdentificationCode, number>> = {
  'PATIENT.QUERY_INVALID': 400,
  'PATIENT.NOT_FOUND': 404,
  'ORGANISATION.NOT_SERVED': 404,
  'PATIENT.AMBIGUOUS': 409,
  'MIS.REFUSED': 502,
  'MIS.BAD_RESPONSE': 502,
  'MIS.UNAVAILABLE': 503,
};

/** The MIS knows no patient matching the query. */
export class PatientNotFoundError extends NotFoundError {
  constructor() {
    super(IdentificationCode.notFound, 'the MIS knows no patient matching the query');
  }
}

/** More than one patient matched: the caller must give a stronger identifier. */
export class PatientAmbiguousError extends ConflictError {
  constructor() {
    super(IdentificationCode.ambiguous, 'more than one patient matched; give the policy number or SNILS');
  }
}

/** The query cannot identify anyone: it needs a policy number, or a SNILS, or surname + first name + birth date. */
export class PatientQueryInvalidError extends ValidationError {
  constructor(message: string) {
    super(IdentificationCode.queryInvalid, message);
  }
}

/** The organisation is not one this adapter's MIS serves. */
export class OrganisationNotServedError extends NotFoundError {
  constructor() {
    super(IdentificationCode.organisationNotServed, 'this adapter does not serve the organisation');
  }
}
