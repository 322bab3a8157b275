import { XMLParser } from 'fast-xml-parser';
import { AppErrorOptions, UnavailableError, ValidationError } from '@medbus/errors';
import { HubNamespace, type HubScalar, fieldsOf, findFacadeOperation, findOperation, type HubContractName, type HubField, type HubFieldType, type HubOperation } from './hubservice.contract';
import type { HubFacadeOperationName, HubFacadeRequests, HubFacadeResults, HubRequests } from './hubservice.types';
import { assertSafeXml, SafeXmlCode, type SafeXmlOptions } from './safe-xml.guard';

/** Codes of the SOAP codec. */
export const SoapCodecCode = {
  unknownOperation: 'SOAP.UNKNOWN_OPERATION',
  badValue: 'SOAP.BAD_VALUE',
  fault: 'SOAP.FAULT',
} as const;

/** A SOAP fault the peer answered with. Retryable when the fault blames the server. */
export class SoapFaultError extends UnavailableError {
  constructor(
    readonly faultCode: string,
    readonly faultString: string,
    options?: AppErrorOptions,
  ) {
    super(SoapCodecCode.fault, `SOAP fault ${faultCode}: ${faultString}`, { ...options, details: { faultCode } });
  }
}

type Raw = unknown;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // The guard has refused any DTD; only the five predefined entities and character references remain.
  processEntities: true,
  htmlEntities: false,
});

/** The guarded, parsed `Envelope/Body` of a SOAP 1.1 or 1.2 message. */
function parseBody(xml: string | Buffer, options?: SafeXmlOptions): Record<string, Raw> {
  const text = assertSafeXml(xml, options);
  let doc: Record<string, Raw>;
  try {
    doc = parser.parse(text) as Record<string, Raw>;
  } catch (cause) {
    // The parser refuses names such as __proto__ and constructor with a plain Error.
    throw new ValidationError(SafeXmlCode.malformed, 'XML the parser refuses', { cause });
  }
  const body = asRecord(asRecord(doc['Envelope'])?.['Body']);
  if (!body) throw new ValidationError(SafeXmlCode.malformed, 'not a SOAP envelope');
  return body;
}

const guidElement = /<(?:[A-Za-z_][\w.-]{0,63}:)?guid(?:\s[^<>]{0,512})?>\s*([^<]{0,256}?)\s*<\//;
const predefinedEntities: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * The value of the first `guid` element of a SOAP request, found by one regular-expression scan of
 * the raw text without parsing it, so a server can refuse an unknown client before it pays for a
 * whole body (linear in the size; bounded element and value lengths). Undefined when there is none
 * or it is not plain text (CDATA, a nested element). The parsed request stays authoritative.
 */
export function peekSoapGuid(xml: string): string | undefined {
  const value = guidElement.exec(xml)?.[1];
  return value?.replace(/&(lt|gt|amp|quot|apos);/g, (_match, name: string) => predefinedEntities[name] ?? '');
}

/** A decoded request: which operation and its parameters. */
export type DecodedRequest = {
  [K in keyof HubRequests]: { readonly operation: K; readonly params: HubRequests[K] };
}[keyof HubRequests];

/**
 * Guards, parses and decodes a SOAP request for any operation of hubservice.wsdl or
 * hubservice-notifications.wsdl. The operation is the Body's first element (the SOAPAction
 * header is advisory in WCF's basicHttpBinding as well, so callers may cross-check it).
 *
 * @throws ValidationError `SOAP.*` from the guard, `SOAP.UNKNOWN_OPERATION`, `SOAP.BAD_VALUE`
 */
export function decodeSoapRequest(xml: string | Buffer, options?: SafeXmlOptions): DecodedRequest {
  return decodeRequestOf(xml, findOperation, options) as DecodedRequest;
}

/** A decoded request to the hub facade: any MIS operation or the hub's own (SetWaitingList). */
export type DecodedFacadeRequest = {
  [K in HubFacadeOperationName]: { readonly operation: K; readonly params: HubFacadeRequests[K] };
}[HubFacadeOperationName];

/**
 * Guards, parses and decodes a SOAP request to the hub facade (`hubFacadeWsdl`): the operations of
 * hubservice.wsdl and SetWaitingList; the notification operations are unknown here.
 *
 * @throws ValidationError `SOAP.*` from the guard, `SOAP.UNKNOWN_OPERATION`, `SOAP.BAD_VALUE`
 */
export function decodeFacadeSoapRequest(xml: string | Buffer, options?: SafeXmlOptions): DecodedFacadeRequest {
  return decodeRequestOf(xml, findFacadeOperation, options) as DecodedFacadeRequest;
}

