import { hubOperations } from './hubservice.contract';
import { hubFacadeWsdl, hubServiceWsdl } from './hubservice.wsdl';
import { decodeFacadeSoapRequest, decodeSoapRequest, decodeSoapResponse, encodeSoapRequest, encodeSoapResponse } from './soap.codec';

describe('what the hub facade serves beyond a MIS', () => {
  const request = {
    idDoc: '1.2.3:doc-1',
    nameDoc: 'Иванова А. П.',
    idSpesiality: '27',
    idLpu: 12,
    rule: { End: '2031-03-10T00:00:00', Start: '2031-03-05T00:00:00' },
    claim: 1,
    idPat: '6f1c0d52-8f0e-4c53-9a51-4f5e7d1f2a10',
    phone: '+79180000000',
    guid: 'g',
    idHistory: 3,
  };

  it('describes every MIS operation and SetWaitingList in the facade WSDL, and keeps SetWaitingList out of the MIS WSDL', () => {
    const facade = hubFacadeWsdl('http://hub/Hub25/HubService.svc');
    for (const operation of [...hubOperations.map((o) => o.name), 'SetWaitingList']) {
      expect(facade).toContain(`soapAction="http://tempuri.org/IHubService/${operation}"`);
    }
    expect(facade).toContain('<xs:complexType name="WaitingListRule">');
    expect(facade).not.toContain('SendNotificationAboutAppointment');
    const mis = hubServiceWsdl('http://mis/Hub25/HubService.svc');
    expect(mis).not.toContain('SetWaitingList');
    expect(mis).not.toContain('WaitingListRule');
  });

  it('decodes SetWaitingList with its rule for the facade only', () => {
    const xml = encodeSoapRequest('SetWaitingList', request);
    expect(decodeFacadeSoapRequest(xml)).toEqual({ operation: 'SetWaitingList', params: request });
    expect(() => decodeSoapRequest(xml)).toThrow(expect.objectContaining({ code: 'SOAP.UNKNOWN_OPERATION' }));
  });

  it('refuses the notifications a MIS sends to a subscriber', () => {
    const xml = encodeSoapRequest('SendNotificationAboutAppointmentStatus', { idLpu: 1, idPat: 'p', idAppointment: 'a', status: 2, guid: 'g' });
    expect(() => decodeFacadeSoapRequest(xml)).toThrow(expect.objectContaining({ code: 'SOAP.UNKNOWN_OPERATION' }));
  });

  it('writes and reads the claim id', () => {
    const xml = encodeSoapResponse('SetWaitingList', { Success: true, IdHistory: 3, GuidClaim: 'c-1' });
    expect(xml).toContain('<a:Success>true</a:Success><a:GuidClaim>c-1</a:GuidClaim>');
    expect(decodeSoapResponse('SetWaitingList', xml)).toEqual({ Success: true, IdHistory: 3, GuidClaim: 'c-1' });
  });
});
