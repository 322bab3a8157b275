import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as soap from 'soap';
import { AppError } from '@medbus/errors';
import { ErNamespace, erOperations, erSoapActionOf } from './er-service.contract';
import { erServiceWsdl } from './er-service.wsdl';
import { decodeErRequest, encodeErResponse } from './er-soap.mapper';
import { ErFaultCode } from './federal-service.errors';

const maxBytes = 64 * 1024;

const envelope = (inner: string): string =>
  `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:er="${ErNamespace}"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;

function refusalOf(xml: string): { code: string; field?: unknown } {
  try {
    decodeErRequest(xml, maxBytes);
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, field: error.details?.['field'] };
    throw error;
  }
  throw new Error('decoded without a refusal');
}

describe('ErWebService requests as the decoder reads them', () => {
  it('decodes an operation with its parameters, nested ones included', () => {
    const xml = envelope(
      `<er:GetPatientInfo><er:Session_ID>sess-1</er:Session_ID><er:MO_OID>1.2.643.5.1</er:MO_OID>` +
        `<er:Patient><er:OMS_Number>1234567890123456</er:OMS_Number><er:Birth_Date>1980-02-29</er:Birth_Date></er:Patient></er:GetPatientInfo>`,
    );
    expect(decodeErRequest(xml, maxBytes)).toEqual({
      operation: 'GetPatientInfo',
      params: { Session_ID: 'sess-1', MO_OID: '1.2.643.5.1', Patient: { OMS_Number: '1234567890123456', Birth_Date: '1980-02-29' } },
    });
  });

  it('reads an empty optional element as absent and ignores elements the contract does not name', () => {
    const xml = envelope(`<GetMOInfoExtended xmlns="${ErNamespace}"><Session_ID>s</Session_ID><MO_OID/><Extra>x</Extra></GetMOInfoExtended>`);
    expect(decodeErRequest(xml, maxBytes)).toEqual({ operation: 'GetMOInfoExtended', params: { Session_ID: 's' } });
  });

  it.each([
    ['a missing Session_ID', `<er:GetMOInfoExtended/>`, ErFaultCode.missingElement, 'Session_ID'],
    ['an empty Session_ID', `<er:GetMOInfoExtended><er:Session_ID></er:Session_ID></er:GetMOInfoExtended>`, ErFaultCode.missingElement, 'Session_ID'],
    ['a Session_ID of 65 characters', `<er:GetMOInfoExtended><er:Session_ID>${'a'.repeat(65)}</er:Session_ID></er:GetMOInfoExtended>`, ErFaultCode.badValue, 'Session_ID'],
    ['a Session_ID with a space', `<er:GetMOInfoExtended><er:Session_ID>a b</er:Session_ID></er:GetMOInfoExtended>`, ErFaultCode.badValue, 'Session_ID'],
    ['an element where text belongs', `<er:GetMOInfoExtended><er:Session_ID><x>1</x></er:Session_ID></er:GetMOInfoExtended>`, ErFaultCode.badValue, 'Session_ID'],
    ['a repeated element', `<er:GetMOInfoExtended><er:Session_ID>a</er:Session_ID><er:Session_ID>b</er:Session_ID></er:GetMOInfoExtended>`, ErFaultCode.badValue, 'Session_ID'],
    [
      'a date that is no day',
      `<er:GetScheduleInfo><er:Session_ID>s</er:Session_ID><er:MO_OID>1.2</er:MO_OID><er:Resource_Id>1.2:r</er:Resource_Id><er:Start_Date>2031-02-30</er:Start_Date><er:End_Date>2031-03-01</er:End_Date></er:GetScheduleInfo>`,
      ErFaultCode.badValue,
      'Start_Date',
    ],
    [
      'a date-time where a date belongs',
      `<er:GetScheduleInfo><er:Session_ID>s</er:Session_ID><er:MO_OID>1.2</er:MO_OID><er:Resource_Id>1.2:r</er:Resource_Id><er:Start_Date>2031-03-01T00:00:00</er:Start_Date><er:End_Date>2031-03-01</er:End_Date></er:GetScheduleInfo>`,
      ErFaultCode.badValue,
      'Start_Date',
    ],
    [
      'a policy number of letters',
      `<er:GetPatientInfo><er:Session_ID>s</er:Session_ID><er:MO_OID>1.2</er:MO_OID><er:Patient><er:OMS_Number>abcd</er:OMS_Number></er:Patient></er:GetPatientInfo>`,
      ErFaultCode.badValue,
      'Patient/OMS_Number',
    ],
    [
      'a Slot_Id past 300 characters',
      `<er:CreateAppointment><er:Session_ID>s</er:Session_ID><er:MO_OID>1.2</er:MO_OID><er:Slot_Id>${'x'.repeat(301)}</er:Slot_Id><er:Patient_Id>p</er:Patient_Id></er:CreateAppointment>`,
      ErFaultCode.badValue,
      'Slot_Id',
    ],
    ['text where the patient element belongs', `<er:GetPatientInfo><er:Session_ID>s</er:Session_ID><er:MO_OID>1.2</er:MO_OID><er:Patient>Иванов</er:Patient></er:GetPatientInfo>`, ErFaultCode.badValue, 'Patient'],
    ['an unknown operation', `<er:DropAllTables><er:Session_ID>s</er:Session_ID></er:DropAllTables>`, ErFaultCode.unknownOperation, undefined],
    // The parser itself refuses names such as constructor and __proto__.
    ['an operation named after an Object property', `<er:constructor><er:Session_ID>s</er:Session_ID></er:constructor>`, ErFaultCode.malformed, undefined],
  ])('refuses %s', (_what, inner, code, field) => {
    expect(refusalOf(envelope(inner))).toEqual({ code, field });
  });

  it.each([
    ['a DOCTYPE', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]>${envelope('<er:GetMOInfoExtended><er:Session_ID>&x;</er:Session_ID></er:GetMOInfoExtended>').slice(38)}`, ErFaultCode.dtdForbidden],
    ['text that is not XML', 'hello', ErFaultCode.malformed],
    ['XML that is no envelope', '<a><b/></a>', ErFaultCode.malformed],
    ['a body past the limit', envelope(`<er:GetMOInfoExtended><er:Session_ID>s</er:Session_ID><er:Pad>${'x'.repeat(maxBytes)}</er:Pad></er:GetMOInfoExtended>`), ErFaultCode.bodyTooLarge],
  ])('lets the XML guard refuse %s', (_what, xml, code) => {
    expect(refusalOf(xml).code).toBe(code);
  });
});

