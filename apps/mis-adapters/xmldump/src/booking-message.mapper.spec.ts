import { XMLParser } from 'fast-xml-parser';
import { recorded } from './__fixtures__/recorded';
import { bookMessage, cancelMessage, decodeAnswer, findPatientMessage, patientVisitsMessage, registerPatientMessage } from './booking-message.mapper';

const maxBytes = 64 * 1024;
const oid = '1.2.643.5.1.13.13.12.2.923.1037';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false });

describe('booking messages to the vendor', () => {
  it('looks a patient up by the strongest identifier given: the policy, else the SNILS, else name and birth date', () => {
    const person = { organisationOid: oid, surname: 'Тестов', firstName: 'Иван', birthDate: '1985-03-15' };
    expect(parser.parse(findPatientMessage('1', { ...person, policyNumber: '2300000000000101', snils: '11223344595' }).xml)).toMatchObject({
      FindPatient: { '@xmlns': 'urn:xmldump:booking:1', '@clinic': '1', Policy: '2300000000000101' },
    });
    expect(parser.parse(findPatientMessage('1', { ...person, snils: '11223344595' }).xml).FindPatient).toEqual({
      '@xmlns': 'urn:xmldump:booking:1',
      '@clinic': '1',
      Snils: '112-233-445 95',
    });
    expect(parser.parse(findPatientMessage('1', person).xml).FindPatient).toEqual({
      '@xmlns': 'urn:xmldump:booking:1',
      '@clinic': '1',
      Surname: 'Тестов',
      FirstName: 'Иван',
      BirthDate: '1985-03-15',
    });
  });

  it('escapes what a caller typed, so a name cannot add elements or attributes to the message', () => {
    const { xml } = registerPatientMessage('1', { organisationOid: oid, surname: 'О’Нил</Surname><Policy>1</Policy>', firstName: 'A&B "C"', birthDate: '1990-01-02' });
    const parsed = parser.parse(xml).RegisterPatient as Record<string, unknown>;
    expect(parsed.Surname).toBe('О’Нил</Surname><Policy>1</Policy>');
    expect(parsed.Policy).toBeUndefined();
    expect(xml).toContain('<FirstName>A&amp;B &quot;C&quot;</FirstName>');
  });

  it('registers with the vendor’s sex code and a phone whose spacing it takes', () => {
    const { xml } = registerPatientMessage('2', { organisationOid: oid, surname: 'Новикова', firstName: 'Ольга', birthDate: '1990-01-02', sex: 'FEMALE', phone: '+7 900\t123-45-67' });
    expect(parser.parse(xml).RegisterPatient).toMatchObject({ '@clinic': '2', Sex: '2', Phone: '+7 900 123-45-67' });
  });

  it('books, moves, cancels and asks for visits with attributes only', () => {
    expect(parser.parse(bookMessage('1', 'D0101-202612010900', 'P1-41', null).xml).Book).toEqual({ '@xmlns': 'urn:xmldump:booking:1', '@clinic': '1', '@ticket': 'D0101-202612010900', '@patient': 'P1-41' });
    expect(parser.parse(bookMessage('1', 'T2', 'P1-41', 'T1').xml).Book).toMatchObject({ '@replaces': 'T1' });
    expect(parser.parse(cancelMessage('1', 'T1', 'P1-41').xml).Cancel).toMatchObject({ '@ticket': 'T1', '@patient': 'P1-41' });
    expect(parser.parse(patientVisitsMessage('1', 'P1-41').xml).PatientVisits).toMatchObject({ '@patient': 'P1-41' });
  });
});

describe('the vendor’s answers, recorded', () => {
  it('reads found patients, none, a registration, a booking, a cancellation and visits', () => {
    expect(decodeAnswer('FindPatient', recorded('find-patient-two.response.xml'), maxBytes)).toEqual({ status: 'ok', patients: ['P1-41', 'P1-42'] });
    expect(decodeAnswer('FindPatient', recorded('find-patient-none.response.xml'), maxBytes)).toEqual({ status: 'ok', patients: [] });
    expect(decodeAnswer('RegisterPatient', recorded('register-patient.response.xml'), maxBytes)).toEqual({ status: 'ok', patient: 'P1-43' });
    expect(decodeAnswer('Book', recorded('book-ok.response.xml'), maxBytes)).toEqual({ status: 'ok', ticket: 'D0101-202612010900' });
    expect(decodeAnswer('Cancel', recorded('cancel-ok.response.xml'), maxBytes)).toEqual({ status: 'ok' });
    expect(decodeAnswer('PatientVisits', recorded('patient-visits.response.xml'), maxBytes)).toEqual({
      status: 'ok',
      visits: [
        { ticket: 'D0101-202612010840', state: 'cancelled' },
        { ticket: 'D0101-202612010900', state: 'active' },
      ],
    });
  });

  it('reads a refusal with the vendor’s code and wording, and the <Error> of a request it did not take', () => {
    expect(decodeAnswer('Book', recorded('book-ticket-busy.response.xml'), maxBytes)).toEqual({ status: 'error', code: 'TICKET_BUSY', text: 'Талон уже занят' });
    expect(decodeAnswer('Cancel', recorded('cancel-not-booked.response.xml'), maxBytes)).toMatchObject({ status: 'error', code: 'NOT_BOOKED' });
    expect(decodeAnswer('Book', recorded('bad-request.response.xml'), maxBytes)).toEqual({ status: 'error', code: 'BAD_REQUEST', text: 'Book: ticket: expected an identifier' });
  });

  it.each([
    ['hostile-entity-expansion.response.xml', 'dtd'],
    ['hostile-broken-xml.response.xml', 'malformed'],
  ])('refuses %s before parsing it (%s)', (file, reason) => {
    expect(() => decodeAnswer('FindPatient', recorded(file), maxBytes)).toThrow(expect.objectContaining({ code: 'MIS.RESPONSE_REJECTED', reason }));
  });

  it('refuses an answer too large, one to another message, and one whose values are not of their type', () => {
    expect(() => decodeAnswer('Book', recorded('book-ok.response.xml'), 50)).toThrow(expect.objectContaining({ reason: 'too_large' }));
    expect(() => decodeAnswer('Cancel', recorded('book-ok.response.xml'), maxBytes)).toThrow(expect.objectContaining({ reason: 'invalid_shape' }));
    const wrongId = recorded('book-ok.response.xml').toString('utf8').replace('ticket="D0101-202612010900"', 'ticket="D0101 &lt;x&gt;"');
    expect(() => decodeAnswer('Book', wrongId, maxBytes)).toThrow(expect.objectContaining({ reason: 'invalid_shape' }));
    const unknownState = recorded('patient-visits.response.xml').toString('utf8').replace('state="active"', 'state="maybe"');
    expect(() => decodeAnswer('PatientVisits', unknownState, maxBytes)).toThrow(expect.objectContaining({ reason: 'invalid_shape' }));
  });
});
