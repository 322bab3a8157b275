import { escapeXml } from '@medbus/hubservice';
import { ErNamespace, ErType, erMessages, erOperations, erSoapActionOf, type ErElement, type ErSimpleType } from './er-service.contract';

/** Whether a simple type restricts its base (then it is a named xs:simpleType) or is the base itself. */
function isRestricted(type: ErSimpleType): boolean {
  return type.xsdPattern !== undefined || type.maxLength !== undefined || type.values !== undefined;
}

function simpleTypeDefinition(type: ErSimpleType): string {
  const facets = [
    type.xsdPattern === undefined ? '' : `<xs:pattern value="${escapeXml(type.xsdPattern)}"/>`,
    type.maxLength === undefined ? '' : `<xs:minLength value="1"/><xs:maxLength value="${type.maxLength}"/>`,
    ...(type.values ?? []).map((value) => `<xs:enumeration value="${value}"/>`),
  ].join('');
  return `<xs:simpleType name="${type.name}"><xs:restriction base="${type.base}">${facets}</xs:restriction></xs:simpleType>`;
}

function elementXsd(element: ErElement): string {
  const occurs = `${element.optional ? ' minOccurs="0"' : ''}${element.repeated ? ' maxOccurs="unbounded"' : ''}`;
  if (Array.isArray(element.type)) {
    const children = (element.type as readonly ErElement[]).map(elementXsd).join('');
    return `<xs:element${occurs} name="${element.name}"><xs:complexType><xs:sequence>${children}</xs:sequence></xs:complexType></xs:element>`;
  }
  const type = element.type as ErSimpleType;
  return `<xs:element${occurs} name="${element.name}" type="${isRestricted(type) ? `tns:${type.name}` : type.base}"/>`;
}

function messageElement(name: string, children: readonly ErElement[]): string {
  return `<xs:element name="${name}"><xs:complexType><xs:sequence>${children.map(elementXsd).join('')}</xs:sequence></xs:complexType></xs:element>`;
}

/**
 * The complete WSDL of ErWebService (XSD embedded; SOAP 1.1 document/literal; service `ErWebService`,
 * port `ErWebServiceSoap`), with `location` as the endpoint address.
 */
export function erServiceWsdl(location: string): string {
  const simpleTypes = Object.values(ErType as Record<string, ErSimpleType>)
    .filter(isRestricted)
    .map(simpleTypeDefinition)
    .join('\n');
  const elements = erOperations
    .map((operation) => `${messageElement(operation, erMessages[operation].request)}\n${messageElement(`${operation}Response`, erMessages[operation].response)}`)
    .join('\n');
  const messages = erOperations
    .map(
      (operation) =>
        `<wsdl:message name="${operation}Request"><wsdl:part name="parameters" element="tns:${operation}"/></wsdl:message>` +
        `<wsdl:message name="${operation}Response"><wsdl:part name="parameters" element="tns:${operation}Response"/></wsdl:message>`,
    )
    .join('\n');
  const portOperations = erOperations
    .map((operation) => `<wsdl:operation name="${operation}"><wsdl:input message="tns:${operation}Request"/><wsdl:output message="tns:${operation}Response"/></wsdl:operation>`)
    .join('\n');
  const bindingOperations = erOperations
    .map(
      (operation) =>
        `<wsdl:operation name="${operation}"><soap:operation soapAction="${erSoapActionOf(operation)}" style="document"/>` +
        `<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="ErWebService" targetNamespace="${ErNamespace}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${ErNamespace}" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<wsdl:types>
<xs:schema elementFormDefault="qualified" targetNamespace="${ErNamespace}" xmlns:tns="${ErNamespace}">
${simpleTypes}
${elements}
</xs:schema>
</wsdl:types>
${messages}
<wsdl:portType name="ErWebServicePortType">
${portOperations}
</wsdl:portType>
<wsdl:binding name="ErWebServiceSoap" type="tns:ErWebServicePortType">
<soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
${bindingOperations}
</wsdl:binding>
<wsdl:service name="ErWebService">
<wsdl:port name="ErWebServiceSoap" binding="tns:ErWebServiceSoap"><soap:address location="${escapeXml(location)}"/></wsdl:port>
</wsdl:service>
</wsdl:definitions>
`;
}
