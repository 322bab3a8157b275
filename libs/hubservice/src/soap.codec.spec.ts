import { ValidationError } from '@medbus/errors';
import { HubErrorCode, hubErrorName, hubFailure } from './hubservice.errors';
import { SafeXmlCode } from './safe-xml.guard';
import { decodeFacadeSoapRequest, decodeSoapRequest, decodeSoapResponse, encodeSoapFault, encodeSoapRequest, encodeSoapResponse, peekSoapGuid, SoapFaultError } from './soap.codec';

describe('SOAP codec', () => {
  it('writes a result as WCF does: base members first, alphabetical, absent values nil', () => {
    const xml = encodeSoapResponse('GetLPUList', {
      Success: true,
      IdHistory: 7,
      ListLPU: [{ IdLPU: 3, IsActive: true, LPUType: 1, Oid: '1.2.643.5.1.13.13.12.2.23.1111', LPUShortName: 'ГП № 3 & Co' }],
    });

    expect(xml).toContain('<GetLPUListResponse xmlns="http://tempuri.org/"><GetLPUListResult xmlns:a="http://schemas.datacontract.org/2004/07/HubService2"');
    expect(xml).toContain(
      '<a:ErrorList i:nil="true"/><a:IdHistory>7</a:IdHistory><a:Success>true</a:Success><a:ListLPU><a:Clinic><a:Description i:nil="true"/><a:District i:nil="true"/><a:IdLPU>3</a:IdLPU><a:IsActive>true</a:IsActive>',
    );
    expect(xml).toContain('<a:LPUShortName>ГП № 3 &amp; Co</a:LPUShortName>');
  });

  it('reads back what it writes, lists of one included', () => {
    const result = { Success: true, ListAppointments: [{ IdAppointment: 'D0101-202611240800', Num: 1, Version: 42, VisitStart: '2026-11-24T08:00:00', VisitEnd: '2026-11-24T08:15:00' }] };
    expect(decodeSoapResponse('GetAvaibleAppointments', encodeSoapResponse('GetAvaibleAppointments', result))).toEqual(result);
    const dates = { Success: true, AvailableDateList: ['2026-11-24T00:00:00'] };
    expect(decodeSoapResponse('GetAvailableDates', encodeSoapResponse('GetAvailableDates', dates))).toEqual(dates);
  });

  it('reads an error list and keeps the code for the caller', () => {
    const decoded = decodeSoapResponse('SetAppointment', encodeSoapResponse('SetAppointment', hubFailure(HubErrorCode.SlotTaken, 9)));
    expect(decoded).toEqual({ Success: false, IdHistory: 9, ErrorList: [{ IdError: 308, ErrorDescription: 'Талон уже занят' }] });
    expect(hubErrorName(308)).toBe('SlotTaken');
  });

  it('decodes a request with a nested Patient, whatever the prefixes', () => {
    const xml = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tem="http://tempuri.org/" xmlns:hub="http://schemas.datacontract.org/2004/07/HubService2"><soapenv:Body><tem:CheckPatient><tem:pat><hub:Birthday>1980-05-01T00:00:00</hub:Birthday><hub:Name>Анна</hub:Name><hub:Surname>Орлова</hub:Surname></tem:pat><tem:idLpu>3</tem:idLpu><tem:guid>g</tem:guid><tem:idHistory xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/></tem:CheckPatient></soapenv:Body></soapenv:Envelope>`;
    expect(decodeSoapRequest(xml)).toEqual({
      operation: 'CheckPatient',
      params: { pat: { Birthday: '1980-05-01T00:00:00', Name: 'Анна', Surname: 'Орлова' }, idLpu: 3, guid: 'g' },
    });
  });

  it('round-trips every request it encodes', () => {
    const params = { idAppointment: 'D0101-202611240800', idLpu: 1, idPat: 'P1-1', idAppointmentPrev: 'D0101-202611240815', guid: 'g', idHistory: 1 };
    expect(decodeSoapRequest(encodeSoapRequest('SetAppointment', params))).toEqual({ operation: 'SetAppointment', params });
  });

  it.each([
    ['an int that is not a number', '<idLpu>one</idLpu>'],
    ['an int beyond 32 bits', '<idLpu>99999999999</idLpu>'],
    ['a date that is not xs:dateTime', '<idLpu>1</idLpu><visitStart>24.11.2026</visitStart>'],
    ['a repeated scalar', '<idLpu>1</idLpu><idLpu>2</idLpu>'],
  ])('refuses %s with SOAP.BAD_VALUE', (_name, children) => {
    const xml = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetAvailableDates xmlns="http://tempuri.org/">${children}</GetAvailableDates></s:Body></s:Envelope>`;
    expect(() => decodeSoapRequest(xml)).toThrow(expect.objectContaining({ code: 'SOAP.BAD_VALUE' }));
  });

  it('refuses an unknown operation and a body that is not an envelope', () => {
    expect(() => decodeSoapRequest('<s:Envelope xmlns:s="x"><s:Body><DropTables/></s:Body></s:Envelope>')).toThrow(expect.objectContaining({ code: 'SOAP.UNKNOWN_OPERATION' }));
    expect(() => decodeSoapRequest('<html><body/></html>')).toThrow(ValidationError);
  });

  it('turns a fault into a SoapFaultError with its code and reason', () => {
    expect(() => decodeSoapResponse('GetDistrictList', encodeSoapFault('Client', 'Доступ запрещён'))).toThrow(
      expect.objectContaining({ code: 'SOAP.FAULT', faultCode: 'Client', faultString: 'Доступ запрещён' }),
    );
    expect(() => decodeSoapResponse('GetDistrictList', encodeSoapFault('Server', 'x'))).toThrow(SoapFaultError);
  });

  it('refuses a response with wrong types rather than guessing', () => {
    const xml = encodeSoapResponse('GetDistrictList', { Success: true, Districts: [{ IdDistrict: 1 }] }).replace('<a:Success>true', '<a:Success>maybe');
    expect(() => decodeSoapResponse('GetDistrictList', xml)).toThrow(expect.objectContaining({ code: 'SOAP.BAD_VALUE' }));
  });
});

