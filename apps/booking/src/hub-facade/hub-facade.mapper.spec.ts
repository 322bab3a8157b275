import type { AppointmentView } from '../appointments/appointment.mapper';
import {
  appointmentOf,
  availableDatesOf,
  clinicOf,
  doctorOf,
  historyListOf,
  historyVisitOf,
  idempotencyKeyOf,
  isPatientId,
  patientQueryOf,
  spesialityOf,
  waitlistRequestOf,
  workingTimeOf,
} from './hub-facade.mapper';
import type { ClinicRow, DoctorRow, FreeSlotRow, PractitionerRow, SpecialtyRow } from './hub-facade.query';

const oid = '1.2.643.5.1.13.13.12.2.23.1001';
const zone = 'Asia/Yekaterinburg';

const aClinicRow = (overrides: Partial<ClinicRow> = {}): ClinicRow => ({
  id_lpu: 12,
  organisation_oid: oid,
  full_name: 'ГБУЗ «Городская поликлиника №1»',
  short_name: 'ГП №1',
  address: 'ул. Красная, 1',
  active: true,
  id_district: 3,
  ...overrides,
});

const aSlotRow = (overrides: Partial<FreeSlotRow> = {}): FreeSlotRow => ({
  slot_id: `${oid}:100234`,
  starts_at: new Date('2031-03-03T04:00:00Z'),
  ends_at: new Date('2031-03-03T04:15:00Z'),
  room: '101',
  source_version: '17',
  ...overrides,
});

const aView = (overrides: Partial<AppointmentView> = {}): AppointmentView => ({
  appointmentId: '6f1c0d52-8f0e-4c53-9a51-4f5e7d1f2a10',
  status: 'CONFIRMED',
  slotId: `${oid}:100234`,
  organisationOid: oid,
  resourceId: `${oid}:doc-1`,
  startsAt: '2031-03-03T04:00:00.000Z',
  endsAt: '2031-03-03T04:15:00.000Z',
  patientId: 'a3c5e2f4-1111-4c53-9a51-4f5e7d1f2a10',
  misAppointmentId: 'M-1',
  replacesAppointmentId: null,
  rejection: null,
  createdAt: '2031-02-20T07:45:12.345Z',
  updatedAt: '2031-02-20T07:45:13.000Z',
  ...overrides,
});

