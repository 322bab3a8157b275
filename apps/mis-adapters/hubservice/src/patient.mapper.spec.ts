import { assertIdentifies, identifyRequestSchema, toHubPatient } from './patient.mapper';

const organisationOid = '1.2.643.5.1.13.13.12.2.23.1037';

describe('patient identification mapper', () => {
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

  it.each([
    [{ policyNumber: 2300000000000001 }, 'policyNumber'],
    [{ policyNumber: '230000000000000' }, 'policyNumber'],
    [{ snils: '112-233-445 00' }, 'snils'],
    [{ birthDate: '1980-02-30', surname: 'А', firstName: 'Б' }, 'birthDate'],
    [{ register: 'yes' }, 'register'],
    [{ sex: 'F' }, 'sex'],
    [{ nickname: 'x' }, ''],
  ])('refuses %j as a bad request naming %s', (fields, field) => {
    const result = identifyRequestSchema.safeParse({ organisationOid, ...fields });
    expect(result.success).toBe(false);
    if (!result.success && field) expect(result.error.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  it('needs a policy number, a SNILS, or surname + first name + birth date, and all three to register', () => {
    const parse = (fields: object) => identifyRequestSchema.parse({ organisationOid, ...fields });
    expect(() => assertIdentifies(parse({ surname: 'Орлова', firstName: 'Анна' }), '2026-11-24')).toThrow(expect.objectContaining({ code: 'PATIENT.QUERY_INVALID' }));
    expect(() => assertIdentifies(parse({ policyNumber: '2300000000000001', register: true }), '2026-11-24')).toThrow(expect.objectContaining({ code: 'PATIENT.QUERY_INVALID' }));
    expect(() => assertIdentifies(parse({ surname: 'Орлова', firstName: 'Анна', birthDate: '2027-01-01' }), '2026-11-24')).toThrow(/future/);
    expect(() => assertIdentifies(parse({ snils: '11223344595' }), '2026-11-24')).not.toThrow();
    expect(() => assertIdentifies(parse({ surname: 'Орлова', firstName: 'Анна', birthDate: '1980-05-01', register: true }), '2026-11-24')).not.toThrow();
  });
});