function decodeRequestOf(xml: string | Buffer, find: (name: string) => HubOperation | undefined, options?: SafeXmlOptions): { operation: string; params: unknown } {
  const body = parseBody(xml, options);
  const name = Object.keys(body).find((key) => !key.startsWith('@'));
  const operation = name === undefined ? undefined : find(name);
  if (!operation || name === undefined) throw new ValidationError(SoapCodecCode.unknownOperation, 'unknown operation', { details: { operation: name } });
  const raw = asRecord(body[name]) ?? {};
  const params: Record<string, unknown> = {};
  for (const field of operation.params) {
    const value = decodeValue(field, raw[field.name]);
    if (value !== undefined) params[field.name] = value;
  }
  return { operation: operation.name, params };
}

/**
 * Guards, parses and decodes a SOAP response of `operation` into its result contract.
 *
 * @throws SoapFaultError when the peer answered with a fault; ValidationError `SOAP.*` otherwise.
 */
export function decodeSoapResponse<K extends keyof HubFacadeResults>(operation: K, xml: string | Buffer, options?: SafeXmlOptions): HubFacadeResults[K] {
  const descriptor = requireOperation(operation);
  const body = parseBody(xml, options);
  const fault = asRecord(body['Fault']);
  if (fault) {
    // SOAP 1.1 faultcode/faultstring; SOAP 1.2 Code/Value and Reason/Text.
    const code = text(fault['faultcode']) ?? text(asRecord(fault['Code'])?.['Value']) ?? 'Server';
    const reason = text(fault['faultstring']) ?? text(asRecord(fault['Reason'])?.['Text']) ?? '';
    throw new SoapFaultError(code.replace(/^.*:/, ''), reason);
  }
  const response = asRecord(body[`${operation}Response`]);
  if (!response) throw new ValidationError(SafeXmlCode.malformed, `no ${operation}Response in the SOAP body`);
  const result = decodeValue({ name: `${operation}Result`, type: { contract: descriptor.result } }, response[`${operation}Result`]);
  if (result === undefined) throw new ValidationError(SafeXmlCode.malformed, `no ${operation}Result in the SOAP body`);
  return result as HubFacadeResults[K];
}

function requireOperation(name: string): HubOperation {
  const operation = findOperation(name) ?? findFacadeOperation(name);
  if (!operation) throw new ValidationError(SoapCodecCode.unknownOperation, 'unknown operation', { details: { operation: name } });
  return operation;
}

function asRecord(value: Raw): Record<string, Raw> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, Raw>) : undefined;
}

function text(value: Raw): string | undefined {
  if (typeof value === 'string') return value;
  const record = asRecord(value);
  if (record && typeof record['#text'] === 'string') return record['#text'];
  if (record) return '';
  return undefined;
}

function isNil(value: Raw): boolean {
  const record = asRecord(value);
  return record?.['@nil'] === 'true' || record?.['@nil'] === '1';
}

function decodeValue(field: HubField, raw: Raw): unknown {
  if (raw === undefined || raw === null || isNil(raw)) return undefined;
  if (Array.isArray(raw)) throw bad(field, 'repeated element');
  return decodeType(field, field.type, raw);
}

function decodeType(field: HubField, type: HubFieldType, raw: Raw): unknown {
  if (typeof type === 'string') return decodeScalar(field, type, text(raw) ?? '');
  const record = asRecord(raw) ?? {};
  if ('contract' in type) return decodeContract(type.contract, record);
  const itemName = 'listOf' in type ? type.listOf : type.listOfScalar;
  const items = record[itemName];
  const list = items === undefined ? [] : Array.isArray(items) ? items : [items];
  return list
    .filter((item) => !isNil(item))
    .map((item) => ('listOf' in type ? decodeContract(type.listOf, asRecord(item) ?? {}) : decodeScalar(field, type.listOfScalar, text(item) ?? '')));
}

function decodeContract(contract: HubContractName, record: Record<string, Raw>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of fieldsOf(contract)) {
    const value = decodeValue(member, record[member.name]);
    if (value !== undefined) out[member.name] = value;
  }
  return out;
}

const dateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?$/;

function decodeScalar(field: HubField, scalar: HubScalar, value: string): unknown {
  if (scalar === 'string') return value;
  if (value === '') return undefined;
  switch (scalar) {
    case 'int': {
      const n = Number(value);
      if (!/^[+-]?\d{1,10}$/.test(value) || n > 2147483647 || n < -2147483648) throw bad(field, 'not an xs:int');
      return n;
    }
    case 'long': {
      const n = Number(value);
      if (!/^[+-]?\d{1,19}$/.test(value) || !Number.isSafeInteger(n)) throw bad(field, 'not an xs:long within 2^53');
      return n;
    }
    case 'double': {
      const n = Number(value);
      if (!Number.isFinite(n)) throw bad(field, 'not an xs:double');
      return n;
    }
    case 'boolean':
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      throw bad(field, 'not an xs:boolean');
    case 'dateTime':
      if (!dateTimePattern.test(value) || Number.isNaN(Date.parse(value.slice(0, 19) + 'Z'))) throw bad(field, 'not an xs:dateTime');
      return value;
    default:
      scalar satisfies never;
      return value;
  }
}

