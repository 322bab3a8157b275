import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import {
  FerFaultCode,
  FerNamespace,
  FerOperation,
  ferList,
  type FerFault,
  type FerLocation,
  type FerResult,
  type FerResponses,
  type FerSlot,
} from '@medbus/federal-registry';
import type { RawItem } from './registry.rules';

/** A whole-call failure, answered as a SOAP Fault carrying a `fer:Fault`. */
export class FerFaultError extends Error {
  constructor(
    readonly code: FerFaultCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'FerFaultError';
  }

  get fault(): FerFault {
    return { Code: this.code, Message: this.message, ...(this.retryAfterSeconds === undefined ? {} : { Retry_After_Seconds: this.retryAfterSeconds }) };
  }
}

const malformed = (message: string): FerFaultError => new FerFaultError(FerFaultCode.MalformedRequest, message);

/** Repeated elements: read as lists whether one or many came. */
const arrayPaths: ReadonlySet<string> = new Set([
  'Envelope.Body.UpdateLocations.Location',
  'Envelope.Body.UpdateLocations.Location.Channels.Channel',
  'Envelope.Body.RemoveLocations.Location_Id',
  'Envelope.Body.UpdateSlots.Slot',
  'Envelope.Body.RemoveSlots.Slot_Id',
]);

const predefinedEntities: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The five predefined entities and character references; nothing else is ever expanded. */
function decodeText(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return predefinedEntities[name] ?? whole;
  });
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  // No DTD reaches the parser (refused before), and no entity is ever expanded by it.
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_name, value) => decodeText(value),
  isArray: (_name, jPath) => arrayPaths.has(String(jPath)),
});

const text = z.string().min(1).max(1000);
const integer = z.string().regex(/^-?\d{1,9}$/, 'expected an integer').transform(Number);
const item = z.record(z.unknown()) as z.ZodType<RawItem>;
const withSession = { Session_ID: text };

const requestSchemas = {
  OpenSession: z.object({ Login: text, Password: text }),
  CloseSession: z.object(withSession),
  UpdateLocations: z.object({ ...withSession, Location: z.array(item).min(1) }),
  RemoveLocations: z.object({ ...withSession, Location_Id: z.array(text).min(1) }),
  UpdateSlots: z.object({ ...withSession, Slot: z.array(item).min(1) }),
  RemoveSlots: z.object({ ...withSession, Slot_Id: z.array(text).min(1) }),
  GetLocations: z.object({ ...withSession, MO_OID: text, Page: integer, Page_Size: integer }),
  GetSlots: z.object({ ...withSession, MO_OID: text, Location_Id: text.optional(), Page: integer, Page_Size: integer }),
  UpdateAppointmentStatus: z.object({ ...withSession, Book_Id_Mis: text, Slot_Id: text, MO_OID: text, Status: text, Version: text }),
} as const satisfies Record<FerOperation, z.ZodTypeAny>;

type RequestSchemas = typeof requestSchemas;

/** A decoded request: its operation and its parameters, checked for shape (items are checked one by one later). */
export type DecodedRequest = { [Op in FerOperation]: { readonly operation: Op; readonly params: z.infer<RequestSchemas[Op]> } }[FerOperation];

const operations: ReadonlySet<string> = new Set(Object.values(FerOperation));

/**
 * Decodes a SOAP 1.1 request of the push API. Refuses, as MALFORMED_REQUEST, a document type
 * declaration (no entity ever expands), anything not a SOAP envelope, an element outside the
 * contract's namespace, an unknown operation and a missing or mistyped element.
 */
