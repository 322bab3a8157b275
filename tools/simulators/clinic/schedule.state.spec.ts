import { AppointmentSource, AppointmentStatus, HubErrorCode } from '@medbus/hubservice';
import { generateRegion } from './region.generator';
import { ageOn, ScheduleState, sexFromName } from './schedule.state';

/** The value, or a failed test when there is none. */
function defined<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
}

function aSchedule(overrides: { initialBookedShare?: number } = {}): ScheduleState {
  const region = generateRegion({ seed: 7, organisations: 2, doctorsPerOrg: 2, notifyShare: 1 });
  // 2026-11-23 is a Monday.
  return new ScheduleState(region, { seed: 7, startDate: '2026-11-23', horizonDays: 14, initialBookedShare: overrides.initialBookedShare ?? 0 });
}

function firstFree(state: ScheduleState) {
  const doctor = defined(state.region.doctors[0]);
  return defined(state.slotsOf(doctor.idLpu, doctor.idDoc, { state: 'free' })[0]);
}

function aPatient(state: ScheduleState, idLpu: number): string {
  return state.addPatient(idLpu, { Surname: 'Орлова', Name: 'Анна', Birthday: '1980-05-01T00:00:00' });
}

describe('ScheduleState', () => {
  it('opens the horizon with clinic-local slots on working days only', () => {
    const state = aSchedule();
    const doctor = defined(state.region.doctors[0]);
    const slots = state.slotsOf(doctor.idLpu, doctor.idDoc);
    expect(slots.length).toBeGreaterThan(0);
    expect(defined(slots[0]).start).toMatch(/^2026-11-23T\d{2}:\d{2}:00$/);
    expect(slots.every((s) => s.date >= '2026-11-23' && s.date <= '2026-12-06')).toBe(true);
    expect(slots.some((s) => s.date === '2026-11-29')).toBe(false);
  });

  it('books a free slot once and refuses a second patient with 308, keeping the first', () => {
    const state = aSchedule();
    const slot = firstFree(state);
    const alice = aPatient(state, slot.idLpu);
    const bob = state.addPatient(slot.idLpu, { Surname: 'Белов', Name: 'Павел', Birthday: '1970-01-01T00:00:00' });

    expect(state.book(slot.idLpu, slot.id, alice, AppointmentSource.contactCentre)).toEqual({ ok: true, slot });
    expect(state.book(slot.idLpu, slot.id, bob, AppointmentSource.contactCentre)).toEqual({ ok: false, code: HubErrorCode.SlotTaken });
    expect(state.book(slot.idLpu, slot.id, alice, AppointmentSource.contactCentre)).toEqual({ ok: false, code: HubErrorCode.PatientAlreadyBooked });
    expect(state.slot(slot.idLpu, slot.id)?.booking?.idPat).toBe(alice);
  });

  it('answers 302 for an unknown patient, 306 for an unknown slot and 309 for cancelling what is not booked', () => {
    const state = aSchedule();
    const slot = firstFree(state);
    const alice = aPatient(state, slot.idLpu);
    expect(state.book(slot.idLpu, slot.id, 'P9-999', AppointmentSource.contactCentre)).toEqual({ ok: false, code: HubErrorCode.PatientNotFound });
    expect(state.book(slot.idLpu, 'nope', alice, AppointmentSource.contactCentre)).toEqual({ ok: false, code: HubErrorCode.NoAppointmentAtTime });
    expect(state.cancel(slot.idLpu, slot.id, alice)).toEqual({ ok: false, code: HubErrorCode.BookingNotFound });
  });

  it('removes a slot from the schedule: no longer listed, unknown to booking, logged as closed', () => {
    const state = aSchedule();
    const slot = firstFree(state);
    const before = state.version;

    expect(state.removeSlot(slot.id)).toBe(slot);

    expect(state.slotById(slot.id)).toBeUndefined();
    expect(state.slotsOf(slot.idLpu, slot.idDoc).some((s) => s.id === slot.id)).toBe(false);
    expect(state.slotsOfOrganisation(slot.idLpu).some((s) => s.id === slot.id)).toBe(false);
    expect(state.book(slot.idLpu, slot.id, aPatient(state, slot.idLpu), AppointmentSource.contactCentre)).toEqual({ ok: false, code: HubErrorCode.NoAppointmentAtTime });
    expect(state.changesSince(before, 10)).toEqual([expect.objectContaining({ idAppointment: slot.id, change: 'closed' })]);
    expect(state.removeSlot(slot.id)).toBeUndefined();
  });

  it("lists an organisation's slots across its doctors, and only its own", () => {
    const state = aSchedule();
    const doctors = state.region.doctors.filter((d) => d.idLpu === 1);
    const all = state.slotsOfOrganisation(1);
    expect(all.length).toBe(doctors.reduce((n, d) => n + state.slotsOf(1, d.idDoc).length, 0));
    expect(all.every((s) => s.idLpu === 1)).toBe(true);
    expect(state.slotsOfOrganisation(1, { state: 'free' }).every((s) => s.state === 'free')).toBe(true);
  });

  it('raises the slot version on every change and logs each change once', () => {
    const state = aSchedule();
    const slot = firstFree(state);
    const alice = aPatient(state, slot.idLpu);
    const before = slot.version;
    const log = state.version;
    state.book(slot.idLpu, slot.id, alice, AppointmentSource.contactCentre);
    const booked = slot.version;
    state.cancel(slot.idLpu, slot.id, alice);

    expect(booked).toBeGreaterThan(before);
    expect(slot.version).toBeGreaterThan(booked);
    expect(state.changesSince(log, 10).map((c) => [c.idAppointment, c.change])).toEqual([
      [slot.id, 'booked'],
      [slot.id, 'freed'],
    ]);
  });

  it('reschedules atomically: the new slot is taken and the previous one freed', () => {
    const state = aSchedule();
    const doctor = defined(state.region.doctors[0]);
    const day = state.slotsOf(doctor.idLpu, doctor.idDoc, { state: 'free' }).filter((s) => s.date === '2026-11-24');
    const first = defined(day[0]);
    const third = defined(day[2]);
    const alice = aPatient(state, doctor.idLpu);
    state.book(doctor.idLpu, first.id, alice, AppointmentSource.contactCentre);
    expect(state.book(doctor.idLpu, third.id, alice, AppointmentSource.contactCentre, first.id)).toMatchObject({ ok: true });
    expect([first.state, third.state]).toEqual(['free', 'booked']);
    expect(state.historyOf(doctor.idLpu, alice).map((v) => [v.idAppointment, v.refused])).toEqual([
      [first.id, true],
      [third.id, false],
    ]);
  });

  it('takes a walk-in at the front desk and tells the subscriber side who and where', () => {
    const state = aSchedule();
    const slot = firstFree(state);
    const seen: [string, string | undefined][] = [];
    state.on('booked', (s, patient) => seen.push([s.id, patient.IdPat]));

    expect(state.walkIn(slot.id)).toBe(slot);
    expect(slot.state).toBe('booked');
    expect(seen).toEqual([[slot.id, slot.booking?.idPat]]);
    expect(state.walkIn(slot.id)).toBeUndefined();
  });

  it('blocks a sick doctor’s day and cancels its bookings as the clinic', () => {
    const state = aSchedule();
    const doctor = defined(state.region.doctors[0]);
    const slot = defined(state.slotsOf(doctor.idLpu, doctor.idDoc, { state: 'free' }).find((s) => s.date === '2026-11-25'));
    const alice = aPatient(state, doctor.idLpu);
    state.book(doctor.idLpu, slot.id, alice, AppointmentSource.contactCentre);
    const statuses: [string, string, number][] = [];
    state.on('status', (s, idPat, status) => statuses.push([s.id, idPat, status]));

    state.sickDay(doctor.idLpu, doctor.idDoc, '2026-11-25');

    expect(state.slotsOf(doctor.idLpu, doctor.idDoc, { from: '2026-11-25T00:00:00', to: '2026-11-25T23:59:59' }).every((s) => s.state === 'blocked')).toBe(true);
    expect(statuses).toEqual([[slot.id, alice, AppointmentStatus.cancelledByClinic]]);
    expect(state.book(doctor.idLpu, slot.id, alice, AppointmentSource.contactCentre)).toEqual({ ok: false, code: HubErrorCode.NoAppointmentAtTime });
  });

  it('closes today and opens a new last day at night', () => {
    const state = aSchedule();
    const { closed, opened } = state.advanceDay();
    expect(state.today).toBe('2026-11-24');
    expect(state.lastDay).toBe('2026-12-07');
    expect(closed).toBeGreaterThan(0);
    expect(opened).toBeGreaterThan(0);
    const doctor = defined(state.region.doctors[0]);
    expect(state.slotsOf(doctor.idLpu, doctor.idDoc).some((s) => s.date === '2026-11-23')).toBe(false);
  });

  it('pre-books a share of slots deterministically for a seed', () => {
    const a = aSchedule({ initialBookedShare: 0.5 }).counts();
    expect(a.booked).toBeGreaterThan(0);
    expect(aSchedule({ initialBookedShare: 0.5 }).counts()).toEqual(a);
  });
  describe('booking rules of the doctor', () => {
    // A region large enough to hold therapists, paediatricians and gynaecologists.
    const region = generateRegion({ seed: 42, organisations: 5, doctorsPerOrg: 8, notifyShare: 1 });
    const aRuledSchedule = () => new ScheduleState(region, { seed: 42, startDate: '2026-11-23', horizonDays: 14, initialBookedShare: 0 });
    const freeSlotOf = (state: ScheduleState, specialtyCode: string) => {
      const doctor = defined(region.doctors.find((d) => d.specialtyCode === specialtyCode));
      return defined(state.slotsOf(doctor.idLpu, doctor.idDoc, { state: 'free' }).find((s) => s.date === '2026-11-25'));
    };
    const book = (state: ScheduleState, slot: { idLpu: number; id: string }, idPat: string) =>
      state.book(slot.idLpu, slot.id, idPat, AppointmentSource.contactCentre);

    it('refuses a man at the gynaecologist with 304 and books a woman', () => {
      const state = aRuledSchedule();
      const slot = freeSlotOf(state, 'GIN');
      const man = state.addPatient(slot.idLpu, { Surname: 'Белов', Name: 'Павел', SecondName: 'Андреевич', Birthday: '1970-01-01T00:00:00' });
      const woman = state.addPatient(slot.idLpu, { Surname: 'Белова', Name: 'Анна', SecondName: 'Андреевна', Birthday: '1971-01-01T00:00:00' });
      expect(book(state, slot, man)).toEqual({ ok: false, code: HubErrorCode.PatientDoesNotFitDoctor });
      expect(book(state, slot, woman)).toMatchObject({ ok: true });
    });

    it('refuses a child at the therapist and an adult at the paediatrician with 304, counting age on the day of the visit', () => {
      const state = aRuledSchedule();
      const therapist = freeSlotOf(state, 'TER');
      const paediatrician = freeSlotOf(state, 'PED');
      const child = state.addPatient(therapist.idLpu, { Surname: 'Орлов', Name: 'Илья', Birthday: '2010-06-01T00:00:00' });
      const turnsEighteenAfter = state.addPatient(therapist.idLpu, { Surname: 'Орлов', Name: 'Пётр', Birthday: '2008-11-26T00:00:00' });
      const adult = state.addPatient(paediatrician.idLpu, { Surname: 'Орлова', Name: 'Анна', Birthday: '1990-01-01T00:00:00' });
      expect(book(state, therapist, child)).toEqual({ ok: false, code: HubErrorCode.PatientDoesNotFitDoctor });
      expect(book(state, therapist, turnsEighteenAfter)).toEqual({ ok: false, code: HubErrorCode.PatientDoesNotFitDoctor });
      expect(book(state, paediatrician, adult)).toEqual({ ok: false, code: HubErrorCode.PatientDoesNotFitDoctor });
    });

    it('refuses a patient not attached to the clinic at the district therapist with 310, and books one registered there', () => {
      const state = aRuledSchedule();
      const slot = freeSlotOf(state, 'TER');
      const visitor = state.addPatient(slot.idLpu, { Surname: 'Зайцев', Name: 'Олег', Birthday: '1980-01-01T00:00:00' }, { attached: false });
      const registered = state.addPatient(slot.idLpu, { Surname: 'Зайцева', Name: 'Ольга', Birthday: '1981-01-01T00:00:00' });
      expect(book(state, slot, visitor)).toEqual({ ok: false, code: HubErrorCode.PatientNotAttached });
      expect(book(state, slot, registered)).toMatchObject({ ok: true });
      expect(state.patientFacts(slot.idLpu, registered)).toEqual({ sex: 'FEMALE', attached: true });
    });

    it('finds a patient by SNILS whatever its punctuation, and by policy before anything else', () => {
      const state = aRuledSchedule();
      const idPat = state.addPatient(1, { Surname: 'Егоров', Name: 'Павел', Birthday: '1980-01-01T00:00:00', Snils: '112-233-445 95', Polis_N: '2300000000000009' });
      expect(state.findPatients(1, { Snils: '11223344595' })).toEqual([idPat]);
      expect(state.findPatients(1, { Snils: '112-233-445 00' })).toEqual([]);
      expect(state.findPatients(1, { Polis_N: '2300000000000008', Snils: '11223344595' })).toEqual([]);
    });
  });

  it('reads sex from the patronymic, else from the first name, and age in full years', () => {
    expect(sexFromName({ Name: 'Никита', SecondName: 'Ильич' })).toBe('MALE');
    expect(sexFromName({ Name: 'Саша', SecondName: 'Игоревна' })).toBe('FEMALE');
    expect(sexFromName({ Name: 'Ирина' })).toBe('FEMALE');
    expect(sexFromName({ Name: 'Илья' })).toBe('MALE');
    expect(sexFromName({})).toBeUndefined();
    expect(ageOn('2008-11-25T00:00:00', '2026-11-25')).toBe(18);
    expect(ageOn('2008-11-26T00:00:00', '2026-11-25')).toBe(17);
    expect(ageOn(undefined, '2026-11-25')).toBeUndefined();
  });
});
