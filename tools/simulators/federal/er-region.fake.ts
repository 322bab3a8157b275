import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';

/**
 * A TEST DOUBLE of the region's ErWebService, for the federal simulator's own tests: a tiny http
 * server with a WSDL of the three operations the portal calls and canned answers. It is not the
 * region's service (apps/registry-exporter serves that) and follows only the contract's shapes.
 */

const namespace = 'http://www.rt-eu.ru/med/er/v2_0';
const operations = ['GetPatientInfo', 'CreateAppointment', 'CancelAppointment'] as const;
export type FakeRegionOperation = (typeof operations)[number];

const wsdl = (location: string): string => `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="ErWebService" targetNamespace="${namespace}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${namespace}" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<wsdl:types><xs:schema elementFormDefault="qualified" targetNamespace="${namespace}">
<xs:complexType name="Patient"><xs:sequence>
<xs:element minOccurs="0" name="OMS_Number" type="xs:string"/><xs:element minOccurs="0" name="SNILS" type="xs:string"/>
<xs:element minOccurs="0" name="Last_Name" type="xs:string"/><xs:element minOccurs="0" name="First_Name" type="xs:string"/>
<xs:element minOccurs="0" name="Middle_Name" type="xs:string"/><xs:element minOccurs="0" name="Birth_Date" type="xs:date"/>
</xs:sequence></xs:complexType>
<xs:element name="GetPatientInfo"><xs:complexType><xs:sequence><xs:element name="Session_ID" type="xs:string"/><xs:element name="MO_OID" type="xs:string"/><xs:element name="Patient" type="tns:Patient"/></xs:sequence></xs:complexType></xs:element>
<xs:element name="GetPatientInfoResponse"><xs:complexType><xs:sequence><xs:element name="Status_Code" type="xs:string"/><xs:element minOccurs="0" name="Patient_Id" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
<xs:element name="CreateAppointment"><xs:complexType><xs:sequence><xs:element name="Session_ID" type="xs:string"/><xs:element name="MO_OID" type="xs:string"/><xs:element name="Slot_Id" type="xs:string"/><xs:element name="Patient_Id" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
<xs:element name="CreateAppointmentResponse"><xs:complexType><xs:sequence><xs:element name="Status_Code" type="xs:string"/><xs:element minOccurs="0" name="Book_Id_Mis" type="xs:string"/><xs:element minOccurs="0" name="Visit_Time" type="xs:dateTime"/><xs:element minOccurs="0" name="Room" type="xs:string"/><xs:element name="Slot_Id" type="xs:string"/><xs:element minOccurs="0" name="Comment" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
<xs:element name="CancelAppointment"><xs:complexType><xs:sequence><xs:element name="Session_ID" type="xs:string"/><xs:element name="MO_OID" type="xs:string"/><xs:element name="Book_Id_Mis" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
<xs:element name="CancelAppointmentResponse"><xs:complexType><xs:sequence><xs:element name="Status_Code" type="xs:string"/><xs:element minOccurs="0" name="Comment" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
</xs:schema></wsdl:types>
${operations.map((o) => `<wsdl:message name="${o}_In"><wsdl:part name="parameters" element="tns:${o}"/></wsdl:message><wsdl:message name="${o}_Out"><wsdl:part name="parameters" element="tns:${o}Response"/></wsdl:message>`).join('\n')}
<wsdl:portType name="ErWebServicePortType">${operations.map((o) => `<wsdl:operation name="${o}"><wsdl:input message="tns:${o}_In"/><wsdl:output message="tns:${o}_Out"/></wsdl:operation>`).join('')}</wsdl:portType>
<wsdl:binding name="ErWebServiceBinding" type="tns:ErWebServicePortType"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
${operations.map((o) => `<wsdl:operation name="${o}"><soap:operation soapAction="${namespace}/${o}" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>`).join('\n')}
</wsdl:binding>
<wsdl:service name="ErWebService"><wsdl:port name="ErWebServicePort" binding="tns:ErWebServiceBinding"><soap:address location="${location}"/></wsdl:port></wsdl:service>
</wsdl:definitions>`;

/** A received call: its operation, its parameters as parsed, and the Authorization header. */
export interface FakeRegionCall {
  readonly operation: FakeRegionOperation;
  readonly params: Record<string, unknown>;
  readonly authorization: string | undefined;
  readonly soapAction: string | undefined;
  /** Element names of the request's Patient in the order they came (for GetPatientInfo). */
  readonly patientOrder: string[];
}

/** Answer fields in the response element's order; or `fault` for a SOAP Fault; or `hang` never to answer. */
export type FakeAnswer = { readonly fields: readonly (readonly [string, string])[] } | { readonly fault: string } | { readonly hang: true };

export interface FakeRegion {
  readonly url: string;
  readonly calls: FakeRegionCall[];
  /** Replace to change what an operation answers. */
  answer: (call: FakeRegionCall) => FakeAnswer;
  close(): Promise<void>;
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, processEntities: false });
const orderParser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, processEntities: false, preserveOrder: true });

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Names of the children of the first `Patient` element, in document order. */
function patientOrderOf(xml: string): string[] {
  const find = (nodes: unknown): string[] | undefined => {
    if (!Array.isArray(nodes)) return undefined;
    for (const node of nodes as Record<string, unknown>[]) {
      for (const [name, children] of Object.entries(node)) {
        if (name === 'Patient') return (children as Record<string, unknown>[]).map((child) => Object.keys(child)[0] ?? '');
        const found = find(children);
        if (found) return found;
      }
    }
    return undefined;
  };
  return find(orderParser.parse(xml)) ?? [];
}

/** Starts the fake region on a free port of 127.0.0.1; its ErWebService is `<url>` (WSDL at `<url>?wsdl`). */
export async function startFakeRegion(): Promise<FakeRegion> {
  const calls: FakeRegionCall[] = [];
  const hanging = new Set<() => void>();
  const fake: FakeRegion = {
    url: '',
    calls,
    answer: () => ({ fault: 'no answer configured' }),
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (req.method === 'GET' && url.searchParams.has('wsdl')) {
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(wsdl(fake.url));
        return;
      }
      const xml = await body(req);
      const bodyOf = (parser.parse(xml) as { Envelope?: { Body?: Record<string, Record<string, unknown>> } }).Envelope?.Body ?? {};
      const operation = Object.keys(bodyOf)[0] as FakeRegionOperation;
      const call: FakeRegionCall = {
        operation,
        params: bodyOf[operation] ?? {},
        authorization: req.headers['authorization'],
        soapAction: req.headers['soapaction'] as string | undefined,
        patientOrder: operation === 'GetPatientInfo' ? patientOrderOf(xml) : [],
      };
      calls.push(call);
      const answer = fake.answer(call);
      if ('hang' in answer) {
        hanging.add(() => res.destroy());
        return;
      }
      const content =
        'fault' in answer
          ? `<soap:Fault><faultcode>soap:Client</faultcode><faultstring>${answer.fault}</faultstring></soap:Fault>`
          : `<${operation}Response xmlns="${namespace}">${answer.fields.map(([name, value]) => `<${name}>${value}</${name}>`).join('')}</${operation}Response>`;
      res.writeHead('fault' in answer ? 500 : 200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${content}</soap:Body></soap:Envelope>`);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(fake, {
    url: `http://127.0.0.1:${port}/er/v2_0/ErWebService`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const end of hanging) end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
  return fake;
}
