import { HubErrorCode } from '@medbus/hubservice';
import { bookingRefusal, problemOf, problemTypes } from './problem.errors';

describe('problems', () => {
  it('are RFC 7807 documents whose type ends in their code', () => {
    expect(problemOf('slot_unavailable', 'The slot is booked.', { appointment_id: 'apt-1' })).toEqual({
      type: 'https://api.medrest.example/problems/slot_unavailable',
      title: 'The slot cannot be booked',
      status: 409,
      detail: 'The slot is booked.',
      code: 'slot_unavailable',
      appointment_id: 'apt-1',
    });
  });

  it('keep the standard members when an extension names one of them', () => {
    expect(problemOf('not_found', 'x', { status: 200, code: 'other' })).toMatchObject({ status: 404, code: 'not_found' });
  });

  it.each([
    [HubErrorCode.PatientNotFound, false, 'patient_not_found'],
    [HubErrorCode.PatientDoesNotFitDoctor, true, 'sex_restricted'],
    [HubErrorCode.PatientDoesNotFitDoctor, false, 'age_restricted'],
    [HubErrorCode.NoAppointmentAtTime, false, 'slot_unavailable'],
    [HubErrorCode.SlotTaken, false, 'slot_unavailable'],
    [HubErrorCode.PatientAlreadyBooked, false, 'patient_already_booked'],
    [HubErrorCode.BookingNotFound, false, 'appointment_not_active'],
    [HubErrorCode.PatientNotAttached, false, 'not_attached'],
  ] as const)('map the clinic model’s refusal %i (sex mismatch: %s) to %s', (code, sexMismatch, problem) => {
    const error = bookingRefusal(code, sexMismatch);
    expect(error.code).toBe(problem);
    expect(error.status).toBe(problemTypes[problem].status);
  });

  it('answer 409 for a taken slot and 422 for a rule the patient does not meet', () => {
    expect(bookingRefusal(HubErrorCode.SlotTaken, false).status).toBe(409);
    expect(bookingRefusal(HubErrorCode.PatientNotAttached, false).status).toBe(422);
  });
});
