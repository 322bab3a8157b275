import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import * as soap from 'soap';
import { FerNamespace, ferOperations, ferSoapActionOf, type FerLocation } from './fer-registry.types';
import { ferRegistryWsdl } from './fer-registry.wsdl';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
const wsdlFile = join(__dirname, '..', 'wsdl', 'fer-registry.wsdl');

interface CapturedCall {
  body: string;
  soapAction: string;
}

/** A node-soap HTTP client that answers `answer` and records what it was sent: no server needed. */
function cannedHttp(answer: string, calls: CapturedCall[]): soap.IOptions['httpClient'] {
  return {
    request: (_url: string, data: unknown, callback: (error: unknown, res?: unknown, body?: unknown) => void, headers?: Record<string, string>) => {
      calls.push({ body: String(data), soapAction: headers?.['SOAPAction'] ?? '' });
      setImmediate(() => callback(null, { statusCode: 200, headers: {}, body: answer }, answer));
      return undefined as never;
    },
  } as unknown as soap.IOptions['httpClient'];
}

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

const aLocation = (): FerLocation => ({
  Location_Id: '1.2.643.5.1.13.13.12.2.78.8639:doc-1',
  MO_OID: '1.2.643.5.1.13.13.12.2.78.8639',
  Doctor_SNILS: '11223344595',
  Doctor_Name: 'Врач',
  Specialty_Code: '76',
  Position_Code: '109',
  Channels: { Channel: ['FRONT_DESK', 'FEDERAL_PORTAL'] },
  Version: 3,
});

describe('the federal registry push API WSDL', () => {
  const wsdl = ferRegistryWsdl('http://fer.example/fer/RegistryService');

  it('binds every operation document/literal with its SOAPAction in the contract namespace', () => {
    const doc = parser.parse(wsdl)['wsdl:definitions'];
    expect(doc.targetNamespace).toBe(FerNamespace);
    const actions = doc['wsdl:binding']['wsdl:operation'].map((o: { name: string; 'soap:operation': { soapAction: string; style: string } }) => [
      o.name,
      o['soap:operation'].soapAction,
      o['soap:operation'].style,
    ]);
    expect(actions).toEqual(ferOperations.map((name) => [name, `http://www.rt-eu.ru/med/er/fer-registry/v1/${name}`, 'document']));
    expect(doc['wsdl:service']['wsdl:port']['soap:address'].location).toBe('http://fer.example/fer/RegistryService');
  });

  it('builds a soap client that names every operation', async () => {
    const client = await soap.createClientAsync(wsdlFile);
    const ports = client.describe()['RegistryService']['RegistryPort'];
    expect(Object.keys(ports).sort()).toEqual([...ferOperations].sort());
  });

  it('sends a batch as sibling elements in the contract namespace and reads the results back', async () => {
    const calls: CapturedCall[] = [];
    const answer = envelope(
      `<UpdateLocationsResponse xmlns="${FerNamespace}"><Result><Key>a</Key><Status>ACCEPTED</Status></Result>` +
        `<Result><Key>b</Key><Status>REJECTED</Status><Reason_Code>INVALID_SNILS</Reason_Code><Reason>check number</Reason></Result></UpdateLocationsResponse>`,
    );
    const client = await soap.createClientAsync(wsdlFile, { httpClient: cannedHttp(answer, calls) });
    const [result] = await client['UpdateLocationsAsync']({ Session_ID: 's-1', Location: [aLocation(), { ...aLocation(), Location_Id: 'b' }] });

    expect(calls[0]?.soapAction).toBe(`"${ferSoapActionOf('UpdateLocations')}"`);
    const sent = new XMLParser({ removeNSPrefix: true, isArray: (name) => ['Location', 'Channel'].includes(name) }).parse(calls[0]?.body ?? '');
    const request = sent.Envelope.Body.UpdateLocations;
    expect(request.Session_ID).toBe('s-1');
    expect(request.Location).toHaveLength(2);
    expect(request.Location[0].Channels.Channel).toEqual(['FRONT_DESK', 'FEDERAL_PORTAL']);
    expect(result.Result).toEqual([
      { Key: 'a', Status: 'ACCEPTED' },
      { Key: 'b', Status: 'REJECTED', Reason_Code: 'INVALID_SNILS', Reason: 'check number' },
    ]);
  });
});

describe('the checked-in WSDL file', () => {
  // A static copy for tools that want a file (SoapUI, soap.createClientAsync). Regenerate with
  // UPDATE_WSDL=1 npx jest libs/federal-registry/src/fer-registry.wsdl.spec.ts
  it('equals what fer-registry.wsdl.ts generates', () => {
    const generated = ferRegistryWsdl('http://localhost/fer/RegistryService');
    if (process.env['UPDATE_WSDL'] === '1') writeFileSync(wsdlFile, generated);
    expect(readFileSync(wsdlFile, 'utf8')).toBe(generated);
  });
});