describe('inventory rows as HubService contracts', () => {
  it('describes a clinic with its int ids and OID; the type is not known (0)', () => {
    expect(clinicOf(aClinicRow())).toEqual({
      Description: 'ул. Красная, 1',
      District: 3,
      IdLPU: 12,
      IsActive: true,
      LPUFullName: 'ГБУЗ «Городская поликлиника №1»',
      LPUShortName: 'ГП №1',
      LPUType: 0,
      Oid: oid,
    });
    expect(clinicOf(aClinicRow({ id_district: null, short_name: null, address: null }))).toEqual(
      expect.objectContaining({ District: undefined, LPUShortName: 'ГБУЗ «Городская поликлиника №1»', Description: undefined }),
    );
  });

  it('names a specialty by its NSI code, or by the MIS code when it has none, with clinic-local dates', () => {
    const row: SpecialtyRow = {
      specialty_key: '27',
      nsi_code: '27',
      name: 'Кардиология',
      free_slots: 5,
      nearest_free_at: new Date('2031-03-03T04:00:00Z'),
      last_free_at: new Date('2031-03-10T12:30:00Z'),
    };
    expect(spesialityOf(row, zone)).toEqual({
      CountFreeParticipantIE: 5,
      CountFreeTicket: 5,
      FerIdSpesiality: '27',
      IdSpesiality: '27',
      LastDate: '2031-03-10T17:30:00',
      NameSpesiality: 'Кардиология',
      NearestDate: '2031-03-03T09:00:00',
    });
    expect(spesialityOf({ ...row, specialty_key: 'TER', nsi_code: null, name: null, free_slots: null, nearest_free_at: null, last_free_at: null }, zone)).toEqual({
      CountFreeParticipantIE: 0,
      CountFreeTicket: 0,
      FerIdSpesiality: undefined,
      IdSpesiality: 'TER',
      LastDate: undefined,
      NameSpesiality: 'TER',
      NearestDate: undefined,
    });
  });

  it('describes a doctor by the medbus resource id', () => {
    const row: DoctorRow = { resource_id: `${oid}:doc-1`, display_name: 'Иванова А. П.', position_name: 'Врач-кардиолог', free_slots: 2, nearest_free_at: null, last_free_at: null };
    expect(doctorOf(row, zone)).toEqual(expect.objectContaining({ IdDoc: `${oid}:doc-1`, Name: 'Иванова А. П.', Comment: 'Врач-кардиолог', CountFreeTicket: 2 }));
  });

  it('offers a free slot by its slot id in clinic-local time, with its change counter', () => {
    expect(appointmentOf(aSlotRow(), { address: 'ул. Красная, 1', time_zone: zone })).toEqual({
      Address: 'ул. Красная, 1',
      IdAppointment: `${oid}:100234`,
      Room: '101',
      Version: 17,
      VisitEnd: '2031-03-03T09:15:00',
      VisitStart: '2031-03-03T09:00:00',
    });
    expect(appointmentOf(aSlotRow({ ends_at: null, room: null }), { address: null, time_zone: zone })).toEqual(
      expect.objectContaining({ VisitEnd: '2031-03-03T09:00:00', Room: undefined, Address: undefined }),
    );
  });

  it("groups free slots by the clinic's day, not by UTC's", () => {
    const late = aSlotRow({ starts_at: new Date('2031-03-03T20:00:00Z') });
    const early = aSlotRow({ starts_at: new Date('2031-03-03T04:00:00Z') });
    expect(availableDatesOf([late, early, early], zone)).toEqual(['2031-03-03T00:00:00', '2031-03-04T00:00:00']);
    expect(availableDatesOf([late, early], 'UTC')).toEqual(['2031-03-03T00:00:00']);
  });
});

describe('GetWorkingTime', () => {
  it('spans each clinic-local day from its first slot to its last, recordable while a slot is free for the caller', () => {
    const slot = (start: string, bookable: boolean) => ({ starts_at: new Date(start), ends_at: new Date(Date.parse(start) + 15 * 60_000), bookable });
    expect(workingTimeOf([slot('2031-03-03T04:00:00Z', false), slot('2031-03-03T08:45:00Z', true), slot('2031-03-03T20:00:00Z', false)], zone)).toEqual([
      { DenyCause: undefined, RecordableDay: true, VisitEnd: '2031-03-03T14:00:00', VisitStart: '2031-03-03T09:00:00' },
      { DenyCause: 'Нет свободного времени для записи', RecordableDay: false, VisitEnd: '2031-03-04T01:15:00', VisitStart: '2031-03-04T01:00:00' },
    ]);
  });
});

