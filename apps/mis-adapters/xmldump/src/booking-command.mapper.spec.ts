import { bookRefusalOf, cancelRefusalOf, refusalOf, rejectionReasonOf } from './booking-command.mapper';

describe('the vendor’s refusals as command outcomes', () => {
  it.each([
    ['TICKET_BUSY', 'SLOT_TAKEN'],
    ['TICKET_NOT_FOUND', 'SLOT_NOT_FOUND'],
    ['TICKET_CLOSED', 'SLOT_NOT_FOUND'],
    ['PATIENT_NOT_FOUND', 'PATIENT_NOT_FOUND'],
    ['ALREADY_BOOKED', 'PATIENT_ALREADY_BOOKED'],
    ['SEX_RESTRICTED', 'PATIENT_NOT_ELIGIBLE'],
    ['AGE_RESTRICTED', 'PATIENT_NOT_ELIGIBLE'],
    ['NOT_ATTACHED', 'PATIENT_NOT_ATTACHED'],
    ['NOT_BOOKED', 'APPOINTMENT_NOT_FOUND'],
    ['PATIENT_AMBIGUOUS', 'OTHER'],
    ['BAD_REQUEST', 'OTHER'],
    ['SOMETHING_NEW', 'OTHER'],
  ])('%s → %s', (code, reason) => {
    expect(rejectionReasonOf(code)).toBe(reason);
  });

  it('carries the vendor’s code and wording, with patient-shaped strings replaced', () => {
    const refusal = refusalOf({ status: 'error', code: 'TICKET_BUSY', text: 'Талон занят пациентом 112-233-445 95' });
    expect(refusal).toMatchObject({ kind: 'refused', reason: 'SLOT_TAKEN', misErrorCode: 'TICKET_BUSY' });
    expect(refusal.message).not.toContain('112-233-445');
    expect(refusalOf({ status: 'error', code: 'X', text: '' }).message).toBe('XMLDump refused with X');
  });

  it('asks for the patient’s visits where a refusal may be this command’s own lost call', () => {
    expect(bookRefusalOf({ status: 'error', code: 'ALREADY_BOOKED', text: '' }, false).recheck).toBe('always');
    expect(bookRefusalOf({ status: 'error', code: 'TICKET_BUSY', text: '' }, false).recheck).toBe('if-uncertain');
    expect(bookRefusalOf({ status: 'error', code: 'NOT_BOOKED', text: '' }, true).recheck).toBe('if-uncertain');
    expect(bookRefusalOf({ status: 'error', code: 'NOT_BOOKED', text: '' }, false).recheck).toBeUndefined();
    expect(bookRefusalOf({ status: 'error', code: 'SEX_RESTRICTED', text: '' }, false).recheck).toBeUndefined();
    expect(cancelRefusalOf({ status: 'error', code: 'NOT_BOOKED', text: '' }).recheck).toBe('if-uncertain');
    expect(cancelRefusalOf({ status: 'error', code: 'CLINIC_NOT_FOUND', text: '' }).recheck).toBeUndefined();
  });
});
