import { ConflictError, NotFoundError, TimeoutError, UnauthorizedError, UnavailableError, ValidationError, type AppError } from '@medbus/errors';
import { bookingErrorOf } from '../booking/booking.errors';
import { StatusCode } from './er-service.contract';
import { outcomeOf, statusOf } from './er-status.mapper';
import { InvalidErRequestError } from './federal-service.errors';

/** An error as the booking client makes it of booking's answer. */
const fromBooking = (status: number, code: string): AppError => bookingErrorOf(status, { error: { code, message: 'Иванов Иван, полис 1234567890123456' } });

describe("booking's and medbus's codes as the federal Status_Code", () => {
  it.each([
    [409, 'BOOKING.SLOT_TAKEN', StatusCode.SLOT_BUSY],
    [409, 'BOOKING.SLOT_HELD', StatusCode.SLOT_BUSY],
    [409, 'BOOKING.SLOT_RESERVED', StatusCode.SLOT_BUSY],
    [409, 'BOOKING.SLOT_CLOSED_TO_CHANNEL', StatusCode.SLOT_NOT_AVAILABLE],
    [400, 'BOOKING.SLOT_IN_PAST', StatusCode.SLOT_NOT_AVAILABLE],
    [404, 'BOOKING.SLOT_NOT_FOUND', StatusCode.NOT_FOUND],
    [404, 'BOOKING.APPOINTMENT_NOT_FOUND', StatusCode.NOT_FOUND],
    [404, 'BOOKING.PATIENT_NOT_FOUND', StatusCode.PATIENT_NOT_FOUND],
    [400, 'BOOKING.PATIENT_OF_OTHER_ORGANISATION', StatusCode.PATIENT_NOT_FOUND],
    [404, 'PATIENT.NOT_FOUND', StatusCode.PATIENT_NOT_FOUND],
    [409, 'PATIENT.AMBIGUOUS', StatusCode.PATIENT_NOT_FOUND],
    [409, 'BOOKING.PATIENT_NOT_ELIGIBLE', StatusCode.REFUSED_BY_MIS],
    [409, 'BOOKING.PATIENT_NOT_ATTACHED', StatusCode.REFUSED_BY_MIS],
    [409, 'BOOKING.PATIENT_ALREADY_BOOKED', StatusCode.REFUSED_BY_MIS],
    [409, 'BOOKING.MIS_REFUSED', StatusCode.REFUSED_BY_MIS],
    [409, 'BOOKING.SOMETHING_NEW', StatusCode.REFUSED_BY_MIS],
    [503, 'BOOKING.MIS_DEADLINE_EXCEEDED', StatusCode.MIS_UNAVAILABLE],
    [503, 'BOOKING.ORGANISATION_NOT_SERVED', StatusCode.MIS_UNAVAILABLE],
    [404, 'PATIENT.ORGANISATION_NOT_SERVED', StatusCode.MIS_UNAVAILABLE],
    [503, 'PATIENT.MIS_UNAVAILABLE', StatusCode.MIS_UNAVAILABLE],
    [429, 'BOOKING.RATE_LIMITED', StatusCode.MIS_UNAVAILABLE],
    [401, 'AUTH.INVALID_API_KEY', StatusCode.MIS_UNAVAILABLE],
    [400, 'BOOKING.INVALID_REQUEST', StatusCode.INVALID_REQUEST],
    [400, 'PATIENT.QUERY_INVALID', StatusCode.INVALID_REQUEST],
  ])("maps booking's %i %s to %s", (status, code, expected) => {
    expect(statusOf(fromBooking(status, code))).toBe(expected);
  });

  it.each([
    [new TimeoutError('EXPORTER.BOOKING_TIMEOUT', 'slow'), StatusCode.MIS_UNAVAILABLE],
    [new UnavailableError('EXPORTER.BOOKING_UNREACHABLE', 'down'), StatusCode.MIS_UNAVAILABLE],
    [new TimeoutError('EXPORTER.BOOKING_STILL_PENDING', 'pending'), StatusCode.MIS_UNAVAILABLE],
    [new ConflictError('EXPORTER.CANCEL_REFUSED', 'no'), StatusCode.REFUSED_BY_MIS],
    [new NotFoundError('ER.MO_NOT_FOUND', 'no'), StatusCode.NOT_FOUND],
    [new ConflictError('ER.SLOT_NOT_AVAILABLE', 'removed'), StatusCode.SLOT_NOT_AVAILABLE],
    [new UnauthorizedError('ANY.UNAUTHORIZED', 'x'), StatusCode.MIS_UNAVAILABLE],
  ])('maps the exporter’s own %s', (error, expected) => {
    expect(statusOf(error)).toBe(expected);
  });

  it('writes the code and a fixed reason into Comment, never the message booking sent', () => {
    const outcome = outcomeOf(fromBooking(409, 'BOOKING.SLOT_TAKEN'));
    expect(outcome).toEqual({ Status_Code: StatusCode.SLOT_BUSY, Comment: 'BOOKING.SLOT_TAKEN: the slot is taken or held' });
  });

  it('names the fields of an invalid request, its own or booking’s, without their values', () => {
    expect(outcomeOf(new InvalidErRequestError('End_Date', 'must be at most 31 days after Start_Date'))?.Comment).toBe(
      'ER.INVALID_REQUEST: the request breaks a rule of the contract (End_Date: must be at most 31 days after Start_Date)',
    );
    const booking = bookingErrorOf(400, { error: { code: 'BOOKING.INVALID_REQUEST', message: 'x', details: { problems: ['patientId: Invalid uuid', 'slotId: Required'] } } });
    expect(outcomeOf(booking)?.Comment).toBe('BOOKING.INVALID_REQUEST: the request breaks a rule of the contract (patientId, slotId)');
  });

  it('leaves what is not a refusal to be a fault', () => {
    expect(outcomeOf(new Error('bug'))).toBeUndefined();
    expect(outcomeOf(new ValidationError('X.Y', 'x'))).toBeDefined();
  });
});
