import { ConflictError, NotFoundError, TimeoutError, UnavailableError, ValidationError } from '@medbus/errors';
import { HubErrorCode } from '@medbus/hubservice';
import { FacadeErrorCode, failureOf, hubErrorOf, hubErrorOfCode, idErrorOf, inProgressError } from './hub-error.mapper';

describe('medbus error codes as HubService IdError', () => {
  it.each([
    ['BOOKING.SLOT_TAKEN', 308],
    ['BOOKING.SLOT_HELD', 308],
    ['BOOKING.SLOT_RESERVED', 308],
    ['BOOKING.SLOT_NOT_FOUND', 306],
    ['BOOKING.SLOT_IN_PAST', 306],
    ['BOOKING.SPECIALTY_NOT_PROVIDED', 305],
    ['BOOKING.PATIENT_NOT_FOUND', 302],
    ['BOOKING.PATIENT_OF_OTHER_ORGANISATION', 302],
    ['BOOKING.PATIENT_NOT_ELIGIBLE', 304],
    ['BOOKING.PATIENT_ALREADY_BOOKED', 307],
    ['BOOKING.PATIENT_NOT_ATTACHED', 310],
    ['BOOKING.APPOINTMENT_NOT_FOUND', 309],
    ['PATIENT.NOT_FOUND', 200],
    ['PATIENT.AMBIGUOUS', 201],
    ['WAITLIST.ALREADY_WAITING', 400],
    ['PATIENT.ORGANISATION_NOT_SERVED', 500],
    ['BOOKING.ORGANISATION_NOT_SERVED', 500],
    ['BOOKING.MIS_DEADLINE_EXCEEDED', 500],
  ])('maps %s to %i', (code, idError) => {
    expect(idErrorOf(code)).toBe(idError);
  });

  it('describes a mapped code in Russian with the shared wording', () => {
    expect(hubErrorOf(new ConflictError('BOOKING.SLOT_TAKEN', 'the slot is already taken'))).toEqual({ IdError: 308, ErrorDescription: 'Талон уже занят' });
  });

  it('answers a MIS that is away or slow with 500, whatever its code', () => {
    expect(hubErrorOf(new UnavailableError('PATIENT.MIS_DOWN', 'x')).IdError).toBe(FacadeErrorCode.MisUnavailable);
    expect(hubErrorOf(new TimeoutError('SOMETHING.SLOW', 'x')).IdError).toBe(FacadeErrorCode.MisUnavailable);
  });

  it('answers a refusal without a code of its own with 399 naming the medbus code, never its English message', () => {
    const error = hubErrorOf(new ValidationError('BOOKING.INVALID_REQUEST', 'patientId must be a UUID'));
    expect(error).toEqual({ IdError: FacadeErrorCode.Refused, ErrorDescription: 'Неверные или неполные данные запроса (BOOKING.INVALID_REQUEST)' });
    expect(hubErrorOf(new NotFoundError('BOOKING.HOLD_NOT_FOUND', 'no such hold')).ErrorDescription).toBe('Операция отклонена (BOOKING.HOLD_NOT_FOUND)');
    expect(hubErrorOfCode('BOOKING.MIS_REFUSED').IdError).toBe(399);
  });

  it('answers anything unexpected with 599 and no detail', () => {
    expect(hubErrorOf(new Error('connection terminated: password=secret'))).toEqual({ IdError: 599, ErrorDescription: 'Внутренняя ошибка сервиса записи' });
  });

  it('names the appointment to check in the "в обработке" error', () => {
    expect(inProgressError('6f1c0d52-8f0e-4c53-9a51-4f5e7d1f2a10')).toEqual({
      IdError: 312,
      ErrorDescription: expect.stringMatching(/в обработке.*6f1c0d52-8f0e-4c53-9a51-4f5e7d1f2a10/),
    });
  });

  it('builds a failed envelope that echoes idHistory only when given', () => {
    const error = { IdError: HubErrorCode.SlotTaken, ErrorDescription: 'Талон уже занят' };
    expect(failureOf(error, 7)).toEqual({ Success: false, ErrorList: [error], IdHistory: 7 });
    expect(failureOf(error, undefined)).toEqual({ Success: false, ErrorList: [error] });
  });
});
