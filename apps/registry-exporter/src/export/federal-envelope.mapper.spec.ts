import { XMLParser } from 'fast-xml-parser';
import { FerNamespace } from '@medbus/federal-registry';
import { ferRequestXml, locationOf, parseFerAnswer, resultsOf, slotOf } from './federal-envelope.mapper';

const envelope = (body: string) => `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;

describe('federal envelopes', () => {
  it('writes a request with every element in the contract namespace, in order, escaped', () => {
    const xml = ferRequestXml('UpdateLocations', {
      Session_ID: 's-1',
      Location: [
        {
          Location_Id: 'oid:doc<1>',
          MO_OID: 'oid',
          Doctor_SNILS: '11223344595',
          Doctor_Name: 'Иванова & "Ко"\u0001',
          Specialty_Code: '76',
          Channels: { Channel: ['FEDERAL_PORTAL', 'KIOSK'] },
          Version: 12,
        },
      ],
    });
    expect(xml).toContain(`xmlns:fer="${FerNamespace}"`);
    expect(xml).toContain(
      '<fer:UpdateLocations><fer:Session_ID>s-1</fer:Session_ID><fer:Location><fer:Location_Id>oid:doc&lt;1&gt;</fer:Location_Id><fer:MO_OID>oid</fer:MO_OID>' +
        '<fer:Doctor_SNILS>11223344595</fer:Doctor_SNILS><fer:Doctor_Name>Иванова &amp; &quot;Ко&quot;</fer:Doctor_Name><fer:Specialty_Code>76</fer:Specialty_Code>' +
        '<fer:Channels><fer:Channel>FEDERAL_PORTAL</fer:Channel><fer:Channel>KIOSK</fer:Channel></fer:Channels><fer:Version>12</fer:Version></fer:Location></fer:UpdateLocations>',
    );
    // Well-formed for any parser.
    expect(() => new XMLParser().parse(xml, true)).not.toThrow();
  });

  it('reads one result per item, a lone one as a list of one', () => {
    const one = parseFerAnswer('RemoveSlots', envelope(`<RemoveSlotsResponse xmlns="${FerNamespace}"><Result><Key>a</Key><Status>ACCEPTED</Status></Result></RemoveSlotsResponse>`));
    expect(one.kind === 'response' && resultsOf(one.body, 1)).toEqual([{ Key: 'a', Status: 'ACCEPTED' }]);
    const two = parseFerAnswer(
      'UpdateSlots',
      envelope(
        `<fer:UpdateSlotsResponse xmlns:fer="${FerNamespace}"><fer:Result><fer:Key>a</fer:Key><fer:Status>UNCHANGED</fer:Status></fer:Result>` +
          `<fer:Result><fer:Key>b&amp;c</fer:Key><fer:Status>REJECTED</fer:Status><fer:Reason_Code>UNKNOWN_LOCATION</fer:Reason_Code><fer:Reason>no &lt;location&gt;</fer:Reason></fer:Result></fer:UpdateSlotsResponse>`,
      ),
    );
    expect(two.kind === 'response' && resultsOf(two.body, 2)).toEqual([
      { Key: 'a', Status: 'UNCHANGED' },
      { Key: 'b&c', Status: 'REJECTED', Reason_Code: 'UNKNOWN_LOCATION', Reason: 'no <location>' },
    ]);
    // Fewer results than items is not an answer for them.
    expect(two.kind === 'response' && resultsOf(two.body, 3)).toBeUndefined();
  });

  it('reads a Fault with its code and wait', () => {
    const answer = parseFerAnswer(
      'UpdateSlots',
      envelope(
        `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>RATE_LIMITED: slow down</faultstring><detail><fer:Fault xmlns:fer="${FerNamespace}"><fer:Code>RATE_LIMITED</fer:Code><fer:Message>slow down</fer:Message><fer:Retry_After_Seconds>3</fer:Retry_After_Seconds></fer:Fault></detail></soap:Fault>`,
      ),
    );
    expect(answer).toEqual({ kind: 'fault', fault: { Code: 'RATE_LIMITED', Message: 'slow down', Retry_After_Seconds: 3 } });
  });

  it('calls unreadable what is not the contract, and expands no entity', () => {
    expect(parseFerAnswer('UpdateSlots', '<html>Bad gateway</html>').kind).toBe('unreadable');
    expect(parseFerAnswer('UpdateSlots', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>').kind).toBe('unreadable');
    expect(parseFerAnswer('UpdateSlots', envelope('<OtherResponse/>')).kind).toBe('unreadable');
    expect(parseFerAnswer('CloseSession', envelope(`<CloseSessionResponse xmlns="${FerNamespace}"/>`))).toEqual({ kind: 'response', body: {} });
  });

  it('reads held locations and slots, refusing ones without their keys', () => {
    const answer = parseFerAnswer(
      'GetLocations',
      envelope(
        `<GetLocationsResponse xmlns="${FerNamespace}"><Location><Location_Id>oid:d1</Location_Id><MO_OID>oid</MO_OID><Doctor_SNILS>11223344595</Doctor_SNILS><Doctor_Name>И</Doctor_Name>` +
          `<Specialty_Code>76</Specialty_Code><Channels><Channel>FEDERAL_PORTAL</Channel></Channels><Version>5</Version></Location><Total>1</Total></GetLocationsResponse>`,
      ),
    );
    expect(answer.kind).toBe('response');
    if (answer.kind !== 'response') return;
    const [raw] = answer.body['Location'] as unknown[];
    expect(locationOf(raw)).toEqual({ Location_Id: 'oid:d1', MO_OID: 'oid', Doctor_SNILS: '11223344595', Doctor_Name: 'И', Specialty_Code: '76', Channels: { Channel: ['FEDERAL_PORTAL'] }, Version: 5 });
    expect(locationOf({ MO_OID: 'oid' })).toBeUndefined();
    expect(slotOf({ Slot_Id: 's', Location_Id: 'l', MO_OID: 'o', Visit_Start: '2031-01-01T08:00:00+03:00', Visit_End: '2031-01-01T08:15:00+03:00', Status: 'BUSY', Version: '2' })).toEqual({
      Slot_Id: 's',
      Location_Id: 'l',
      MO_OID: 'o',
      Visit_Start: '2031-01-01T08:00:00+03:00',
      Visit_End: '2031-01-01T08:15:00+03:00',
      Status: 'BUSY',
      Version: 2,
    });
    expect(slotOf({ Slot_Id: 's', Location_Id: 'l', MO_OID: 'o', Visit_Start: 'x', Visit_End: 'y', Status: 'MAYBE', Version: '2' })).toBeUndefined();
  });
});
