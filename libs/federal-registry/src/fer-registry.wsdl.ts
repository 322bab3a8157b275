import {
  FerAppointmentStatus,
  FerChannel,
  FerFaultCode,
  FerNamespace,
  FerReasonCode,
  FerResultStatus,
  FerSlotStatus,
  ferOperations,
  ferSoapActionOf,
} from './fer-registry.types';

function enumeration(name: string, values: Record<string, string>): string {
  return `<xs:simpleType name="${name}"><xs:restriction base="xs:string">${Object.values(values)
    .map((value) => `<xs:enumeration value="${value}"/>`)
    .join('')}</xs:restriction></xs:simpleType>`;
}

/**
 * The XSD of the push API, embedded in the WSDL. Doctor_SNILS and the NSI codes are plain strings
 * on purpose: the federal side checks them per item and answers REJECTED with a reason code, it does
 * not refuse the whole call by schema.
 */
const schema = `<xs:schema elementFormDefault="qualified" targetNamespace="${FerNamespace}" xmlns:tns="${FerNamespace}">
${enumeration('ChannelCode', FerChannel)}
${enumeration('SlotStatus', FerSlotStatus)}
${enumeration('AppointmentStatus', FerAppointmentStatus)}
${enumeration('ResultStatus', FerResultStatus)}
${enumeration('ReasonCode', FerReasonCode)}
${enumeration('FaultCode', FerFaultCode)}
<xs:complexType name="ChannelList"><xs:sequence>
<xs:element minOccurs="0" maxOccurs="unbounded" name="Channel" type="tns:ChannelCode"/>
</xs:sequence></xs:complexType>
<xs:complexType name="Location"><xs:sequence>
<xs:element name="Location_Id" type="xs:string"/>
<xs:element name="MO_OID" type="xs:string"/>
<xs:element minOccurs="0" name="Department_OID" type="xs:string"/>
<xs:element name="Doctor_SNILS" type="xs:string"/>
<xs:element name="Doctor_Name" type="xs:string"/>
<xs:element name="Specialty_Code" type="xs:string"/>
<xs:element minOccurs="0" name="Position_Code" type="xs:string"/>
<xs:element minOccurs="0" name="Room" type="xs:string"/>
<xs:element name="Channels" type="tns:ChannelList"/>
<xs:element name="Version" type="xs:long"/>
</xs:sequence></xs:complexType>
<xs:complexType name="Slot"><xs:sequence>
<xs:element name="Slot_Id" type="xs:string"/>
<xs:element name="Location_Id" type="xs:string"/>
<xs:element name="MO_OID" type="xs:string"/>
<xs:element name="Visit_Start" type="xs:dateTime"/>
<xs:element name="Visit_End" type="xs:dateTime"/>
<xs:element minOccurs="0" name="Room" type="xs:string"/>
<xs:element name="Status" type="tns:SlotStatus"/>
<xs:element name="Version" type="xs:long"/>
</xs:sequence></xs:complexType>
<xs:complexType name="Result"><xs:sequence>
<xs:element name="Key" type="xs:string"/>
<xs:element name="Status" type="tns:ResultStatus"/>
<xs:element minOccurs="0" name="Reason_Code" type="tns:ReasonCode"/>
<xs:element minOccurs="0" name="Reason" type="xs:string"/>
</xs:sequence></xs:complexType>
<xs:complexType name="BatchResult"><xs:sequence>
<xs:element minOccurs="0" maxOccurs="unbounded" name="Result" type="tns:Result"/>
</xs:sequence></xs:complexType>
<xs:element name="Fault"><xs:complexType><xs:sequence>
<xs:element name="Code" type="tns:FaultCode"/>
<xs:element name="Message" type="xs:string"/>
<xs:element minOccurs="0" name="Retry_After_Seconds" type="xs:int"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="OpenSession"><xs:complexType><xs:sequence>
<xs:element name="Login" type="xs:string"/>
<xs:element name="Password" type="xs:string"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="OpenSessionResponse"><xs:complexType><xs:sequence>
<xs:element name="Session_ID" type="xs:string"/>
<xs:element name="Expires_At" type="xs:dateTime"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="CloseSession"><xs:complexType><xs:sequence>
<xs:element name="Session_ID" type="xs:string"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="CloseSessionResponse"><xs:complexType><xs:sequence/></xs:complexType></xs:element>
<xs:element name="UpdateLocations"><xs:complexType><xs:sequence>
<xs:element name="Session_ID" type="xs:string"/>
<xs:element maxOccurs="unbounded" name="Location" type="tns:Location"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="UpdateLocationsResponse" type="tns:BatchResult"/>
<xs:element name="RemoveLocations"><xs:complexType><xs:sequence>
<xs:element name="Session_ID" type="xs:string"/>
<xs:element maxOccurs="unbounded" name="Location_Id" type="xs:string"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="RemoveLocationsResponse" type="tns:BatchResult"/>
<xs:element name="UpdateSlots"><xs:complexType><xs:sequence>
<xs:element name="Session_ID" type="xs:string"/>
<xs:element maxOccurs="unbounded" name="Slot" type="tns:Slot"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="UpdateSlotsResponse" type="tns:BatchResult"/>
<xs:element name="RemoveSlots"><xs:complexType><xs:sequence>
<xs:element name="Session_ID" type="xs:string"/>
<xs:element maxOccurs="unbounded" name="Slot_Id" type="xs:string"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="RemoveSlotsResponse" type="tns:BatchResult"/>
<xs:element name="GetLocations"><xs:complexType><xs:sequence>
<xs:element name="Session_ID" type="xs:string"/>
<xs:element name="MO_OID" type="xs:string"/>
<xs:element name="Page" type="xs:int"/>
<xs:element name="Page_Size" type="xs:int"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="GetLocationsResponse"><xs:complexType><xs:sequence>
<xs:element minOccurs="0" maxOccurs="unbounded" name="Location" type="tns:Location"/>
<xs:element name="Total" type="xs:int"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="GetSlots"><xs:complexType><xs:sequence>
<xs:element name="Session_ID" type="xs:string"/>
<xs:element name="MO_OID" type="xs:string"/>
<xs:element minOccurs="0" name="Location_Id" type="xs:string"/>
<xs:element name="Page" type="xs:int"/>
<xs:element name="Page_Size" type="xs:int"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="GetSlotsResponse"><xs:complexType><xs:sequence>
<xs:element minOccurs="0" maxOccurs="unbounded" name="Slot" type="tns:Slot"/>
<xs:element name="Total" type="xs:int"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="UpdateAppointmentStatus"><xs:complexType><xs:sequence>
<xs:element name="Session_ID" type="xs:string"/>
<xs:element name="Book_Id_Mis" type="xs:string"/>
<xs:element name="Slot_Id" type="xs:string"/>
<xs:element name="MO_OID" type="xs:string"/>
<xs:element name="Status" type="tns:AppointmentStatus"/>
<xs:element name="Version" type="xs:long"/>
</xs:sequence></xs:complexType></xs:element>
<xs:element name="UpdateAppointmentStatusResponse"><xs:complexType><xs:sequence>
<xs:element name="Result" type="tns:Result"/>
</xs:sequence></xs:complexType></xs:element>
</xs:schema>`;

