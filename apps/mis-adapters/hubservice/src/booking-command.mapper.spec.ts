import { randomUUID } from 'node:crypto';
import { outcomeOf, toBookingCommand, type BookingCommand } from '@medbus/mis-adapter-kit';
import { refusalOf, rejectionReasonOf } from './booking-command.mapper';

function aBookSlot(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    commandId: randomUUID(),
    appointmentId: randomUUID(),
    slotId: '1.2.643.5.1.13.13.12.2.23.1037:D0101-202611250800',
    localSlotId: 'D0101-202611250800',
    organisationOid: '1.2.643.5.1.13.13.12.2.23.1037',
    resourceId: '1.2.643.5.1.13.13.12.2.23.1037:D0101',
    localResourceId: 'D0101',
    misPatientId: 'P1-7',
    requestedBy: 'CONTACT_CENTRE',
    requestedAt: 1_764_000_000_000,
    deadline: 1_764_000_030_000,
    replacesMisAppointmentId: null,
    ...overrides,
  };
}

describe('booking command mapper', () => {
  it.each([
    [308, 'SLOT_TAKEN'],
    [305, 'SLOT_NOT_FOUND'],
    [306, 'SLOT_NOT_FOUND'],
    [302, 'PATIENT_NOT_FOUND'],
    [307, 'PATIENT_ALREADY_BOOKED'],
    [304, 'PATIENT_NOT_ELIGIBLE'],
    [310, 'PATIENT_NOT_ATTACHED'],
    [311, 'PATIENT_NOT_ATTACHED'],
    [309, 'APPOINTMENT_NOT_FOUND'],
    [200, 'OTHER'],
    [999, 'OTHER'],
  ])('reads HubService IdError %i as %s', (idError, reason) => {
    expect(rejectionReasonOf(idError)).toBe(reason);
  });

  it("keeps the MIS's code and wording in a refusal, and says so when the MIS gave no code", () => {
    expect(refusalOf([{ IdError: 308, ErrorDescription: 'Талон уже занят' }])).toEqual({ kind: 'refused', reason: 'SLOT_TAKEN', misErrorCode: '308', message: 'Талон уже занят' });
    expect(refusalOf([{ IdError: 310 }])).toMatchObject({ reason: 'PATIENT_NOT_ATTACHED', message: 'HubService IdError 310' });
    expect(refusalOf([])).toMatchObject({ reason: 'OTHER', misErrorCode: null });
  });

  it('reads a BookSlot written before reschedules existed as one that replaces nothing', () => {
    const value = aBookSlot();
    delete value.replacesMisAppointmentId;
    expect(toBookingCommand('BookSlot', value)).toEqual({ name: 'BookSlot', value: expect.objectContaining({ replacesMisAppointmentId: null }) });
  });

  it('refuses a command that breaks its schema or is of an unknown type, naming fields but not values', () => {
    expect(() => toBookingCommand('BookSlot', aBookSlot({ commandId: 'not-a-uuid' }))).toThrow(expect.objectContaining({ code: 'COMMAND.INVALID', details: { fields: ['commandId'] } }));
    expect(() => toBookingCommand('BookSlot', aBookSlot({ misPatientId: '' }))).toThrow(expect.objectContaining({ code: 'COMMAND.INVALID' }));
    expect(() => toBookingCommand('HoldSlot', aBookSlot())).toThrow(expect.objectContaining({ code: 'COMMAND.INVALID' }));
  });

  it("answers a booking with the MIS's booking id, keyed to the command and appointment, and a refusal with its reason", () => {
    const command = toBookingCommand('BookSlot', aBookSlot()) as Extract<BookingCommand, { name: 'BookSlot' }>;
    const { commandId, appointmentId, organisationOid, slotId } = command.value;
    expect(outcomeOf(command, { kind: 'done', misAppointmentId: 'D0101-202611250800' }, 5)).toEqual({
      name: 'SlotBookingConfirmed',
      value: { commandId, appointmentId, organisationOid, slotId, misAppointmentId: 'D0101-202611250800', occurredAt: 5 },
    });
    expect(outcomeOf(command, { kind: 'refused', reason: 'DEADLINE_EXCEEDED', misErrorCode: null, message: 'late' }, 6)).toEqual({
      name: 'SlotBookingRejected',
      value: { commandId, appointmentId, organisationOid, slotId, reason: 'DEADLINE_EXCEEDED', misErrorCode: null, message: 'late', occurredAt: 6 },
    });
  });

  it('answers a cancellation with AppointmentCancellationConfirmed or …Rejected', () => {
    const { commandId, appointmentId, slotId, localSlotId, organisationOid, misPatientId, requestedBy, requestedAt } = aBookSlot();
    const cancel = { commandId, appointmentId, slotId, localSlotId, organisationOid, misPatientId, requestedBy, requestedAt, misAppointmentId: 'D0101-202611250800' };
    const command = toBookingCommand('CancelAppointment', cancel);
    expect(outcomeOf(command, { kind: 'done' }, 7).name).toBe('AppointmentCancellationConfirmed');
    expect(outcomeOf(command, refusalOf([{ IdError: 309 }]), 7)).toMatchObject({ name: 'AppointmentCancellationRejected', value: { reason: 'APPOINTMENT_NOT_FOUND', misErrorCode: '309' } });
  });
});
