import { identifyRequestSchema, type IdentifyQuery } from '@medbus/identification';
import { recorded } from './__fixtures__/recorded';
import { pageSchema, patientSchema } from './medrest-response.mapper';
import { chosenPatient, toRegisterBody, toSearchBody } from './patient.mapper';

const organisationOid = '1.2.643.5.1.13.13.12.2.823.1037';
const request = (query: Omit<IdentifyQuery, 'organisationOid'>) => identifyRequestSchema.parse({ organisationOid, ...query });

describe('patient mapping for MedREST identification', () => {
  const [anna] = recorded('patients-search.one.json', pageSchema(patientSchema)).data;

  it('searches by the strongest identifier given only: policy number, then SNILS, then name and birth date', () => {
    const all = { policyNumber: '2300000000000001', snils: '11223344595', surname: 'Орлова', firstName: 'Анна', birthDate: '1980-05-01' };
    expect(toSearchBody('fac-1', request(all))).toEqual({ facility_id: 'fac-1', policy_number: '2300000000000001' });
    expect(toSearchBody('fac-1', request({ ...all, policyNumber: undefined }))).toEqual({ facility_id: 'fac-1', snils: '112-233-445 95' });
    expect(toSearchBody('fac-1', request({ surname: 'Орлова', firstName: 'Анна', birthDate: '1980-05-01' }))).toEqual({
      facility_id: 'fac-1',
      family_name: 'Орлова',
      given_name: 'Анна',
      birth_date: '1980-05-01',
    });
  });

  it('registers with what was given, the sex in the MIS’s words and the phone as digits', () => {
    expect(toRegisterBody('fac-1', request({ surname: 'Новикова', firstName: 'Елена', patronymic: 'Сергеевна', birthDate: '1979-02-03', sex: 'FEMALE', phone: '+7 (918) 000-00-01', register: true }))).toEqual({
      facility_id: 'fac-1',
      family_name: 'Новикова',
      given_name: 'Елена',
      middle_name: 'Сергеевна',
      birth_date: '1979-02-03',
      sex: 'female',
      phone: '+79180000001',
    });
  });

  it('leaves out a phone the MIS would refuse rather than refusing the patient', () => {
    expect(toRegisterBody('fac-1', request({ surname: 'Новикова', firstName: 'Елена', birthDate: '1979-02-03', phone: '12-34', register: true }))).not.toHaveProperty('phone');
  });

  it('takes the one patient the MIS found', () => {
    expect(anna.attached).toBe(true);
    expect(chosenPatient([anna], request({ policyNumber: '2300000000000001' }))).toBe(anna);
  });

  it('chooses among namesakes the one who agrees with everything given, and none when two do', () => {
    const namesake = { ...anna, id: 'pat-1-P1-9', policy_number: '2300000000000009', snils: null };
    const byName = { surname: 'орлова', firstName: 'АННА', birthDate: '1980-05-01' };
    expect(chosenPatient([anna, namesake], request({ ...byName, policyNumber: '2300000000000009' }))?.id).toBe('pat-1-P1-9');
    expect(chosenPatient([anna, namesake], request({ ...byName, snils: '112-233-445 95' }))?.id).toBe(anna.id);
    expect(chosenPatient([anna, namesake], request(byName))).toBeUndefined();
  });
});