describe('HubService requests as booking requests', () => {
  it('identifies a patient by policy, SNILS, name and birth date, leaving out blanks', () => {
    expect(
      patientQueryOf(
        { Surname: 'Орлова', Name: 'Анна', SecondName: ' ', Birthday: '1980-05-01T00:00:00', Polis_N: '2300000000000001', Snils: '', HomePhone: '8 (861) 200-00-00' },
        oid,
      ),
    ).toEqual({ organisationOid: oid, surname: 'Орлова', firstName: 'Анна', birthDate: '1980-05-01', policyNumber: '2300000000000001', phone: '8 (861) 200-00-00' });
  });

  it('registers SetWaitingList on the waitlist with the rule as a clinic-local interval', () => {
    const now = new Date('2031-03-01T06:00:00Z');
    const request = waitlistRequestOf(
      { idPat: 'p', idSpesiality: '27', idDoc: `${oid}:doc-1`, rule: { Start: '2031-03-05T00:00:00', End: '2031-03-10T00:00:00' }, claim: 2, phone: '+79180000000' },
      { organisation_oid: oid, time_zone: zone },
      now,
    );
    expect(request).toEqual({
      patientId: 'p',
      organisationOid: oid,
      specialtyCode: '27',
      resourceId: `${oid}:doc-1`,
      preferredIntervals: [{ from: '2031-03-04T19:00:00.000Z', to: '2031-03-10T19:00:00.000Z' }],
      contactPhone: '+79180000000',
      reason: 'NO_CONVENIENT_TIME',
    });
  });

  it('waits three weeks from now when SetWaitingList gives no rule, and ignores an unknown claim', () => {
    const now = new Date('2031-03-01T06:00:00Z');
    expect(waitlistRequestOf({ idPat: 'p', idSpesiality: '27', claim: 9 }, { organisation_oid: oid, time_zone: zone }, now)).toEqual({
      patientId: 'p',
      organisationOid: oid,
      specialtyCode: '27',
      preferredIntervals: [{ from: '2031-03-01T06:00:00.000Z', to: '2031-03-22T06:00:00.000Z' }],
    });
  });

  it('accepts only medbus patient ids as IdPat', () => {
    expect(isPatientId('6f1c0d52-8f0e-4c53-9a51-4f5e7d1f2a10')).toBe(true);
    expect(isPatientId('123456')).toBe(false);
    expect(isPatientId(undefined)).toBe(false);
  });
});

describe('GetPatientHistory', () => {
  it('lists booked appointments as visits, cancelled and replaced ones as refusals, and leaves out refused bookings', () => {
    expect(historyListOf('PENDING')).toBe('visit');
    expect(historyListOf('CONFIRMED')).toBe('visit');
    expect(historyListOf('CANCELLING')).toBe('refusal');
    expect(historyListOf('CANCELLED')).toBe('refusal');
    expect(historyListOf('RESCHEDULED')).toBe('refusal');
    expect(historyListOf('REJECTED')).toBeUndefined();
  });

  it('describes a visit by its slot id, clinic-local times, doctor and specialty', () => {
    const practitioner: PractitionerRow = {
      resource_id: `${oid}:doc-1`,
      display_name: 'Иванова А. П.',
      position_name: 'Врач-кардиолог',
      specialty_key: '27',
      specialty_nsi_code: '27',
      specialty_name: 'Кардиология',
    };
    expect(historyVisitOf(aView(), practitioner, zone)).toEqual({
      DateCreatedAppointment: '2031-02-20T12:45:12',
      DoctorRendingConsultation: { Comment: 'Врач-кардиолог', CountFreeParticipantIE: 0, CountFreeTicket: 0, IdDoc: `${oid}:doc-1`, Name: 'Иванова А. П.' },
      IdAppointment: `${oid}:100234`,
      SpecialityRendingConsultation: { CountFreeParticipantIE: 0, CountFreeTicket: 0, FerIdSpesiality: '27', IdSpesiality: '27', NameSpesiality: 'Кардиология' },
      VisitStart: '2031-03-03T09:00:00',
    });
    expect(historyVisitOf(aView(), undefined, zone)).toEqual({ DateCreatedAppointment: '2031-02-20T12:45:12', IdAppointment: `${oid}:100234`, VisitStart: '2031-03-03T09:00:00' });
  });
});

describe('idempotency of facade calls', () => {
  it('keys a mutating call by client, operation, idHistory and parameters, and only when idHistory is given', () => {
    const caller = { clientId: 'hub-client-1', role: 'HUB_CLIENT' as const, channel: 'CONTACT_CENTRE' as const };
    const key = idempotencyKeyOf(caller, 'SetAppointment', 12, 'p', 's1', undefined);
    expect(key).toMatch(/^hub-[0-9a-f]{64}$/);
    expect(idempotencyKeyOf(caller, 'SetAppointment', 12, 'p', 's1', undefined)).toBe(key);
    expect(idempotencyKeyOf(caller, 'SetAppointment', 13, 'p', 's1', undefined)).not.toBe(key);
    expect(idempotencyKeyOf(caller, 'SetAppointment', undefined, 'p', 's1')).toBeUndefined();
  });
});
