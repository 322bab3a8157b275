import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { hubOperations } from './hubservice.contract';
import { hubServiceNotificationsWsdl, hubServiceWsdl } from './hubservice.wsdl';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

describe('hubservice WSDL', () => {
  const wsdl = hubServiceWsdl('http://mis.example/Hub25/HubService.svc');

  it('binds every operation of IHubService with its tempuri SOAPAction, document/literal', () => {
    const doc = parser.parse(wsdl)['wsdl:definitions'];
    const binding = doc['wsdl:binding'];
    expect(binding.name).toBe('BasicHttpBinding_IHubService');
    const actions = binding['wsdl:operation'].map((o: { name: string; 'soap:operation': { soapAction: string; style: string } }) => [o.name, o['soap:operation'].soapAction, o['soap:operation'].style]);
    expect(actions).toEqual(hubOperations.map((o) => [o.name, `http://tempuri.org/IHubService/${o.name}`, 'document']));
    expect(doc['wsdl:service']['wsdl:port']['soap:address'].location).toBe('http://mis.example/Hub25/HubService.svc');
  });

  it('derives every result from MethodResult in the HubService2 namespace', () => {
    expect(wsdl).toContain('targetNamespace="http://schemas.datacontract.org/2004/07/HubService2"');
    expect(wsdl).toContain('<xs:complexType name="SetAppointmentResult"><xs:complexContent mixed="false"><xs:extension base="tns:MethodResult">');
    expect(wsdl).toContain('<xs:element minOccurs="0" name="Num" nillable="true" type="xs:int"/>');
  });

  it('keeps the notification operations in their own small WSDL', () => {
    const notifications = hubServiceNotificationsWsdl('http://adapter/notifications');
    expect(notifications).toContain('soapAction="http://tempuri.org/IHubService/SendNotificationAboutAppointmentStatus"');
    expect(notifications).not.toContain('name="GetLPUList"');
    expect(wsdl).not.toContain('SendNotificationAboutAppointment');
  });
});

describe('the checked-in WSDL files', () => {
  // Static copies for tools that want a file (SoapUI, svcutil, code generators). Regenerate with
  // UPDATE_WSDL=1 NODE_OPTIONS=--experimental-vm-modules npx jest libs/hubservice/src/hubservice.wsdl.spec.ts
  const files = [
    ['hubservice.wsdl', hubServiceWsdl('http://localhost/Hub25/HubService.svc')],
    ['hubservice-notifications.wsdl', hubServiceNotificationsWsdl('http://localhost/Hub25/HubServiceNotifications.svc')],
  ] as const;

  it.each(files)('%s equals what the contract tables generate', (name, generated) => {
    const path = join(__dirname, '..', 'wsdl', name);
    if (process.env['UPDATE_WSDL'] === '1') writeFileSync(path, generated);
    expect(readFileSync(path, 'utf8')).toBe(generated);
  });
});
