import { assertIdentifies, identifyRequestSchema, patientQuerySchema } from './identification.contract';

const organisationOid = '1.2.643.5.1.13.13.12.2.23.1037';

describe('the identification contract', () => {
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

  it('is the same query for the booking service and the adapters: a query booking accepts is one every adapter reads', () => {
    const query = { organisationOid, snils: '112-233-445 95', phone: '+7 (918) 000-00-00' };
    expect(patientQuerySchema.parse(query)).toEqual(identifyRequestSchema.parse(query));
    expect(patientQuerySchema.safeParse({ ...query, register: true }).success).toBe(false);
  });
});