export function decodeFerRequest(xml: string): DecodedRequest {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw malformed('a document type declaration is refused');
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    throw malformed('not well-formed XML');
  }
  const envelope = doc['Envelope'];
  const body = typeof envelope === 'object' && envelope !== null ? (envelope as Record<string, unknown>)['Body'] : undefined;
  if (typeof body !== 'object' || body === null) throw malformed('not a SOAP envelope');
  const names = Object.keys(body);
  if (names.length !== 1) throw malformed('the SOAP body must hold exactly one operation element');
  const operation = names[0] as string;
  if (!operations.has(operation)) throw malformed(`unknown operation ${operation.slice(0, 64)}`);
  // The parser drops namespaces; the contract's must at least be declared (a namespace-less or foreign request is not ours).
  if (!xml.includes(`"${FerNamespace}"`) && !xml.includes(`'${FerNamespace}'`)) throw malformed(`the operation is not in the namespace ${FerNamespace}`);
  const raw = (body as Record<string, unknown>)[operation];
  if (Array.isArray(raw)) throw malformed('the SOAP body must hold exactly one operation element');
  const params = requestSchemas[operation as FerOperation].safeParse(typeof raw === 'object' && raw !== null ? raw : {});
  if (!params.success) {
    throw malformed(`${operation}: ${params.error.issues.map((i) => `${i.path.join('.') || 'request'} ${i.message}`).join('; ')}`.slice(0, 500));
  }
  return { operation, params: params.data } as DecodedRequest;
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const element = (name: string, value: string | number | undefined): string => (value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`);

function resultXml(result: FerResult): string {
  return `<Result>${element('Key', result.Key)}${element('Status', result.Status)}${element('Reason_Code', result.Reason_Code)}${element('Reason', result.Reason)}</Result>`;
}

function locationXml(l: FerLocation): string {
  const channels = ferList(l.Channels?.Channel).map((c) => element('Channel', c)).join('');
  return (
    `<Location>${element('Location_Id', l.Location_Id)}${element('MO_OID', l.MO_OID)}${element('Department_OID', l.Department_OID)}` +
    `${element('Doctor_SNILS', l.Doctor_SNILS)}${element('Doctor_Name', l.Doctor_Name)}${element('Specialty_Code', l.Specialty_Code)}` +
    `${element('Position_Code', l.Position_Code)}${element('Room', l.Room)}<Channels>${channels}</Channels>${element('Version', l.Version)}</Location>`
  );
}

function slotXml(s: FerSlot): string {
  return (
    `<Slot>${element('Slot_Id', s.Slot_Id)}${element('Location_Id', s.Location_Id)}${element('MO_OID', s.MO_OID)}` +
    `${element('Visit_Start', s.Visit_Start)}${element('Visit_End', s.Visit_End)}${element('Room', s.Room)}${element('Status', s.Status)}${element('Version', s.Version)}</Slot>`
  );
}

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

/** The `<Operation>Response` of an operation in a SOAP 1.1 envelope, children in the contract's namespace. */
export function encodeFerResponse<Op extends FerOperation>(operation: Op, response: FerResponses[Op]): string {
  const r = response as Partial<Record<string, unknown>>;
  let content: string;
  switch (operation) {
    case FerOperation.OpenSession:
      content = element('Session_ID', r['Session_ID'] as string) + element('Expires_At', r['Expires_At'] as string);
      break;
    case FerOperation.CloseSession:
      content = '';
      break;
    case FerOperation.UpdateLocations:
    case FerOperation.RemoveLocations:
    case FerOperation.UpdateSlots:
    case FerOperation.RemoveSlots:
      content = (r['Result'] as FerResult[]).map(resultXml).join('');
      break;
    case FerOperation.GetLocations:
      content = (r['Location'] as FerLocation[]).map(locationXml).join('') + element('Total', r['Total'] as number);
      break;
    case FerOperation.GetSlots:
      content = (r['Slot'] as FerSlot[]).map(slotXml).join('') + element('Total', r['Total'] as number);
      break;
    case FerOperation.UpdateAppointmentStatus:
      content = resultXml(r['Result'] as FerResult);
      break;
    default:
      throw new Error(`no encoder for ${operation satisfies never}`);
  }
  return envelope(`<${operation}Response xmlns="${FerNamespace}">${content}</${operation}Response>`);
}

/** Codes the caller caused (SOAP `Client`); the rest are the federal side's own (SOAP `Server`). */
const clientCodes: ReadonlySet<FerFaultCode> = new Set([FerFaultCode.SessionInvalid, FerFaultCode.AuthFailed, FerFaultCode.BatchTooLarge, FerFaultCode.MalformedRequest]);

/** A SOAP 1.1 Fault with `<detail><fer:Fault>`; the faultstring starts with the code. */
export function encodeFerFault(fault: FerFault): string {
  const side = clientCodes.has(fault.Code) ? 'Client' : 'Server';
  const retry = fault.Retry_After_Seconds === undefined ? '' : `<fer:Retry_After_Seconds>${fault.Retry_After_Seconds}</fer:Retry_After_Seconds>`;
  return envelope(
    `<soap:Fault><faultcode>soap:${side}</faultcode><faultstring>${escapeXml(`${fault.Code}: ${fault.Message}`)}</faultstring>` +
      `<detail><fer:Fault xmlns:fer="${FerNamespace}"><fer:Code>${fault.Code}</fer:Code><fer:Message>${escapeXml(fault.Message)}</fer:Message>${retry}</fer:Fault></detail></soap:Fault>`,
  );
}
