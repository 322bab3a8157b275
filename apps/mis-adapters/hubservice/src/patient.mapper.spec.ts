import { identifyRequestSchema } from '@medbus/identification';
import { toHubPatient } from './patient.mapper';

const organisationOid = '1.2.643.5.1.13.13.12.2.23.1037';

describe('HubService patient mapper', () => {
  it('reads a SNILS with any usual punctuation and sends it as XXX-XXX-XXX YY', () => {
    const request = identifyRequestSchema.parse({ organisationOid, snils: '112-233-445 95' });
    expect(request.snils).toBe('11223344595');
    expect(toHubPatient(request)).toEqual(expect.objectContaining({ Snils: '112-233-445 95' }));
  });

  it('maps the query onto the HubService Patient: first name as Name, patronymic as SecondName, birth date at midnight; sex is not sent', () => {
    const request = identifyRequestSchema.parse({
      organisationOid,
      policyNumber: '2300000000000001',
      surname: 'Орлова',
      firstName: 'Анна',
      patronymic: 'Павловна',
      birthDate: '1980-05-01',
      sex: 'FEMALE',
      phone: '+79180000000',
    });
    expect(toHubPatient(request)).toEqual({
      Birthday: '1980-05-01T00:00:00',
      CellPhone: '+79180000000',
      Name: 'Анна',
      Polis_N: '2300000000000001',
      SecondName: 'Павловна',
      Snils: undefined,
      Surname: 'Орлова',
    });
  });
});
