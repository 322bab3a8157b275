import { FerNamespace } from '@medbus/federal-registry';
import { FerFaultError, decodeFerRequest, encodeFerFault, encodeFerResponse } from './fer.codec';

const envelope = (inner: string, ns = FerNamespace) =>
  `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:fer="${ns}"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;

function faultCodeOf(xml: string): string {
  try {
    decodeFerRequest(xml);
  } catch (error) {
    if (error instanceof FerFaultError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'decoded';
}

describe('decoding a push API request', () => {
  it('reads one repeated element as a list of one, and keeps text as text', () => {
    const decoded = decodeFerRequest(
      envelope(
        `<fer:UpdateLocations><fer:Session_ID>s1</fer:Session_ID><fer:Location><fer:Location_Id>a:1</fer:Location_Id><fer:Doctor_Name>О&apos;Нил &amp; сын</fer:Doctor_Name>` +
          `<fer:Channels><fer:Channel>KIOSK</fer:Channel></fer:Channels><fer:Version>007</fer:Version></fer:Location></fer:UpdateLocations>`,
      ),
    );
    expect(decoded).toEqual({
      operation: 'UpdateLocations',
      params: { Session_ID: 's1', Location: [{ Location_Id: 'a:1', Doctor_Name: "О'Нил & сын", Channels: { Channel: ['KIOSK'] }, Version: '007' }] },
    });
  });

  it('reads removals as lists of ids and paging as numbers', () => {
    expect(decodeFerRequest(envelope('<fer:RemoveSlots><fer:Session_ID>s</fer:Session_ID><fer:Slot_Id>x</fer:Slot_Id></fer:RemoveSlots>')).params).toEqual({ Session_ID: 's', Slot_Id: ['x'] });
    expect(decodeFerRequest(envelope('<fer:GetSlots><fer:Session_ID>s</fer:Session_ID><fer:MO_OID>1.2</fer:MO_OID><fer:Page>2</fer:Page><fer:Page_Size>50</fer:Page_Size></fer:GetSlots>')).params).toEqual({
      Session_ID: 's',
      MO_OID: '1.2',
      Page: 2,
      Page_Size: 50,
    });
  });

  it.each([
    ['a DTD', `<!DOCTYPE x [<!ENTITY e "boom">]>${envelope('<fer:OpenSession><fer:Login>&e;</fer:Login><fer:Password>p</fer:Password></fer:OpenSession>')}`, /document type/],
    ['not XML', 'hello', /SOAP envelope|well-formed/],
    ['an unknown operation', envelope('<fer:DropTables/>'), /unknown operation DropTables/],
    ['two operations', envelope('<fer:CloseSession><fer:Session_ID>s</fer:Session_ID></fer:CloseSession><fer:CloseSession/>'), /exactly one/],
    ['a foreign namespace', envelope('<x:CloseSession xmlns:x="urn:x"><x:Session_ID>s</x:Session_ID></x:CloseSession>', 'urn:other'), /namespace/],
    ['a missing element', envelope('<fer:UpdateSlots><fer:Session_ID>s</fer:Session_ID></fer:UpdateSlots>'), /Slot/],
    ['a page that is not a number', envelope('<fer:GetLocations><fer:Session_ID>s</fer:Session_ID><fer:MO_OID>1.2</fer:MO_OID><fer:Page>one</fer:Page><fer:Page_Size>5</fer:Page_Size></fer:GetLocations>'), /Page/],
    ['an item that is text', envelope('<fer:UpdateSlots><fer:Session_ID>s</fer:Session_ID><fer:Slot>oops</fer:Slot></fer:UpdateSlots>'), /Slot/],
  ])('refuses %s as MALFORMED_REQUEST', (_what, xml, message) => {
    expect(faultCodeOf(xml)).toMatch(/^MALFORMED_REQUEST: /);
    expect(faultCodeOf(xml)).toMatch(message);
  });
});

describe('encoding answers', () => {
  it('writes results in the contract namespace, escaping text and leaving out absent fields', () => {
    const xml = encodeFerResponse('RemoveSlots', { Result: [{ Key: 'a<b', Status: 'UNCHANGED' }] });
    expect(xml).toContain(`<RemoveSlotsResponse xmlns="${FerNamespace}"><Result><Key>a&lt;b</Key><Status>UNCHANGED</Status></Result></RemoveSlotsResponse>`);
  });

  it('writes a fault with the code first in faultstring and the fer:Fault detail', () => {
    const xml = encodeFerFault({ Code: 'RATE_LIMITED', Message: 'slow down', Retry_After_Seconds: 1 });
    expect(xml).toContain('<faultcode>soap:Server</faultcode><faultstring>RATE_LIMITED: slow down</faultstring>');
    expect(xml).toContain(`<fer:Fault xmlns:fer="${FerNamespace}"><fer:Code>RATE_LIMITED</fer:Code><fer:Message>slow down</fer:Message><fer:Retry_After_Seconds>1</fer:Retry_After_Seconds></fer:Fault>`);
    expect(encodeFerFault({ Code: 'SESSION_INVALID', Message: 'x' })).toContain('<faultcode>soap:Client</faultcode>');
  });
});
