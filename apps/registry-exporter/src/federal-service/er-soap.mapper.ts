import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { ValidationError } from '@medbus/errors';
import { SafeXmlCode, assertSafeXml, escapeXml } from '@medbus/hubservice';
import { ErNamespace, erMessages, erOperations, type ErElement, type ErOperation, type ErRequest, type ErResponse, type ErSimpleType } from './er-service.contract';
import { BadValueError, MissingElementError, UnknownOperationError } from './federal-service.errors';

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // assertSafeXml has refused any DTD first: only the predefined entities and character references remain.
  processEntities: true,
  htmlEntities: false,
});

type Raw = unknown;

function asRecord(value: Raw): Record<string, Raw> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, Raw>) : undefined;
}

const isNil = (value: Raw): boolean => ['true', '1'].includes(String(asRecord(value)?.['@nil']));

/** Whether an xs:date names a real day (2026-02-30 does not). */
function isRealDate(value: string): boolean {
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

/** The decoder's rule for a simple type, in zod: the same pattern and length as the WSDL's restriction (enumerations are only answered, never decoded). */
function scalarSchema(type: ErSimpleType): z.ZodType<string> {
  let schema = z.string();
  if (type.maxLength !== undefined) schema = schema.max(type.maxLength, `at most ${type.maxLength} characters`);
  if (type.pattern !== undefined) schema = schema.regex(type.pattern, `not a valid ${type.name}`);
  return type.base === 'xs:date' ? schema.refine(isRealDate, 'not a real xs:date') : schema;
}

const scalarSchemas = new Map<ErSimpleType, z.ZodType<string>>();
const schemaOf = (type: ErSimpleType): z.ZodType<string> => {
  let schema = scalarSchemas.get(type);
  if (!schema) scalarSchemas.set(type, (schema = scalarSchema(type)));
  return schema;
};

/** The text of a leaf element, or undefined when it holds child elements instead. */
function leafText(value: Raw): string | undefined {
  if (typeof value === 'string') return value;
  const record = asRecord(value);
  if (!record) return undefined;
  if (Object.keys(record).some((key) => !key.startsWith('@') && key !== '#text')) return undefined;
  return typeof record['#text'] === 'string' ? record['#text'] : '';
}

function decodeSequence(elements: readonly ErElement[], record: Record<string, Raw>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const element of elements) {
    const field = `${path}${element.name}`;
    const raw = record[element.name];
    const values = raw === undefined || isNil(raw) ? [] : Array.isArray(raw) ? raw : [raw];
    if (values.length > 1 && !element.repeated) throw new BadValueError(field, 'repeated element');
    const decoded = values.map((value) => decodeElement(element, value, field)).filter((value) => value !== undefined);
    if (decoded.length === 0) {
      if (!element.optional) throw new MissingElementError(field);
      continue;
    }
    out[element.name] = element.repeated ? decoded : decoded[0];
  }
  return out;
}

function decodeElement(element: ErElement, value: Raw, field: string): unknown {
  if (Array.isArray(element.type)) {
    if (typeof value === 'string' && value !== '') throw new BadValueError(field, 'text where elements are expected');
    return decodeSequence(element.type as readonly ErElement[], asRecord(value) ?? {}, `${field}/`);
  }
  const text = leafText(value);
  if (text === undefined) throw new BadValueError(field, 'elements where text is expected');
  // An empty element is an absent one (a client writing <MO_OID/> for "none").
  if (text === '') return undefined;
  const result = schemaOf(element.type as ErSimpleType).safeParse(text);
  if (!result.success) throw new BadValueError(field, result.error.issues[0]?.message ?? 'invalid');
  return result.data;
}

/**
 * Guards, parses and decodes an ErWebService request: the operation is the SOAP Body's first element,
 * its parameters are checked element by element against the contract (types, patterns, lengths,
 * required elements). Elements the contract does not name are ignored.
 *
 * @throws ValidationError `SOAP.*` from the XML guard, `SOAP.UNKNOWN_OPERATION`, `SOAP.BAD_VALUE`, `ER.MISSING_ELEMENT`
 */
export function decodeErRequest(xml: string | Buffer, maxBytes: number): ErRequest {
  const text = assertSafeXml(xml, { maxBytes });
  let doc: Record<string, Raw>;
  try {
    doc = parser.parse(text) as Record<string, Raw>;
  } catch (cause) {
    // The parser refuses names such as __proto__ and constructor with a plain Error.
    throw new ValidationError(SafeXmlCode.malformed, 'XML the parser refuses', { cause });
  }
  const body = asRecord(asRecord(doc['Envelope'])?.['Body']);
  if (!body) throw new ValidationError(SafeXmlCode.malformed, 'not a SOAP envelope');
  const name = Object.keys(body).find((key) => !key.startsWith('@'));
  const operation = erOperations.find((candidate) => candidate === name);
  if (operation === undefined) throw new UnknownOperationError();
  const raw = body[operation];
  if (Array.isArray(raw)) throw new BadValueError(operation, 'repeated operation element');
  if (typeof raw === 'string' && raw !== '') throw new BadValueError(operation, 'text where elements are expected');
  const params = decodeSequence(erMessages[operation].request, asRecord(raw) ?? {}, '');
  return { operation, params } as ErRequest;
}

// ---- writing ----------------------------------------------------------------------------------

/** Characters XML 1.0 cannot carry (a control character in an MIS's name must not break the envelope). */
const notXmlCharacters = /(?![\t\n\r])\p{Cc}|[\ufffe\uffff]/gu;

const textOf = (value: unknown): string => escapeXml(String(value).replace(notXmlCharacters, ''));

function encodeSequence(elements: readonly ErElement[], value: Record<string, unknown>, path: string): string {
  let xml = '';
  for (const element of elements) {
    const item = value[element.name];
    if (item === undefined || item === null) {
      if (!element.optional) throw new Error(`${path}${element.name} is required in the response`);
      continue;
    }
    const items = element.repeated ? (item as readonly unknown[]) : [item];
    for (const one of items) {
      xml += Array.isArray(element.type)
        ? `<${element.name}>${encodeSequence(element.type as readonly ErElement[], one as Record<string, unknown>, `${path}${element.name}/`)}</${element.name}>`
        : `<${element.name}>${textOf(one)}</${element.name}>`;
    }
  }
  return xml;
}

/** The SOAP 1.1 envelope answering a request: `<OperationResponse xmlns="…/er/v2_0">`, elements in contract order. */
export function encodeErResponse(response: ErResponse): string {
  const operation: ErOperation = response.operation;
  const children = encodeSequence(erMessages[operation].response, response.result as unknown as Record<string, unknown>, '');
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
    `<${operation}Response xmlns="${ErNamespace}">${children}</${operation}Response></soap:Body></soap:Envelope>`
  );
}
