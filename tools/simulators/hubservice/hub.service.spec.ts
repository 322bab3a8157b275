import { HubErrorCode, type DecodedRequest } from '@medbus/hubservice';
import { HubService, toClinicLocal, windowOf } from './hub.service';
import { generateRegion } from '../clinic/region.generator';
import { ScheduleState } from '../clinic/schedule.state';

const guid = 'g-1';

function aHub(): { hub: HubService; state: ScheduleState } {
  const region = generateRegion({ seed: 3, organisations: 2, doctorsPerOrg: 2, notifyShare: 0 });
  const state = new ScheduleState(region, { seed: 3, startDate: '2026-11-23', horizonDays: 7, initialBookedShare: 0 });
  return { hub: new HubService(state, new Set([guid])), state };
}

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

describe('HubService (simulated MIS)', () => {
  it('refuses a caller whose guid it does not know, before anything else', () => {
    const { hub } = aHub();
    expect(() => hub.handle({ operation: 'GetDistrictList', params: { guid: 'stolen' } })).toThrow(expect.objectContaining({ code: 'HUB.ACCESS_DENIED' }));
    expect(() => hub.handle({ operation: 'GetDistrictList', params: {} })).toThrow(expect.objectContaining({ code: 'HUB.ACCESS_DENIED' }));
  });

  it('echoes idHistory and filters clinics by district', () => {
    const { hub, state } = aHub();
    const answer = hub.handle({ operation: 'GetLPUList', params: { guid, idHistory: 5, idDistrict: 1 } });
    expect(answer.result).toMatchObject({ Success: true, IdHistory: 5 });
    const ids = answer.operation === 'GetLPUList' ? (answer.result.ListLPU ?? []).map((c) => c.IdLPU) : [];
    expect(ids).toEqual(state.region.organisations.filter((o) => o.idDistrict === 1).map((o) => o.idLpu));
  });

  it('answers free slots of a window, a bare end date meaning the whole day', () => {
    const { hub, state } = aHub();
    const doctor = defined(state.region.doctors[0]);
    const request: DecodedRequest = {
      operation: 'GetAvaibleAppointments',
      params: { guid, idLpu: doctor.idLpu, idDoc: doctor.idDoc, visitStart: '2026-11-24T00:00:00', visitEnd: '2026-11-24T00:00:00' },
    };
    const answer = hub.handle(request);
    const starts = answer.operation === 'GetAvaibleAppointments' ? (answer.result.ListAppointments ?? []).map((a) => a.VisitStart) : [];
    expect(starts.length).toBeGreaterThan(0);
    expect(starts.every((s) => s.startsWith('2026-11-24T'))).toBe(true);
  });

  it('reports a sick day in GetWorkingTime and has no dates for it', () => {
    const { hub, state } = aHub();
    const doctor = defined(state.region.doctors[0]);
    state.sickDay(doctor.idLpu, doctor.idDoc, '2026-11-25');
    const params = { guid, idLpu: doctor.idLpu, idDoc: doctor.idDoc, visitStart: '2026-11-25T00:00:00', visitEnd: '2026-11-25T00:00:00' };
    const working = hub.handle({ operation: 'GetWorkingTime', params });
    expect(working.result).toMatchObject({ WorkingTimeList: [{ RecordableDay: false, DenyCause: 'Больничный лист' }] });
    expect(hub.handle({ operation: 'GetAvailableDates', params }).result).toMatchObject({ AvailableDateList: [] });
  });

  it('lists a doctor with the SNILS the MIS holds now: changed, or taken away', () => {
    const { hub, state } = aHub();
    const doctor = defined(state.region.doctors[0]);
    const snilsOf = (): string | undefined => {
      const answer = hub.handle({ operation: 'GetDoctorList', params: { guid, idLpu: doctor.idLpu, idSpesiality: doctor.specialtyCode } });
      return answer.operation === 'GetDoctorList' ? (answer.result.Docs ?? []).find((d) => d.IdDoc === doctor.idDoc)?.Snils : undefined;
    };
    expect(snilsOf()).toBe(doctor.snils);
    state.setDoctorSnils(doctor.idLpu, doctor.idDoc, '11223344595');
    expect(snilsOf()).toBe('112-233-445 95');
    state.setDoctorSnils(doctor.idLpu, doctor.idDoc, null);
    expect(snilsOf()).toBeUndefined();
    expect(state.setDoctorSnils(doctor.idLpu, 'D9999', null)).toBeUndefined();
  });

  it('answers an unknown doctor with 305 and an unknown organisation with a client error', () => {
    const { hub } = aHub();
    expect(hub.handle({ operation: 'GetAvailableDates', params: { guid, idLpu: 1, idDoc: 'D9999' } }).result).toMatchObject({
      Success: false,
      ErrorList: [{ IdError: HubErrorCode.NoScheduleOnDate }],
    });
    expect(() => hub.handle({ operation: 'GetSpesialityList', params: { guid, idLpu: 77 } })).toThrow(expect.objectContaining({ code: 'HUB.UNKNOWN_LPU' }));
  });

  it('leaves FerIdSpesiality empty for the local specialty without an NSI mapping', () => {
    const { hub } = aHub();
    const answer = hub.handle({ operation: 'GetSpesialityList', params: { guid, idLpu: 1 } });
    const prof = answer.operation === 'GetSpesialityList' ? answer.result.ListSpesiality?.find((s) => s.IdSpesiality === 'PROF') : undefined;
    expect(prof).toMatchObject({ IdSpesiality: 'PROF' });
    expect(prof?.FerIdSpesiality).toBeUndefined();
  });
});

describe('clinic-local time', () => {
  it('keeps local times as they are and converts times with an offset to the clinic zone', () => {
    expect(toClinicLocal('2026-11-24T08:00', 'Europe/Moscow')).toBe('2026-11-24T08:00:00');
    expect(toClinicLocal('2026-11-24T08:00:00.000', 'Europe/Moscow')).toBe('2026-11-24T08:00:00');
    expect(toClinicLocal('2026-11-24T05:00:00Z', 'Europe/Moscow')).toBe('2026-11-24T08:00:00');
    expect(toClinicLocal('2026-11-24T08:00:00+03:00', 'Asia/Yekaterinburg')).toBe('2026-11-24T10:00:00');
    expect(windowOf('Europe/Moscow', '2026-11-24T00:00:00', '2026-11-26T00:00:00')).toEqual({ from: '2026-11-24T00:00:00', to: '2026-11-26T23:59:59' });
  });
});
