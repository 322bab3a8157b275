import { XMLParser } from 'fast-xml-parser';
import {
  FerNamespace,
  FerOperation,
  ferList,
  type FerFault,
  type FerFaultCode,
  type FerLocation,
  type FerRequests,
  type FerResult,
  type FerSlot,
} from '@medbus/federal-registry';

/**
 * SOAP 1.1 envelopes of the federal push API, built as text and parsed with fast-xml-parser: an
 * initial export is 2 M slots in 4,000 calls, so neither side goes through a WSDL-driven client.
 * Every element is qualified in the contract's namespace (elementFormDefault="qualified").
 */

// eslint-disable-next-line no-control-regex -- the control characters XML 1.0 cannot carry are exactly what it matches
const invalidXmlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text as element content: the five markup characters escaped, characters XML 1.0 cannot carry dropped. */
export function escapeXml(value: string): string {
  return value.replace(invalidXmlChars, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function el(name: string, value: string | number | undefined | null): string {
  return value === undefined || value === null ? '' : `<fer:${name}>${typeof value === 'number' ? String(value) : escapeXml(value)}</fer:${name}>`;
}

function locationXml(l: FerLocation): string {
  const channels = l.Channels.Channel.map((channel) => el('Channel', channel)).join('');
  return `<fer:Location>${el('Location_Id', l.Location_Id)}${el('MO_OID', l.MO_OID)}${el('Department_OID', l.Department_OID)}${el('Doctor_SNILS', l.Doctor_SNILS)}${el('Doctor_Name', l.Doctor_Name)}${el('Specialty_Code', l.Specialty_Code)}${el('Position_Code', l.Position_Code)}${el('Room', l.Room)}<fer:Channels>${channels}</fer:Channels>${el('Version', l.Version)}</fer:Location>`;
}

function slotXml(s: FerSlot): string {
  return `<fer:Slot>${el('Slot_Id', s.Slot_Id)}${el('Location_Id', s.Location_Id)}${el('MO_OID', s.MO_OID)}${el('Visit_Start', s.Visit_Start)}${el('Visit_End', s.Visit_End)}${el('Room', s.Room)}${el('Status', s.Status)}${el('Version', s.Version)}</fer:Slot>`;
}

/** The request envelope of an operation, in the contract's field order. */
export function ferRequestXml<Op extends FerOperation>(operation: Op, request: FerRequests[Op]): string {
  const r = request as FerRequests[FerOperation];
  let content: string;
  switch (operation) {
    case FerOperation.OpenSession: {
      const open = r as FerRequests['OpenSession'];
      content = el('Login', open.Login) + el('Password', open.Password);
      break;
    }
    case FerOperation.CloseSession:
      content = el('Session_ID', (r as FerRequests['CloseSession']).Session_ID);
      break;
    case FerOperation.UpdateLocations: {
      const update = r as FerRequests['UpdateLocations'];
      content = el('Session_ID', update.Session_ID) + update.Location.map(locationXml).join('');
      break;
    }
    case FerOperation.RemoveLocations: {
      const remove = r as FerRequests['RemoveLocations'];
      content = el('Session_ID', remove.Session_ID) + remove.Location_Id.map((id) => el('Location_Id', id)).join('');
      break;
    }
    case FerOperation.UpdateSlots: {
      const update = r as FerRequests['UpdateSlots'];
      content = el('Session_ID', update.Session_ID) + update.Slot.map(slotXml).join('');
      break;
    }
    case FerOperation.RemoveSlots: {
      const remove = r as FerRequests['RemoveSlots'];
      content = el('Session_ID', remove.Session_ID) + remove.Slot_Id.map((id) => el('Slot_Id', id)).join('');
      break;
    }
    case FerOperation.GetLocations: {
      const get = r as FerRequests['GetLocations'];
      content = el('Session_ID', get.Session_ID) + el('MO_OID', get.MO_OID) + el('Page', get.Page) + el('Page_Size', get.Page_Size);
      break;
    }
    case FerOperation.GetSlots: {
      const get = r as FerRequests['GetSlots'];
      content = el('Session_ID', get.Session_ID) + el('MO_OID', get.MO_OID) + el('Location_Id', get.Location_Id) + el('Page', get.Page) + el('Page_Size', get.Page_Size);
      break;
    }
    case FerOperation.UpdateAppointmentStatus: {
      const update = r as FerRequests['UpdateAppointmentStatus'];
      content =
        el('Session_ID', update.Session_ID) + el('Book_Id_Mis', update.Book_Id_Mis) + el('Slot_Id', update.Slot_Id) + el('MO_OID', update.MO_OID) + el('Status', update.Status) + el('Version', update.Version);
      break;
    }
    default:
      throw new Error(`no request encoder for ${operation satisfies never}`);
  }
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:fer="${FerNamespace}"><soap:Body><fer:${operation}>${content}</fer:${operation}></soap:Body></soap:Envelope>`;
}

const predefinedEntities: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The five predefined entities and character references; the parser itself expands nothing. */
function decodeText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return predefinedEntities[name] ?? whole;
  });
}

const repeated: ReadonlySet<string> = new Set(['Result', 'Location', 'Slot', 'Channel']);

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_name, value) => decodeText(value),
  isArray: (name) => repeated.has(name),
});

type Raw = Record<string, unknown>;

/** What a federal answer came to: the operation's response element, or the Fault of a whole-call failure. */
export type FerAnswer = { readonly kind: 'response'; readonly body: Raw } | { readonly kind: 'fault'; readonly fault: FerFault } | { readonly kind: 'unreadable'; readonly problem: string };

function record(value: unknown): Raw | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : undefined;
}

/** Parses an answer envelope: the `<operation>Response` element, a SOAP Fault with its `fer:Fault`, or why neither could be read. */
export function parseFerAnswer(operation: FerOperation, xml: string): FerAnswer {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return { kind: 'unreadable', problem: 'a document type declaration' };
  let doc: Raw;
  try {
    doc = parser.parse(xml) as Raw;
  } catch {
    return { kind: 'unreadable', problem: 'not well-formed XML' };
  }
  const body = record(record(doc['Envelope'])?.['Body']);
  if (!body) return { kind: 'unreadable', problem: 'not a SOAP envelope' };
  const fault = record(body['Fault']);
  if (fault) {
    const detail = record(record(fault['detail'])?.['Fault']);
    const code = typeof detail?.['Code'] === 'string' ? (detail['Code'] as FerFaultCode) : undefined;
    if (!code) return { kind: 'unreadable', problem: `a SOAP Fault without fer:Fault (${String(fault['faultstring'] ?? '').slice(0, 200)})` };
    const retry = detail?.['Retry_After_Seconds'];
    const retryAfter = typeof retry === 'string' && /^\d{1,9}$/.test(retry) ? Number(retry) : undefined;
    return { kind: 'fault', fault: { Code: code, Message: typeof detail?.['Message'] === 'string' ? (detail['Message'] as string) : '', ...(retryAfter === undefined ? {} : { Retry_After_Seconds: retryAfter }) } };
  }
  const response = body[`${operation}Response`];
  // An empty element (CloseSessionResponse) parses as ''.
  if (response === '') return { kind: 'response', body: {} };
  const parsed = record(response);
  if (!parsed) return { kind: 'unreadable', problem: `no ${operation}Response` };
  return { kind: 'response', body: parsed };
}

const resultStatuses: ReadonlySet<string> = new Set(['ACCEPTED', 'UNCHANGED', 'REJECTED']);

/** The Results of a batch answer, checked: one per item sent, each a known status. Undefined when they are not that. */
export function resultsOf(body: Raw, expected: number): FerResult[] | undefined {
  const results: FerResult[] = [];
  for (const raw of ferList(body['Result'] as unknown[] | undefined)) {
    const result = resultOf(raw);
    if (!result) return undefined;
    results.push(result);
  }
  return results.length === expected ? results : undefined;
}

export function resultOf(raw: unknown): FerResult | undefined {
  const item = record(raw);
  const key = item?.['Key'];
  const status = item?.['Status'];
  if (typeof key !== 'string' || typeof status !== 'string' || !resultStatuses.has(status)) return undefined;
  const reasonCode = item?.['Reason_Code'];
  const reason = item?.['Reason'];
  return {
    Key: key,
    Status: status as FerResult['Status'],
    ...(typeof reasonCode === 'string' ? { Reason_Code: reasonCode as FerResult['Reason_Code'] } : {}),
    ...(typeof reason === 'string' ? { Reason: reason } : {}),
  };
}

function text(raw: Raw, name: string): string | undefined {
  const value = raw[name];
  return typeof value === 'string' ? value : undefined;
}

function long(raw: Raw, name: string): number | undefined {
  const value = text(raw, name);
  return value !== undefined && /^-?\d{1,16}$/.test(value) ? Number(value) : undefined;
}

/** A Location as the federal side holds it, or undefined when it lacks what the contract requires. */
export function locationOf(raw: unknown): FerLocation | undefined {
  const item = record(raw);
  if (!item) return undefined;
  const id = text(item, 'Location_Id');
  const mo = text(item, 'MO_OID');
  const version = long(item, 'Version');
  if (id === undefined || mo === undefined || version === undefined) return undefined;
  const channels = record(item['Channels']);
  return {
    Location_Id: id,
    MO_OID: mo,
    ...(text(item, 'Department_OID') === undefined ? {} : { Department_OID: text(item, 'Department_OID') }),
    Doctor_SNILS: text(item, 'Doctor_SNILS') ?? '',
    Doctor_Name: text(item, 'Doctor_Name') ?? '',
    Specialty_Code: text(item, 'Specialty_Code') ?? '',
    ...(text(item, 'Position_Code') === undefined ? {} : { Position_Code: text(item, 'Position_Code') }),
    ...(text(item, 'Room') === undefined ? {} : { Room: text(item, 'Room') }),
    Channels: { Channel: ferList(channels?.['Channel'] as FerLocation['Channels']['Channel'] | undefined).filter((c) => typeof c === 'string') },
    Version: version,
  };
}

/** A Slot as the federal side holds it, or undefined when it lacks what the contract requires. */
export function slotOf(raw: unknown): FerSlot | undefined {
  const item = record(raw);
  if (!item) return undefined;
  const id = text(item, 'Slot_Id');
  const location = text(item, 'Location_Id');
  const mo = text(item, 'MO_OID');
  const start = text(item, 'Visit_Start');
  const end = text(item, 'Visit_End');
  const status = text(item, 'Status');
  const version = long(item, 'Version');
  if (id === undefined || location === undefined || mo === undefined || start === undefined || end === undefined || version === undefined) return undefined;
  if (status !== 'FREE' && status !== 'BUSY') return undefined;
  return {
    Slot_Id: id,
    Location_Id: location,
    MO_OID: mo,
    Visit_Start: start,
    Visit_End: end,
    ...(text(item, 'Room') === undefined ? {} : { Room: text(item, 'Room') }),
    Status: status,
    Version: version,
  };
}