describe('peekSoapGuid', () => {
  const request = (guid: string) =>
    `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><tem:GetLPUList xmlns:tem="http://tempuri.org/"><tem:guid xmlns:x="y"> ${guid} </tem:guid><tem:idDistrict>1</tem:idDistrict></tem:GetLPUList></s:Body></s:Envelope>`;

  it('finds the guid of a request with or without a prefix, trimmed and with entities resolved', () => {
    expect(peekSoapGuid(request('6A3F0C2E-1111'))).toBe('6A3F0C2E-1111');
    expect(peekSoapGuid('<Envelope><Body><GetDistrictList><guid>a&amp;b</guid></GetDistrictList></Body></Envelope>')).toBe('a&b');
  });

  it('finds none in a body without a plain guid element', () => {
    expect(peekSoapGuid('<Envelope><Body><GetDistrictList><guidance>x</guidance></GetDistrictList></Body></Envelope>')).toBeUndefined();
    expect(peekSoapGuid('<guid><![CDATA[x]]></guid>')).toBeUndefined();
    expect(peekSoapGuid(`<guid>${'x'.repeat(300)}</guid>`)).toBeUndefined();
  });
});

describe('decodeFacadeSoapRequest, with names the parser refuses', () => {
  it.each(['__proto__', 'constructor'])('refuses an operation named %s as malformed', (name) => {
    const xml = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><${name}><guid>g</guid></${name}></s:Body></s:Envelope>`;
    expect(() => decodeFacadeSoapRequest(xml)).toThrow(expect.objectContaining({ code: SafeXmlCode.malformed }));
  });
});