const messages = ferOperations
  .map(
    (name) =>
      `<wsdl:message name="${name}_Input"><wsdl:part name="parameters" element="tns:${name}"/></wsdl:message>\n` +
      `<wsdl:message name="${name}_Output"><wsdl:part name="parameters" element="tns:${name}Response"/></wsdl:message>`,
  )
  .join('\n');

const portTypeOperations = ferOperations
  .map(
    (name) =>
      `<wsdl:operation name="${name}"><wsdl:input message="tns:${name}_Input"/><wsdl:output message="tns:${name}_Output"/>` +
      `<wsdl:fault name="Fault" message="tns:Fault"/></wsdl:operation>`,
  )
  .join('\n');

const bindingOperations = ferOperations
  .map(
    (name) =>
      `<wsdl:operation name="${name}"><soap:operation soapAction="${ferSoapActionOf(name)}" style="document"/>` +
      `<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>` +
      `<wsdl:fault name="Fault"><soap:fault name="Fault" use="literal"/></wsdl:fault></wsdl:operation>`,
  )
  .join('\n');

/** Where {@link ferRegistryWsdlTemplate} has the endpoint address; {@link ferRegistryWsdl} replaces it. */
export const ferRegistryLocationPlaceholder = '{{LOCATION}}';

/**
 * The complete WSDL of the push API (service `RegistryService`, port type `RegistryPortType`,
 * binding `RegistrySoapBinding`), SOAP 1.1 document/literal, with its XSD embedded and
 * {@link ferRegistryLocationPlaceholder} as `soap:address`.
 */
export const ferRegistryWsdlTemplate = `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="RegistryService" targetNamespace="${FerNamespace}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${FerNamespace}" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<wsdl:types>
${schema}
</wsdl:types>
<wsdl:message name="Fault"><wsdl:part name="detail" element="tns:Fault"/></wsdl:message>
${messages}
<wsdl:portType name="RegistryPortType">
${portTypeOperations}
</wsdl:portType>
<wsdl:binding name="RegistrySoapBinding" type="tns:RegistryPortType">
<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
${bindingOperations}
</wsdl:binding>
<wsdl:service name="RegistryService">
<wsdl:port name="RegistryPort" binding="tns:RegistrySoapBinding"><soap:address location="${ferRegistryLocationPlaceholder}"/></wsdl:port>
</wsdl:service>
</wsdl:definitions>
`;

/** The WSDL with `location` (e.g. `http://fer.example/fer/RegistryService`) as the endpoint address. */
export function ferRegistryWsdl(location: string): string {
  const escaped = location.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return ferRegistryWsdlTemplate.replace(ferRegistryLocationPlaceholder, escaped);
}
