import { OrganisationNotServedError, PatientAmbiguousError, PatientNotFoundError, PatientQueryInvalidError } from '@medbus/identification';
import { MisCircuitOpenError, MisResponseRejectedError, MisResponseRejection, MisUnavailableError } from '../adapter.errors';
import { errorAnswer } from './patients.controller';

describe('patient API error answers', () => {
  it.each([
    [new PatientNotFoundError(), 404, 'PATIENT.NOT_FOUND'],
    [new PatientAmbiguousError(), 409, 'PATIENT.AMBIGUOUS'],
    [new PatientQueryInvalidError('x'), 400, 'PATIENT.QUERY_INVALID'],
    [new OrganisationNotServedError(), 404, 'ORGANISATION.NOT_SERVED'],
    [new MisUnavailableError('down'), 503, 'MIS.UNAVAILABLE'],
    [new MisCircuitOpenError(new Date()), 503, 'MIS.UNAVAILABLE'],
    [new MisUnavailableError('refused', { details: { misRefused: true, misCode: '302' } }), 502, 'MIS.REFUSED'],
    [new MisResponseRejectedError(MisResponseRejection.dtd, 'dtd'), 502, 'MIS.BAD_RESPONSE'],
    [new Error('boom'), 500, 'COMMON.INTERNAL'],
  ])('answers %s with %i %s', (error, status, code) => {
    const [answeredStatus, body] = errorAnswer(error);
    expect([answeredStatus, body.code]).toEqual([status, code]);
  });
});
