import { recorded } from './__fixtures__/recorded';
import { idempotencyKeyOf, refusalOf } from './booking-command.mapper';
import { problemSchema } from './medrest-response.mapper';

const problem = (file: string) => recorded(file, problemSchema);

describe('booking refusals from recorded MedREST problems', () => {
  it('refuses SLOT_TAKEN on slot_unavailable, to be checked against the patient’s appointments when an earlier call may have booked it', () => {
    expect(refusalOf(problem('problem.slot-unavailable.json'))).toEqual({
      kind: 'refused',
      reason: 'SLOT_TAKEN',
      misErrorCode: 'slot_unavailable',
      message: 'The slot is booked.',
      recheck: 'if-uncertain',
    });
  });

  it('refuses SLOT_NOT_FOUND on slot_not_found and PATIENT_NOT_ELIGIBLE on sex_restricted, as they stand', () => {
    expect(refusalOf(problem('problem.slot-not-found.json'))).toEqual({ kind: 'refused', reason: 'SLOT_NOT_FOUND', misErrorCode: 'slot_not_found', message: 'No slot with this id is in the schedule.' });
    expect(refusalOf(problem('problem.sex-restricted.json'))).toMatchObject({ reason: 'PATIENT_NOT_ELIGIBLE', misErrorCode: 'sex_restricted' });
    expect(refusalOf(problem('problem.sex-restricted.json')).recheck).toBeUndefined();
  });

  it('refuses PATIENT_ALREADY_BOOKED as it stands when the MIS names the appointment, and rechecks always when it does not', () => {
    const named = problem('problem.patient-already-booked.json');
    expect(named.appointment_id).toBe('apt-1');
    expect(refusalOf(named)).toEqual({ kind: 'refused', reason: 'PATIENT_ALREADY_BOOKED', misErrorCode: 'patient_already_booked', message: 'The patient already holds this slot.' });
    expect(refusalOf({ ...named, appointment_id: undefined })).toMatchObject({ reason: 'PATIENT_ALREADY_BOOKED', recheck: 'always' });
  });

  it('maps the remaining codes of the reference, and anything else to OTHER with the MIS’s code', () => {
    const of = (code: string) => refusalOf({ code, status: 409 }).reason;
    expect([of('patient_not_found'), of('age_restricted'), of('not_attached'), of('appointment_not_found'), of('appointment_not_active')]).toEqual([
      'PATIENT_NOT_FOUND',
      'PATIENT_NOT_ELIGIBLE',
      'PATIENT_NOT_ATTACHED',
      'APPOINTMENT_NOT_FOUND',
      'APPOINTMENT_NOT_FOUND',
    ]);
    expect(refusalOf({ code: 'idempotency_key_reused', status: 422 })).toEqual({ kind: 'refused', reason: 'OTHER', misErrorCode: 'idempotency_key_reused', message: 'MedREST idempotency_key_reused' });
  });

  it('passes no patient-shaped text of the MIS’s wording on to Kafka', () => {
    const refusal = refusalOf({ code: 'validation_failed', status: 400, detail: 'policy 2300000000000001 and SNILS 112-233-445 95 are not valid' });
    expect(refusal.message).not.toMatch(/2300000000000001|112-233-445/);
  });

  it('gives every attempt of a command the same idempotency key, and another command another', () => {
    const id = '6f1d7f0e-2b8c-4d7e-9a51-0c3e8f4b2a19';
    expect(idempotencyKeyOf(id)).toBe(idempotencyKeyOf(id));
    expect(idempotencyKeyOf(id)).not.toBe(idempotencyKeyOf('0b7e4c52-91d3-4f0a-8e26-5d1c9a7b3e40'));
    expect(idempotencyKeyOf(id)).toMatch(/^[\x21-\x7e]{1,255}$/);
  });
});
