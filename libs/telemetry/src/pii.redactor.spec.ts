import { REDACTED, classifyKey } from './pii.patterns';
import { redact, redactEntry, redactSql, redactText } from './pii.redactor';

class AppErrorShapedError extends Error {
  readonly code = 'REGISTRY.PATIENT_NOT_FOUND';

  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'AppErrorShapedError';
  }
}

describe('redactText', () => {
  it.each([
    ['a СНИЛС with separators', 'snils 112-233-445 95 checked'],
    ['a СНИЛС as eleven digits', 'patient 11223344595 not found'],
    ['an ЕНП', 'policy 7755010834000123 expired'],
    ['an ЕНП in groups of four', 'policy 7755 0108 3400 0123 expired'],
    ['a phone with +7', 'call +7 916 123-45-67 back'],
    ['a phone with 8 and parentheses', 'call 8 (916) 123-45-67 back'],
    ['a phone without separators', 'call +79161234567 back'],
    ['an e-mail', 'notify ivanov.ii@mail.ru today'],
    ['an e-mail on a Cyrillic domain', 'notify иванов@почта.рф today'],
  ])('hides %s', (_kind, text) => {
    const redacted = redactText(text);

    expect(redacted).toContain(REDACTED);
    expect(redacted).not.toMatch(/\d{2}/);
    expect(redacted).not.toContain('@');
  });

  it.each([
    ['a specialty dictionary OID', 'dictionary 1.2.643.5.1.13.13.11.1066'],
    ['a department OID', 'clinic 1.2.643.5.1.13.13.12.2.78.8639.0.238289'],
    ['a slot id', 'slot 1.2.643.5.1.13.13.12.2.23.1234:777 taken'],
    ['a slot time', 'slot at 2026-03-02T08:00:00+03:00 for 15 min'],
    ['a UUID', 'event 3f2c1d9e-8123-4567-8901-123456789012 handled'],
    ['a trace id', 'trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7'],
    ['an epoch in milliseconds', 'at 1767225600000'],
    ['a Kafka offset and partition', 'mis.slot[3]@104857'],
    ['a database URL host', 'connecting to 127.0.0.1:5432'],
  ])('keeps %s', (_kind, text) => {
    expect(redactText(text)).toBe(text);
  });

  it('hides the values of sensitive query parameters and keeps the others', () => {
    expect(redactText('GET /v1/patients?lastName=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2&birthDate=1980-01-02&clinic=1.2.643.5.1.13.13.12.2.78.8639&from=2026-03-02')).toBe(
      `GET /v1/patients?lastName=${REDACTED}&birthDate=${REDACTED}&clinic=1.2.643.5.1.13.13.12.2.78.8639&from=2026-03-02`,
    );
    expect(redactText('http://x/v1/patients?phone=%2B79161234567&idPat=42')).toBe(`http://x/v1/patients?phone=${REDACTED}&idPat=42`);
  });

  it('hides patient elements of a SOAP payload', () => {
    const xml =
      '<pat><Surname>Иванов</Surname><SecondName>Иванович</SecondName><Birthday>1980-01-02</Birthday>' +
      '<Polis_N>7755010834000123</Polis_N><IdPat>42</IdPat></pat><idLpu>1234</idLpu>';

    expect(redactText(xml)).toBe(
      `<pat><Surname>${REDACTED}</Surname><SecondName>${REDACTED}</SecondName><Birthday>${REDACTED}</Birthday>` +
        `<Polis_N>${REDACTED}</Polis_N><IdPat>42</IdPat></pat><idLpu>1234</idLpu>`,
    );
  });

  it('redacts a JSON document held in a string by its keys', () => {
    const payload = JSON.stringify({ slotId: 's-1', patient: { id: 'p-1', surname: 'Иванов', birthDate: '1980-01-02' } });

    expect(JSON.parse(redactText(payload))).toEqual({ slotId: 's-1', patient: { id: 'p-1', surname: REDACTED, birthDate: REDACTED } });
  });
});

describe('redactSql', () => {
  it('drops every string literal and keeps the shape of the query', () => {
    expect(redactSql("select * from p where snils='11223344595' and name = 'O''Brien' and id = $1")).toBe(
      `select * from p where snils='${REDACTED}' and name = '${REDACTED}' and id = $1`,
    );
  });
});