describe('ErWebService responses as the encoder writes them', () => {
  it('writes elements in contract order, repeats lists, leaves out absent optional ones and escapes text', () => {
    const xml = encodeErResponse({
      operation: 'GetMOInfoExtended',
      result: {
        Status_Code: 'SUCCESS',
        MO_List: {
          MO: [
            { District_Name: 'Центр', District_Code: '1', MO_Short_Name: 'ГП <1>', MO_Name: 'Поликлиника & Co', MO_OID: '1.2' },
            { MO_OID: '1.3', MO_Name: 'Б\u0001', MO_Short_Name: 'Б', District_Code: '', District_Name: '' },
          ],
        },
      },
    });
    expect(xml).toContain(
      `<GetMOInfoExtendedResponse xmlns="${ErNamespace}"><Status_Code>SUCCESS</Status_Code><MO_List>` +
        `<MO><MO_OID>1.2</MO_OID><MO_Name>Поликлиника &amp; Co</MO_Name><MO_Short_Name>ГП &lt;1&gt;</MO_Short_Name><District_Code>1</District_Code><District_Name>Центр</District_Name></MO>` +
        `<MO><MO_OID>1.3</MO_OID><MO_Name>Б</MO_Name><MO_Short_Name>Б</MO_Short_Name><District_Code></District_Code><District_Name></District_Name></MO>` +
        `</MO_List></GetMOInfoExtendedResponse>`,
    );
  });

  it('refuses to write a response that lacks a required element (our bug, never a half answer)', () => {
    expect(() => encodeErResponse({ operation: 'CreateAppointment', result: { Status_Code: 'SUCCESS' } as never })).toThrow('Slot_Id is required');
  });
});

describe('the ErWebService WSDL', () => {
  it('builds a SOAP client with every operation and its SOAPAction, and round-trips a request through the decoder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'er-wsdl-'));
    const file = join(dir, 'er.wsdl');
    writeFileSync(file, erServiceWsdl('http://127.0.0.1:1/er/v2_0/ErWebService'));
    const client = await soap.createClientAsync(file);
    const description = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
    expect(Object.keys(description['ErWebService']['ErWebServiceSoap']).sort()).toEqual([...erOperations].sort());

    let sent: { xml: string; action: string } | undefined;
    client.setEndpoint('http://127.0.0.1:1/er/v2_0/ErWebService');
    (client as unknown as { httpClient: { request: (...args: unknown[]) => void } }).httpClient.request = (_url, data, callback, headers) => {
      sent = { xml: String(data), action: String((headers as Record<string, string>)['SOAPAction']) };
      (callback as (error: Error) => void)(new Error('not sent'));
    };
    await client['CreateAppointmentAsync']({ Session_ID: 's-1', MO_OID: '1.2', Slot_Id: '1.2:S-1', Patient_Id: 'p-1' }).catch(() => undefined);
    expect(sent?.action).toBe(`"${erSoapActionOf('CreateAppointment')}"`);
    expect(decodeErRequest(sent?.xml ?? '', maxBytes)).toEqual({ operation: 'CreateAppointment', params: { Session_ID: 's-1', MO_OID: '1.2', Slot_Id: '1.2:S-1', Patient_Id: 'p-1' } });
  });
});
