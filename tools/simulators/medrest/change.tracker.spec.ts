import { generateRegion } from '../clinic/region.generator';
import { ScheduleState, type SlotChange } from '../clinic/schedule.state';
import { AppointmentRegistry } from './appointment.registry';
import { ChangeTracker, webhookEventsOf } from './change.tracker';

function aChange(overrides: Partial<SlotChange> = {}): SlotChange {
  return { seq: 1, idLpu: 1, idDoc: 'D0101', idAppointment: 'D0101-202611240800', change: 'booked', state: 'booked', visitStart: '2026-11-24T08:00:00', ...overrides };
}

let ids = 0;
const newId = (): string => String(++ids);

describe('webhookEventsOf', () => {
  it('makes one slot.updated per slot booked or freed, in order, and none for a facility that does not send', () => {
    const events = webhookEventsOf(
      [
        aChange({ seq: 1 }),
        aChange({ seq: 2, idAppointment: 'D0101-202611240815', visitStart: '2026-11-24T08:15:00', change: 'freed', state: 'free' }),
        aChange({ seq: 3, change: 'freed', state: 'free' }),
        aChange({ seq: 4, idLpu: 2, idDoc: 'D0201', idAppointment: 'D0201-202611240800' }),
      ],
      (idLpu) => idLpu === 1,
      '2026-11-24T06:00:00.000Z',
      newId,
    );
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['slot.updated', { facility_id: 'fac-1', practitioner_id: 'prc-1-D0101', date: '2026-11-24', slot_id: 'slt-D0101-202611240800' }],
      ['slot.updated', { facility_id: 'fac-1', practitioner_id: 'prc-1-D0101', date: '2026-11-24', slot_id: 'slt-D0101-202611240815' }],
    ]);
    expect(events[0]).toMatchObject({ id: expect.stringMatching(/^evt-/), occurred_at: '2026-11-24T06:00:00.000Z' });
  });

  it("makes one schedule.changed for a practitioner's day that was blocked, opened or closed, covering its slot changes", () => {
    const sickDay = [aChange({ seq: 1, change: 'freed', state: 'free' }), aChange({ seq: 2, change: 'blocked', state: 'blocked' }), aChange({ seq: 3, idAppointment: 'D0101-202611240815', change: 'blocked', state: 'blocked' })];
    const opened = [aChange({ seq: 4, idAppointment: 'D0101-202612070800', visitStart: '2026-12-07T08:00:00', change: 'opened', state: 'free' })];
    expect(webhookEventsOf([...sickDay, ...opened], () => true, 'now', newId).map((e) => [e.type, e.data])).toEqual([
      ['schedule.changed', { facility_id: 'fac-1', practitioner_id: 'prc-1-D0101', date: '2026-11-24' }],
      ['schedule.changed', { facility_id: 'fac-1', practitioner_id: 'prc-1-D0101', date: '2026-12-07' }],
    ]);
  });
});

describe('ChangeTracker', () => {
  const region = generateRegion({ seed: 3, organisations: 1, doctorsPerOrg: 2, notifyShare: 1 });
  const doctor = region.doctors.find((d) => d.specialtyCode !== 'TER' && d.specialtyCode !== 'PED' && d.specialtyCode !== 'GIN') ?? region.doctors[1];

  function setUp(): { state: ScheduleState; registry: AppointmentRegistry; tracker: ChangeTracker; clock: { now: number } } {
    const state = new ScheduleState(region, { seed: 3, startDate: '2026-11-23', horizonDays: 3, initialBookedShare: 0 });
    const registry = new AppointmentRegistry(state);
    const clock = { now: Date.parse('2026-11-23T06:00:00.000Z') };
    return { state, registry, tracker: new ChangeTracker(state, registry, undefined, () => clock.now), clock };
  }

  function bookFirstSlot(state: ScheduleState, registry: AppointmentRegistry): ReturnType<AppointmentRegistry['record']> {
    if (!doctor) throw new Error('no doctor');
    const idPat = state.addPatient(1, { Surname: 'Тестов', Name: 'Иван', Birthday: '1980-01-01T00:00:00', Polis_N: '2300000000000009' });
    const slot = state.slotsOf(1, doctor.idDoc, { state: 'free' })[0];
    if (!slot) throw new Error('no free slot');
    const outcome = state.book(1, slot.id, idPat, 5);
    if (!outcome.ok) throw new Error(`refused ${outcome.code}`);
    return registry.record(outcome.slot, idPat, 'then', undefined);
  }

  it("stamps a slot's change with the time it was first seen, and keeps the time of slots that did not change", () => {
    const { state, registry, tracker, clock } = setUp();
    const untouched = state.slotsOf(1, doctor?.idDoc ?? '').at(-1);
    clock.now += 5_000;
    const record = bookFirstSlot(state, registry);
    tracker.sync();
    clock.now += 5_000;
    expect(tracker.updatedAt(record.slot.version)).toBe('2026-11-23T06:00:05.000Z');
    expect(tracker.updatedAt(untouched?.version ?? 0)).toBe('2026-11-23T06:00:00.000Z');
  });

  it("settles an appointment the clinic cancelled (a sick day) as cancelled by the clinic, and one whose day closed as completed", () => {
    const { state, registry, tracker } = setUp();
    const sick = bookFirstSlot(state, registry);
    state.sickDay(1, sick.slot.idDoc, sick.slot.date);
    tracker.sync();
    expect(sick).toMatchObject({ status: 'cancelled', cancelledBy: 'clinic' });
    expect(registry.activeOn(sick.slot.id)).toBeUndefined();

    const { state: other, registry: otherRegistry, tracker: otherTracker } = setUp();
    const visit = bookFirstSlot(other, otherRegistry);
    while (other.today <= visit.slot.date) other.advanceDay();
    otherTracker.sync();
    expect(visit).toMatchObject({ status: 'completed', cancelledBy: null, cancelledAt: null });
  });

  it('leaves an appointment that still holds its slot booked', () => {
    const { state, registry, tracker } = setUp();
    const record = bookFirstSlot(state, registry);
    state.walkIn();
    tracker.sync();
    expect(record.status).toBe('booked');
    expect(registry.activeOn(record.slot.id)).toBe(record);
  });
});
