import {
  HubNamespace,
  fieldsOf,
  hubContracts,
  hubFacadeOperations,
  hubNotificationOperations,
  hubOperations,
  soapActionOf,
  type HubContractName,
  type HubField,
  type HubOperation,
} from './hubservice.contract';
import { escapeXml } from './soap.codec';

/**
 * The WSDL of `HubService` (port type `IHubService`, binding `BasicHttpBinding_IHubService`)
 * with the data contracts embedded, SOAP 1.1 document/literal, as WCF would publish it.
 * `location` is the endpoint address written into `soap:address`.
 */
export function hubServiceWsdl(location: string): string {
  return wsdl('HubService', hubOperations, location);
}

/**
 * The WSDL a notification *subscriber* serves (service `HubServiceNotifications`, same port type
 * name `IHubService` so SOAPActions stay `http://tempuri.org/IHubService/SendNotification…`).
 */
export function hubServiceNotificationsWsdl(location: string): string {
  return wsdl('HubServiceNotifications', hubNotificationOperations, location);
}

/**
 * The WSDL the hub facade serves (service `HubService`, same binding and port type as
 * `hubServiceWsdl`): every MIS operation plus the hub's own SetWaitingList.
 */
export function hubFacadeWsdl(location: string): string {
  return wsdl('HubService', hubFacadeOperations, location);
}

function wsdl(service: string, operations: readonly HubOperation[], location: string): string {
  const ops = operations.map((o) => o.name);
  const messages = ops
    .map(
      (name) =>
        `<wsdl:message name="IHubService_${name}_InputMessage"><wsdl:part name="parameters" element="tns:${name}"/></wsdl:message>` +
        `<wsdl:message name="IHubService_${name}_OutputMessage"><wsdl:part name="parameters" element="tns:${name}Response"/></wsdl:message>`,
    )
    .join('\n');
  const portOps = ops
    .map(
      (name) =>
        `<wsdl:operation name="${name}"><wsdl:input message="tns:IHubService_${name}_InputMessage"/><wsdl:output message="tns:IHubService_${name}_OutputMessage"/></wsdl:operation>`,
    )
    .join('\n');
  const bindingOps = ops
    .map(
      (name) =>
        `<wsdl:operation name="${name}"><soap:operation soapAction="${soapActionOf(name)}" style="document"/>` +
        `<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="${service}" targetNamespace="${HubNamespace.service}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${HubNamespace.service}" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<wsdl:types>
${serviceSchema(operations)}
${contractsSchema(operations)}
<xs:schema elementFormDefault="qualified" targetNamespace="${HubNamespace.arrays}" xmlns:tns="${HubNamespace.arrays}">
<xs:complexType name="ArrayOfdateTime"><xs:sequence><xs:element minOccurs="0" maxOccurs="unbounded" name="dateTime" type="xs:dateTime"/></xs:sequence></xs:complexType>
<xs:element name="ArrayOfdateTime" nillable="true" type="tns:ArrayOfdateTime"/>
</xs:schema>
</wsdl:types>
${messages}
<wsdl:portType name="IHubService">
${portOps}
</wsdl:portType>
<wsdl:binding name="BasicHttpBinding_IHubService" type="tns:IHubService">
<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
${bindingOps}
</wsdl:binding>
<wsdl:service name="${service}">
<wsdl:port name="BasicHttpBinding_IHubService" binding="tns:BasicHttpBinding_IHubService"><soap:address location="${escapeXml(location)}"/></wsdl:port>
</wsdl:service>
</wsdl:definitions>
`;
}

function xsdType(field: HubField, contractPrefix: string): string {
  const type = field.type;
  if (typeof type === 'string') return `xs:${type}`;
  if ('contract' in type) return `${contractPrefix}:${type.contract}`;
  if ('listOf' in type) return `${contractPrefix}:ArrayOf${type.listOf}`;
  return 'arr:ArrayOfdateTime';
}

function xsdElement(field: HubField, contractPrefix: string): string {
  const nillable = typeof field.type !== 'string' || field.type === 'string' || field.nullable === true;
  return `<xs:element minOccurs="0" name="${field.name}"${nillable ? ' nillable="true"' : ''} type="${xsdType(field, contractPrefix)}"/>`;
}

function serviceSchema(operations: readonly HubOperation[]): string {
  const elements = operations
    .map(
      (o) =>
        `<xs:element name="${o.name}"><xs:complexType><xs:sequence>${o.params.map((p) => xsdElement(p, 'q')).join('')}</xs:sequence></xs:complexType></xs:element>` +
        `<xs:element name="${o.name}Response"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="${o.name}Result" nillable="true" type="q:${o.result}"/></xs:sequence></xs:complexType></xs:element>`,
    )
    .join('\n');
  return `<xs:schema elementFormDefault="qualified" targetNamespace="${HubNamespace.service}" xmlns:q="${HubNamespace.contracts}">
<xs:import namespace="${HubNamespace.contracts}"/>
${elements}
</xs:schema>`;
}

/** The contracts an operation set reaches, so the notifications WSDL carries only what it uses. */
function reachableContracts(operations: readonly HubOperation[]): HubContractName[] {
  const seen = new Set<HubContractName>();
  const visit = (name: HubContractName): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const base = hubContracts[name].base;
    if (base) visit(base);
    for (const field of fieldsOf(name)) {
      if (typeof field.type === 'string') continue;
      if ('contract' in field.type) visit(field.type.contract);
      if ('listOf' in field.type) visit(field.type.listOf);
    }
  };
  for (const o of operations) {
    visit(o.result);
    for (const p of o.params) if (typeof p.type !== 'string' && 'contract' in p.type) visit(p.type.contract);
  }
  return (Object.keys(hubContracts) as HubContractName[]).filter((name) => seen.has(name));
}

function contractsSchema(operations: readonly HubOperation[]): string {
  const names = reachableContracts(operations);
  const listed = new Set<HubContractName>();
  for (const name of names) {
    for (const field of fieldsOf(name)) if (typeof field.type !== 'string' && 'listOf' in field.type) listed.add(field.type.listOf);
  }
  const types = names
    .map((name) => {
      const def = hubContracts[name];
      const sequence = `<xs:sequence>${def.fields.map((f) => xsdElement(f, 'tns')).join('')}</xs:sequence>`;
      const body = def.base
        ? `<xs:complexContent mixed="false"><xs:extension base="tns:${def.base}">${sequence}</xs:extension></xs:complexContent>`
        : sequence;
      return `<xs:complexType name="${name}">${body}</xs:complexType><xs:element name="${name}" nillable="true" type="tns:${name}"/>`;
    })
    .join('\n');
  const arrays = [...listed]
    .map(
      (name) =>
        `<xs:complexType name="ArrayOf${name}"><xs:sequence><xs:element minOccurs="0" maxOccurs="unbounded" name="${name}" nillable="true" type="tns:${name}"/></xs:sequence></xs:complexType>` +
        `<xs:element name="ArrayOf${name}" nillable="true" type="tns:ArrayOf${name}"/>`,
    )
    .join('\n');
  return `<xs:schema elementFormDefault="qualified" targetNamespace="${HubNamespace.contracts}" xmlns:tns="${HubNamespace.contracts}" xmlns:arr="${HubNamespace.arrays}">
<xs:import namespace="${HubNamespace.arrays}"/>
${types}
${arrays}
</xs:schema>`;
}
