import { XMLParser } from 'fast-xml-parser';
import { SafeXmlCode } from '@medbus/hubservice';
import { badBookingRequest, BookingCode, decodeBookingRequest, encodeBookingAnswer, encodeRequestError, RequestErrorCode } from './booking.codec';

const ns = 'urn:xmldump:booking:1';
const max = 16 * 1024;

function codeOf(body: string): string | undefined {
  try {
    decodeBookingRequest(body, max);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('decodeBookingRequest', () => {
  it('decodes a booking with the vendor namespace as default, with or without a ticket it replaces', () => {
    expect(decodeBookingRequest(`<Book xmlns="${ns}" clinic="17" ticket="D1703-202611300800" patient="P17-5"/>`, max)).toEqual({
      message: 'Book',
      clinic: 17,
      ticket: 'D1703-202611300800',
      patient: 'P17-5',
    });
    expect(decodeBookingRequest(`<?xml version="1.0" encoding="UTF-8"?>\n<Book xmlns="${ns}" clinic="17" ticket="T-2" patient="P17-5" replaces="T-1"/>`, max)).toMatchObject({
      replaces: 'T-1',
    });
  });

  it('decodes a prefixed FindPatient by policy and one by name and birth date, entities resolved', () => {
    expect(decodeBookingRequest(`<b:FindPatient xmlns:b="${ns}" clinic="3"><b:Policy>2300000000000001</b:Policy></b:FindPatient>`, max)).toEqual({
      message: 'FindPatient',
      clinic: 3,
      Policy: '2300000000000001',
    });
    expect(
      decodeBookingRequest(
        `<FindPatient xmlns="${ns}" clinic="3"><Surname>Орлова-&amp;-Белова</Surname><FirstName>Анна</FirstName><Patronymic/><BirthDate>1985-03-15</BirthDate></FindPatient>`.replace('<Patronymic/>', ''),
        max,
      ),
    ).toEqual({ message: 'FindPatient', clinic: 3, Surname: 'Орлова-&-Белова', FirstName: 'Анна', BirthDate: '1985-03-15' });
  });

  it('decodes RegisterPatient with its sex as the NSI code, Cancel and PatientVisits', () => {
    expect(
      decodeBookingRequest(
        `<RegisterPatient xmlns="${ns}" clinic="1"><Surname>Тестова</Surname><FirstName>Анна</FirstName><BirthDate>1990-01-02</BirthDate><Sex>2</Sex><Policy>2399000000000001</Policy><Phone>+79000000001</Phone></RegisterPatient>`,
        max,
      ),
    ).toMatchObject({ message: 'RegisterPatient', clinic: 1, Sex: '2', Policy: '2399000000000001' });
    expect(decodeBookingRequest(`<Cancel xmlns="${ns}" clinic="1" ticket="T-1" patient="P1-1"/>`, max)).toEqual({ message: 'Cancel', clinic: 1, ticket: 'T-1', patient: 'P1-1' });
    expect(decodeBookingRequest(`<PatientVisits xmlns="${ns}" clinic="1" patient="P1-1"/>`, max)).toEqual({ message: 'PatientVisits', clinic: 1, patient: 'P1-1' });
  });

  it('refuses a document type, an undeclared entity, a body that is not well-formed and one over the limit before parsing', () => {
    expect(codeOf(`<Book xmlns="${ns}" clinic="1" ticket="t" patient="p">`)).toBe(SafeXmlCode.malformed);
    expect(codeOf(`<!DOCTYPE x [<!ENTITY a "b">]><Book xmlns="${ns}" clinic="1" ticket="&a;" patient="p"/>`)).toBe(SafeXmlCode.dtdForbidden);
    expect(codeOf(`<Book xmlns="${ns}" clinic="1" ticket="&xxe;" patient="p"/>`)).toBe(SafeXmlCode.malformed);
    expect(codeOf(`<Book xmlns="${ns}" clinic="1" ticket="t" patient="p">${' '.repeat(max)}</Book>`)).toBe(SafeXmlCode.bodyTooLarge);
  });

  it.each([
    ['another namespace', `<Book xmlns="urn:other" clinic="1" ticket="t" patient="p"/>`],
    ['no namespace', `<Book clinic="1" ticket="t" patient="p"/>`],
    ['an unknown message', `<Pay xmlns="${ns}" clinic="1"/>`],
    ['a missing attribute', `<Book xmlns="${ns}" clinic="1" ticket="t"/>`],
    ['an unknown attribute', `<Book xmlns="${ns}" clinic="1" ticket="t" patient="p" force="yes"/>`],
    ['a clinic that is not a number', `<Book xmlns="${ns}" clinic="x" ticket="t" patient="p"/>`],
    ['a repeated child', `<FindPatient xmlns="${ns}" clinic="1"><Policy>1</Policy><Policy>2</Policy></FindPatient>`],
    ['a child with children', `<FindPatient xmlns="${ns}" clinic="1"><Policy><X>1</X></Policy></FindPatient>`],
    ['a search without identifier', `<FindPatient xmlns="${ns}" clinic="1"><Surname>Орлов</Surname></FindPatient>`],
    ['a sex outside the NSI codes', `<RegisterPatient xmlns="${ns}" clinic="1"><Surname>А</Surname><FirstName>Б</FirstName><BirthDate>1990-01-02</BirthDate><Sex>M</Sex></RegisterPatient>`],
    ['a prototype-polluting name', `<__proto__ xmlns="${ns}" clinic="1"/>`],
  ])('refuses %s as a bad request', (_, body) => {
    expect(codeOf(body)).toBe(badBookingRequest);
  });
});

describe('encodeBookingAnswer', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['Patient', 'Visit'].includes(name) });

  it('encodes results in the booking namespace', () => {
    expect(parser.parse(encodeBookingAnswer({ message: 'FindPatient', status: 'ok', patients: ['P1-1', 'P1-2'] }))).toMatchObject({
      FindPatientResult: { xmlns: ns, status: 'ok', Patient: [{ id: 'P1-1' }, { id: 'P1-2' }] },
    });
    expect(parser.parse(encodeBookingAnswer({ message: 'Book', status: 'ok', ticket: 'D0101-202611300800' }))).toMatchObject({
      BookResult: { status: 'ok', ticket: 'D0101-202611300800' },
    });
    expect(parser.parse(encodeBookingAnswer({ message: 'PatientVisits', status: 'ok', visits: [{ ticket: 'T-1', state: 'cancelled' }] }))).toMatchObject({
      PatientVisitsResult: { status: 'ok', Visit: [{ ticket: 'T-1', state: 'cancelled' }] },
    });
    expect(parser.parse(encodeBookingAnswer({ message: 'FindPatient', status: 'ok', patients: [] }))).toMatchObject({ FindPatientResult: { status: 'ok' } });
  });

  it('encodes a refusal with its code and an escaped message', () => {
    const xml = encodeBookingAnswer({ message: 'Cancel', status: 'error', code: BookingCode.notBooked, text: 'a < b & c' });
    expect(parser.parse(xml)).toMatchObject({ CancelResult: { status: 'error', code: 'NOT_BOOKED', Message: 'a < b & c' } });
    expect(parser.parse(encodeRequestError(RequestErrorCode.badRequest, '<x>'))).toMatchObject({ Error: { code: 'BAD_REQUEST', Message: '<x>' } });
  });
});