describe('redact', () => {
  it('keeps only the identifiers of anything about a patient', () => {
    const booking = {
      slotId: '1.2.643.5.1.13.13.12.2.23.1234:777',
      visitStart: '2026-03-02T08:00:00+03:00',
      patient: { id: 'p-1', lastName: 'Иванов', name: 'Иван', age: 45, documents: [{ type: 'passport', number: '4510 123456' }] },
      patientId: 'p-1',
      namePat: 'Иванов И.И.',
      IdPat: '42',
    };

    expect(redact(booking)).toEqual({
      slotId: '1.2.643.5.1.13.13.12.2.23.1234:777',
      visitStart: '2026-03-02T08:00:00+03:00',
      patient: { id: 'p-1', lastName: REDACTED, name: REDACTED, age: REDACTED, documents: [{ type: REDACTED, number: REDACTED }] },
      patientId: 'p-1',
      namePat: REDACTED,
      IdPat: '42',
    });
  });

  it('hides personal fields wherever they are, by key', () => {
    expect(
      redact({
        Snils: '112-233-445 95',
        birthday: '1980-01-02',
        date_of_birth: '1980-01-02',
        CellPhone: '89161234567',
        email: 'a@b.ru',
        Polis_N: '7755010834000123',
        enp: '7755010834000123',
        surname: 'Иванов',
        authorization: 'Bearer eyJhbGciOi',
      }),
    ).toEqual({
      Snils: REDACTED,
      birthday: REDACTED,
      date_of_birth: REDACTED,
      CellPhone: REDACTED,
      email: REDACTED,
      Polis_N: REDACTED,
      enp: REDACTED,
      surname: REDACTED,
      authorization: REDACTED,
    });
  });

  it('keeps names that are not about a person and dates that are not birth dates', () => {
    const kept = {
      'service.name': 'booking',
      'messaging.destination.name': 'mis.slot',
      doctor: { Name: 'Петров П.П.', IdDoc: '7' },
      clinic: { name: 'ГП №3', oid: '1.2.643.5.1.13.13.12.2.78.8639' },
      slots: [{ visitStart: '2026-03-02T08:00:00+03:00', visitEnd: '2026-03-02T08:15:00+03:00' }],
      createdAt: new Date('2026-03-01T10:00:00Z'),
    };

    expect(redact(kept)).toEqual({ ...kept, createdAt: '2026-03-01T10:00:00.000Z' });
  });

  it('hides identifiers held as numbers', () => {
    expect(redact({ value: 11223344595, count: 3, at: 1767225600000 })).toEqual({ value: REDACTED, count: 3, at: 1767225600000 });
  });

  it('turns errors into plain objects with message, stack and cause redacted', () => {
    const error = new AppErrorShapedError('no patient with snils 112-233-445 95', {
      cause: new Error('lookup of +79161234567 failed'),
    });

    const redacted = redact(error);

    expect(redacted).toMatchObject({
      name: 'AppErrorShapedError',
      code: 'REGISTRY.PATIENT_NOT_FOUND',
      message: `no patient with snils ${REDACTED}`,
      cause: { name: 'Error', message: `lookup of ${REDACTED} failed` },
    });
    expect(JSON.stringify(redacted)).not.toMatch(/112-233-445|9161234567/);
    expect(JSON.stringify(redacted)).toContain('pii.redactor.spec.ts');
  });

  it('survives cycles and leaves the input untouched', () => {
    const input: Record<string, unknown> = { phone: '+79161234567' };
    input['self'] = input;

    expect(redact(input)).toEqual({ phone: REDACTED, self: '[Circular]' });
    expect(input['phone']).toBe('+79161234567');
  });

  it('does not mistake a shared object for a cycle', () => {
    const clinic = { oid: '1.2.643.5.1.13.13.12.2.78.8639' };

    expect(redact({ from: clinic, to: clinic })).toEqual({ from: clinic, to: clinic });
  });
});

describe('redactEntry', () => {
  it('lets the key decide: birth dates go, slot times stay', () => {
    expect(redactEntry('patient.birth_date', '1980-01-02')).toBe(REDACTED);
    expect(redactEntry('slot.start', '1980-01-02')).toBe('1980-01-02');
  });

  it('scrubs SQL held under db.statement and db.query.text', () => {
    expect(redactEntry('db.query.text', "select 1 from p where policy='7755010834000123'")).toBe(`select 1 from p where policy='${REDACTED}'`);
  });
});

describe('classifyKey', () => {
  it('reads camelCase, snake_case, dotted and acronym keys alike', () => {
    expect(classifyKey('patientENP').sensitive).toBe(true);
    expect(classifyKey('http.request.header.authorization').sensitive).toBe(true);
    expect(classifyKey('db.postgresql.values').sensitive).toBe(true);
    expect(classifyKey('IdPat')).toEqual({ sensitive: false, patient: true, identifier: true });
    expect(classifyKey('net.peer.name').sensitive).toBe(false);
    expect(classifyKey('ФИО').sensitive).toBe(true);
    expect(classifyKey('Дата_рождения').sensitive).toBe(true);
    expect(classifyKey('Пациент.Адрес')).toEqual({ sensitive: false, patient: true, identifier: false });
  });
});
