import { answerOf, refusalOf, toCommandItem } from './booking-command.mapper';
import type { BookingOrder } from './booking-order.service';
import { commandOutcomeBodySchema } from './inbound-request.mapper';
import done from './__fixtures__/outcome-done.json';
import refused from './__fixtures__/outcome-refused.json';
import ownCode from './__fixtures__/outcome-refused-own-code.json';

function anOrder(overrides: Partial<BookingOrder> = {}): BookingOrder {
  return {
    commandId: '5b0c6f55-1d7e-4c1e-9f57-0d6b8f4c2a11',
    kind: 'BookSlot',
    organisationOid: '1.2.643.5.1.13.13.12.2.23.1037',
    localResourceId: 'doc-117',
    localSlotId: 's-20261124-0800-117',
    misPatientId: 'pat-88123',
    misAppointmentId: null,
    replacesMisAppointmentId: null,
    deadline: Date.parse('2026-11-20T10:00:30Z'),
    state: 'pending',
    refusalCode: null,
    refusalMessage: null,
    deliveries: 0,
    ...overrides,
  };
}

describe('booking orders and the MIS’s answers', () => {
  it('reads the recorded answers as the MIS posts them', () => {
    expect(commandOutcomeBodySchema.parse(done)).toEqual({ outcome: 'done', misAppointmentId: 'visit-558201' });
    expect(commandOutcomeBodySchema.parse(refused)).toMatchObject({ outcome: 'refused', code: 'SLOT_TAKEN' });
    expect(commandOutcomeBodySchema.safeParse({ outcome: 'refused' }).success).toBe(false);
    expect(commandOutcomeBodySchema.safeParse({ outcome: 'done', code: 'SLOT_TAKEN' }).success).toBe(false);
  });

  it('answers a booking done with the MIS’s appointment id, else the slot’s', () => {
    expect(answerOf(anOrder({ state: 'done', misAppointmentId: 'visit-558201' }))).toEqual({ kind: 'done', misAppointmentId: 'visit-558201' });
    expect(answerOf(anOrder({ kind: 'CancelAppointment', state: 'done', misAppointmentId: 'visit-558201' }))).toEqual({ kind: 'done' });
  });

  it('has no answer while the order is pending or after it expired', () => {
    expect(answerOf(anOrder())).toBeUndefined();
    expect(answerOf(anOrder({ state: 'expired' }))).toBeUndefined();
  });

  it('refuses with a documented code as that reason, and with the MIS’s own as OTHER, keeping the code and redacting the wording', () => {
    expect(refusalOf(anOrder(), refused.code, refused.message)).toEqual({
      kind: 'refused',
      reason: 'SLOT_TAKEN',
      misErrorCode: 'SLOT_TAKEN',
      message: 'Талон уже выдан в регистратуре, запись по телефону [REDACTED]',
    });
    expect(refusalOf(anOrder(), ownCode.code, ownCode.message)).toEqual({
      kind: 'refused',
      reason: 'OTHER',
      misErrorCode: 'ERR_SCHEDULE_LOCKED',
      message: 'Расписание врача закрыто на редактирование',
    });
    expect(refusalOf(anOrder(), 'DEADLINE_EXCEEDED', null)).toMatchObject({ reason: 'OTHER', message: 'the MIS refused: DEADLINE_EXCEEDED' });
  });

  it('lets the recorded appointments decide a PATIENT_ALREADY_BOOKED booking and an APPOINTMENT_NOT_FOUND cancellation', () => {
    expect(refusalOf(anOrder(), 'PATIENT_ALREADY_BOOKED', null).recheck).toBe('always');
    expect(refusalOf(anOrder({ kind: 'CancelAppointment' }), 'APPOINTMENT_NOT_FOUND', null).recheck).toBe('if-uncertain');
    expect(refusalOf(anOrder(), 'SLOT_TAKEN', null).recheck).toBeUndefined();
  });

  it('lists a cancellation with the appointment to cancel and its slot, and a deadline as an instant', () => {
    const order = anOrder({ kind: 'CancelAppointment', localResourceId: null, misAppointmentId: 'visit-558201', deliveries: 2 });

    expect(toCommandItem(order)).toEqual({
      commandId: order.commandId,
      kind: 'CancelAppointment',
      organisationOid: order.organisationOid,
      localResourceId: null,
      localSlotId: 's-20261124-0800-117',
      misPatientId: 'pat-88123',
      misAppointmentId: 'visit-558201',
      replacesMisAppointmentId: null,
      deadline: '2026-11-20T10:00:30.000Z',
      deliveries: 2,
    });
    expect(toCommandItem(anOrder({ misAppointmentId: 'x' })).misAppointmentId).toBeNull();
  });
});
