import { generateRegion, type SimDoctor } from '../clinic/region.generator';
import { ScheduleState, type SimSlot } from '../clinic/schedule.state';
import type { BookingAnswer, BookingRequest } from './booking.codec';
import { BookingService } from './booking.service';

function aClinic(): { state: ScheduleState; service: BookingService } {
  const region = generateRegion({ seed: 3, organisations: 4, doctorsPerOrg: 9, notifyShare: 0 });
  const state = new ScheduleState(region, { seed: 3, startDate: '2026-11-30', horizonDays: 3, initialBookedShare: 0 });
  return { state, service: new BookingService(state) };
}

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

const doctorWith = (state: ScheduleState, specialty: string): SimDoctor => defined(state.region.doctors.find((d) => d.specialtyCode === specialty && d.idLpu !== 2));
const freeSlotOf = (state: ScheduleState, doctor: SimDoctor, index = 0): SimSlot => defined(state.slotsOf(doctor.idLpu, doctor.idDoc, { state: 'free' })[index]);

function register(service: BookingService, clinic: number, extra: Partial<Extract<BookingRequest, { message: 'RegisterPatient' }>> = {}): string {
  const answer = service.handle({ message: 'RegisterPatient', clinic, Surname: 'Тестов', FirstName: 'Иван', Patronymic: 'Петрович', BirthDate: '1985-03-15', ...extra });
  if (answer.message !== 'RegisterPatient' || answer.status !== 'ok') throw new Error('registration refused');
  return answer.patient;
}

const codeOf = (answer: BookingAnswer): string => (answer.status === 'error' ? answer.code : 'ok');

describe('BookingService', () => {
  it('books a free ticket, refuses it to another patient as busy and to the same one as already booked', () => {
    const { state, service } = aClinic();
    const doctor = doctorWith(state, 'HIR');
    const slot = freeSlotOf(state, doctor);
    const alice = register(service, doctor.idLpu);
    const bob = register(service, doctor.idLpu, { Surname: 'Белов', Policy: '2300000000000002' });

    expect(service.handle({ message: 'Book', clinic: doctor.idLpu, ticket: slot.id, patient: alice })).toEqual({ message: 'Book', status: 'ok', ticket: slot.id });
    expect(codeOf(service.handle({ message: 'Book', clinic: doctor.idLpu, ticket: slot.id, patient: bob }))).toBe('TICKET_BUSY');
    expect(codeOf(service.handle({ message: 'Book', clinic: doctor.idLpu, ticket: slot.id, patient: alice }))).toBe('ALREADY_BOOKED');
    expect(state.slotById(slot.id)?.booking?.idPat).toBe(alice);
  });

  it('refuses a closed ticket, an unknown ticket, an unknown patient and an unknown clinic with their codes', () => {
    const { state, service } = aClinic();
    const doctor = doctorWith(state, 'HIR');
    const slot = freeSlotOf(state, doctor);
    const patient = register(service, doctor.idLpu);
    state.sickDay(doctor.idLpu, doctor.idDoc, slot.date);

    expect(codeOf(service.handle({ message: 'Book', clinic: doctor.idLpu, ticket: slot.id, patient }))).toBe('TICKET_CLOSED');
    expect(codeOf(service.handle({ message: 'Book', clinic: doctor.idLpu, ticket: 'D9999-202611300800', patient }))).toBe('TICKET_NOT_FOUND');
    expect(codeOf(service.handle({ message: 'Book', clinic: doctor.idLpu, ticket: slot.id, patient: 'P1-999999' }))).toBe('PATIENT_NOT_FOUND');
    expect(codeOf(service.handle({ message: 'PatientVisits', clinic: 999, patient }))).toBe('CLINIC_NOT_FOUND');
  });

  it('tells a sex restriction from an age restriction, and refuses a patient not attached', () => {
    const { state, service } = aClinic();
    const gynaecologist = doctorWith(state, 'GIN');
    const man = register(service, gynaecologist.idLpu, { Sex: '1' });
    expect(codeOf(service.handle({ message: 'Book', clinic: gynaecologist.idLpu, ticket: freeSlotOf(state, gynaecologist).id, patient: man }))).toBe('SEX_RESTRICTED');

    const therapist = doctorWith(state, 'TER');
    const child = register(service, therapist.idLpu, { Surname: 'Младший', BirthDate: '2015-01-01', Policy: '2300000000000003' });
    expect(codeOf(service.handle({ message: 'Book', clinic: therapist.idLpu, ticket: freeSlotOf(state, therapist).id, patient: child }))).toBe('AGE_RESTRICTED');

    const stranger = state.addPatient(therapist.idLpu, { Surname: 'Приезжий', Name: 'Олег', Birthday: '1980-01-01T00:00:00' }, { attached: false });
    expect(codeOf(service.handle({ message: 'Book', clinic: therapist.idLpu, ticket: freeSlotOf(state, therapist).id, patient: stranger }))).toBe('NOT_ATTACHED');
  });

  it('moves a booking to another ticket with replaces, cancels it, and lists both visits', () => {
    const { state, service } = aClinic();
    const doctor = doctorWith(state, 'HIR');
    const first = freeSlotOf(state, doctor, 0);
    const second = defined(state.slotsOf(doctor.idLpu, doctor.idDoc, { state: 'free' }).find((s) => s.date !== first.date));
    const patient = register(service, doctor.idLpu);
    service.handle({ message: 'Book', clinic: doctor.idLpu, ticket: first.id, patient });

    expect(codeOf(service.handle({ message: 'Book', clinic: doctor.idLpu, ticket: second.id, patient, replaces: first.id }))).toBe('ok');
    expect(state.slotById(first.id)?.state).toBe('free');
    expect(codeOf(service.handle({ message: 'Cancel', clinic: doctor.idLpu, ticket: first.id, patient }))).toBe('NOT_BOOKED');
    expect(codeOf(service.handle({ message: 'Cancel', clinic: doctor.idLpu, ticket: second.id, patient }))).toBe('ok');
    expect(service.handle({ message: 'PatientVisits', clinic: doctor.idLpu, patient })).toEqual({
      message: 'PatientVisits',
      status: 'ok',
      visits: [
        { ticket: first.id, state: 'cancelled' },
        { ticket: second.id, state: 'cancelled' },
      ],
    });
  });

  it('finds a registered patient by policy, by SNILS in any punctuation and by name, and registers the same person once', () => {
    const { service } = aClinic();
    const id = register(service, 1, { Policy: '2300000000000009', Snils: '112-233-445 95' });
    expect(register(service, 1, { Policy: '2300000000000009' })).toBe(id);
    expect(service.handle({ message: 'FindPatient', clinic: 1, Policy: '2300000000000009' })).toEqual({ message: 'FindPatient', status: 'ok', patients: [id] });
    expect(service.handle({ message: 'FindPatient', clinic: 1, Snils: '11223344595' })).toMatchObject({ patients: [id] });
    expect(service.handle({ message: 'FindPatient', clinic: 1, Surname: 'тестов', FirstName: 'Иван', BirthDate: '1985-03-15' })).toMatchObject({ patients: [id] });
    expect(service.handle({ message: 'FindPatient', clinic: 2, Policy: '2300000000000009' })).toMatchObject({ patients: [] });
  });
});