function bad(field: HubField, reason: string): ValidationError {
  return new ValidationError(SoapCodecCode.badValue, `${field.name}: ${reason}`, { details: { field: field.name } });
}

// ---- writing ----

const envelopeOpen = `<s:Envelope xmlns:s="${HubNamespace.soapEnvelope}"><s:Body>`;
const envelopeClose = '</s:Body></s:Envelope>';
const contractNs = `xmlns:a="${HubNamespace.contracts}" xmlns:i="${HubNamespace.xsi}"`;

/** Escapes text for element content and attribute values. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/**
 * The SOAP 1.1 envelope answering `operation` with `result`, serialised as WCF does:
 * `<OpResponse xmlns="http://tempuri.org/"><OpResult xmlns:a="…HubService2" xmlns:i="…">`,
 * members in DataContract order, absent nillable members as `i:nil="true"`.
 */
export function encodeSoapResponse<K extends keyof HubFacadeResults>(operation: K, result: HubFacadeResults[K]): string {
  const descriptor = requireOperation(operation);
  const members = encodeMembers(descriptor.result, result as unknown as Record<string, unknown>);
  return `<?xml version="1.0" encoding="utf-8"?>${envelopeOpen}<${operation}Response xmlns="${HubNamespace.service}"><${operation}Result ${contractNs}>${members}</${operation}Result></${operation}Response>${envelopeClose}`;
}

/** The SOAP 1.1 request envelope calling `operation` with `params` (for clients: the adapter, the notifier, tests). */
export function encodeSoapRequest<K extends keyof HubFacadeRequests>(operation: K, params: HubFacadeRequests[K]): string {
  const descriptor = requireOperation(operation);
  const values = params as Record<string, unknown>;
  const children = descriptor.params.map((field) => encodeElement(field, '', values[field.name])).join('');
  return `<?xml version="1.0" encoding="utf-8"?>${envelopeOpen}<${operation} xmlns="${HubNamespace.service}" ${contractNs}>${children}</${operation}>${envelopeClose}`;
}

/** A SOAP 1.1 fault, worded for the client: never a stack trace or an internal message. */
export function encodeSoapFault(faultCode: 'Client' | 'Server', faultString: string, errorCode?: string): string {
  // A stable code for programs (and tests) in the fault's detail; faultstring is worded for people.
  const detail = errorCode === undefined ? '' : `<detail><ErrorCode xmlns="urn:medbus:fault">${escapeXml(errorCode)}</ErrorCode></detail>`;
  return `<?xml version="1.0" encoding="utf-8"?>${envelopeOpen}<s:Fault><faultcode>s:${faultCode}</faultcode><faultstring xml:lang="ru-RU">${escapeXml(faultString)}</faultstring>${detail}</s:Fault>${envelopeClose}`;
}

function encodeMembers(contract: HubContractName, value: Record<string, unknown>): string {
  return fieldsOf(contract)
    .map((field) => encodeElement(field, 'a:', value[field.name]))
    .join('');
}

function isNillable(field: HubField): boolean {
  return typeof field.type !== 'string' || field.type === 'string' || field.nullable === true;
}

function encodeElement(field: HubField, prefix: string, value: unknown): string {
  const tag = prefix + field.name;
  if (value === undefined || value === null) return isNillable(field) ? `<${tag} i:nil="true"/>` : '';
  const type = field.type;
  if (typeof type === 'string') return `<${tag}>${escapeXml(encodeScalar(field, type, value))}</${tag}>`;
  if ('contract' in type) return `<${tag}>${encodeMembers(type.contract, value as Record<string, unknown>)}</${tag}>`;
  const items = value as readonly unknown[];
  if ('listOf' in type) {
    const inner = items.map((item) => `<a:${type.listOf}>${encodeMembers(type.listOf, item as Record<string, unknown>)}</a:${type.listOf}>`).join('');
    return `<${tag}>${inner}</${tag}>`;
  }
  const inner = items.map((item) => `<b:${type.listOfScalar}>${escapeXml(encodeScalar(field, type.listOfScalar, item))}</b:${type.listOfScalar}>`).join('');
  return `<${tag} xmlns:b="${HubNamespace.arrays}">${inner}</${tag}>`;
}

function encodeScalar(field: HubField, scalar: HubScalar, value: unknown): string {
  switch (scalar) {
    case 'string':
    case 'dateTime':
      return String(value);
    case 'int':
    case 'long':
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(field, `not a number`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      scalar satisfies never;
      return String(value);
  }
}
