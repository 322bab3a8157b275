import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DumpRejectedError, DumpRejection } from './dump.errors';
import {
  dumpKinds,
  ticketStates,
  type DumpClinic,
  type DumpCounts,
  type DumpDay,
  type DumpDoctor,
  type DumpHeader,
  type DumpKind,
  type DumpTicket,
  type TicketState,
} from './dump.types';

export const scheduleNamespace = 'urn:xmldump:schedule:1';

/** An element as the parser returns it: attributes under `@`, text under `#text`, children by name. */
type XmlNode = { readonly [key: string]: unknown };

const parserOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '@',
  alwaysCreateTextNode: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name: string) => name === 'Ticket',
} as const;

/** Most units hold no reference at all, and decoding references costs fast-xml-parser half its time. */
const plainParser = new XMLParser({ ...parserOptions, processEntities: false });
/** htmlEntities decodes character references too; names beyond the five predefined ones never reach it. */
const referenceParser = new XMLParser({ ...parserOptions, processEntities: true, htmlEntities: true });

/** Without a DTD only the five predefined entities and character references exist (htmlEntities would decode more). */
const undeclaredEntity = /&(?!(?:lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/;
// eslint-disable-next-line no-control-regex -- the characters XML 1.0 does not allow are exactly what it matches
const forbiddenCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/**
 * Parses one unit's text (a whole element) after checking what fast-xml-parser lets through.
 * `at` is the unit's byte offset, reported by every error.
 */
export function parseUnit(unit: string, element: string, at: number): XmlNode {
  // V8 lets a substring share the characters of the string it was cut from, so values parsed from a
  // slice of the scanner's text would pin a whole chunk for as long as a caller stages a record. A
  // concatenation is flattened into storage of its own, which the values then share instead.
  const text = `${unit}\n`;
  const withoutCdata = text.includes('<![CDATA[') ? text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '') : text;
  if (undeclaredEntity.test(withoutCdata)) throw new DumpRejectedError(DumpRejection.malformed, at, { element, reason: 'UNDECLARED_ENTITY' });
  if (forbiddenCharacter.test(text) || (text.includes('&#') && refersToNonCharacter(text))) {
    throw new DumpRejectedError(DumpRejection.malformed, at, { element, reason: 'NOT_XML_CHARACTER' });
  }
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw new DumpRejectedError(DumpRejection.malformed, at, { element, reason: valid.err.code });
  let parsed: unknown;
  try {
    parsed = (text.includes('&') ? referenceParser : plainParser).parse(text);
  } catch (cause) {
    throw new DumpRejectedError(DumpRejection.malformed, at, { element, reason: 'UNPARSABLE', cause });
  }
  const node = isNode(parsed) ? parsed[element] : undefined;
  if (!isNode(node)) throw new DumpRejectedError(DumpRejection.malformed, at, { element, reason: 'UNPARSABLE' });
  return node;
}

/** https://www.w3.org/TR/xml/#NT-Char */
function refersToNonCharacter(text: string): boolean {
  for (const [, decimal, hex] of text.matchAll(/&#(?:(\d{1,7})|x([0-9a-fA-F]{1,6}));/g)) {
    const c = decimal !== undefined ? Number(decimal) : parseInt(hex ?? '', 16);
    const allowed = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
    if (!allowed) return true;
  }
  return false;
}

/** Text the parser trimmed away, or none at all. */
function isBlank(text: unknown): boolean {
  return text === undefined || text === '';
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads one element's attributes and text children, failing with `DUMP.INVALID_VALUE` at the unit's offset. */
class Fields {
  private readonly attributes: XmlNode;

  constructor(
    private readonly node: XmlNode,
    private readonly element: string,
    private readonly at: number,
  ) {
    const attributes = node['@'];
    this.attributes = isNode(attributes) ? attributes : {};
  }

  attribute(name: string): string {
    const value = this.optionalAttribute(name);
    if (value === undefined) throw this.invalid('MISSING', name);
    return value;
  }

  optionalAttribute(name: string): string | undefined {
    const value = this.attributes[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw this.invalid('EMPTY', name);
    return value;
  }

  matching(name: string, pattern: RegExp, reason: string): string {
    const value = this.attribute(name);
    if (!pattern.test(value)) throw this.invalid(reason, name);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.attribute(name);
    const known = allowed.find((a) => a === value);
    if (known === undefined) throw this.invalid('UNKNOWN_VALUE', name);
    return known;
  }

  integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = Number(this.matching(name, /^(?:0|[1-9]\d{0,15})$/, 'NOT_AN_INTEGER'));
    if (value < min || value > max) throw this.invalid('OUT_OF_RANGE', name);
    return value;
  }

  date(name: string): string {
    const value = this.attribute(name);
    if (!isCalendarDate(value)) throw this.invalid('NOT_A_DATE', name);
    return value;
  }

  text(child: string): string {
    const value = this.optionalText(child);
    if (value === undefined) throw this.invalid('MISSING', undefined, child);
    return value;
  }

  optionalText(child: string): string | undefined {
    const node = this.node[child];
    if (node === undefined) return undefined;
    if (!isNode(node)) throw this.invalid('REPEATED', undefined, child);
    if (Object.keys(node).some((key) => key !== '#text' && key !== '@')) throw this.invalid('NOT_TEXT', undefined, child);
    const text = node['#text'];
    if (typeof text !== 'string' || text === '') throw this.invalid('EMPTY', undefined, child);
    return text;
  }

  /** The attributes of a text child such as `<District code="3">`. */
  child(child: string): Fields {
    const node = this.node[child];
    if (!isNode(node)) throw this.invalid(node === undefined ? 'MISSING' : 'REPEATED', undefined, child);
    return new Fields(node, child, this.at);
  }

  invalid(reason: string, attribute?: string, child?: string): DumpRejectedError {
    return new DumpRejectedError(DumpRejection.invalidValue, this.at, { element: child ?? this.element, reason, ...(attribute !== undefined && { attribute }) });
  }
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const dateTimePattern = /^(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const oidPattern = /^[0-2](?:\.(?:0|[1-9]\d*))+$/;
const snilsPattern = /^\d{11}$/;
const minutesPerDay = 24 * 60;

function isCalendarDate(value: string): boolean {
  const match = datePattern.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const knownZones = new Map<string, boolean>();

function isTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 1000) knownZones.set(zone, known);
  }
  return known;
}

export function headerOf(node: XmlNode, at: number): DumpHeader {
  const fields = new Fields(node, 'ScheduleDump', at);
  const kind: DumpKind = fields.oneOf('kind', dumpKinds);
  const seq = fields.integer('seq', 0);
  const hasBase = fields.optionalAttribute('base') !== undefined;
  if (hasBase !== (kind === 'partial')) throw fields.invalid(hasBase ? 'BASE_ON_FULL_DUMP' : 'MISSING', 'base');
  const base = hasBase ? fields.integer('base', 0, seq - 1) : undefined;
  const generated = fields.matching('generated', dateTimePattern, 'NOT_A_DATE_TIME');
  if (!isCalendarDate(generated.slice(0, 10))) throw fields.invalid('NOT_A_DATE_TIME', 'generated');
  const from = fields.date('from');
  const to = fields.date('to');
  if (to < from) throw fields.invalid('OUT_OF_RANGE', 'to');
  return { kind, seq, ...(base !== undefined && { base }), generated, from, to };
}

export function clinicOf(node: XmlNode, at: number): DumpClinic {
  const fields = new Fields(node, 'Clinic', at);
  const tz = fields.attribute('tz');
  if (!isTimeZone(tz)) throw fields.invalid('UNKNOWN_TIME_ZONE', 'tz');
  const shortName = fields.optionalText('ShortName');
  const address = fields.optionalText('Address');
  let district: DumpClinic['district'];
  if (node['District'] !== undefined) {
    const own = fields.child('District');
    const okato = own.optionalAttribute('okato');
    district = { code: own.attribute('code'), ...(okato !== undefined && { okato }), name: fields.text('District') };
  }
  return {
    type: 'clinic',
    code: fields.attribute('code'),
    oid: fields.matching('oid', oidPattern, 'NOT_AN_OID'),
    tz,
    active: fields.oneOf('active', ['true', 'false'] as const) === 'true',
    name: fields.text('Name'),
    ...(shortName !== undefined && { shortName }),
    ...(district !== undefined && { district }),
    ...(address !== undefined && { address }),
  };
}

export function doctorOf(node: XmlNode, clinic: string, at: number): DumpDoctor {
  const fields = new Fields(node, 'Doctor', at);
  const snils = fields.optionalAttribute('snils');
  if (snils !== undefined && !snilsPattern.test(snils)) throw fields.invalid('NOT_A_SNILS', 'snils');
  const specialty = fields.child('Specialty');
  const nsi = specialty.optionalAttribute('nsi');
  return {
    type: 'doctor',
    clinic,
    code: fields.attribute('code'),
    ...(snils !== undefined && { snils }),
    name: fields.text('Name'),
    specialty: { code: specialty.attribute('code'), ...(nsi !== undefined && { nsi }), name: fields.text('Specialty') },
  };
}

/** A Day holds tickets only; its date lies within the dump's horizon and its ticket ids are distinct. */
export function dayOf(node: XmlNode, owner: { readonly clinic: string; readonly doctor: string }, header: DumpHeader, at: number): DumpDay {
  const fields = new Fields(node, 'Day', at);
  if (Object.keys(node).some((key) => key !== '@' && key !== 'Ticket' && key !== '#text') || !isBlank(node['#text'])) throw fields.invalid('NOT_A_TICKET');
  const date = fields.date('date');
  if (date < header.from || date > header.to) throw fields.invalid('OUTSIDE_HORIZON', 'date');
  const nodes = node['Ticket'];
  const tickets: DumpTicket[] = [];
  const ids = new Set<string>();
  for (const ticketNode of Array.isArray(nodes) ? nodes : []) {
    const ticket = ticketOf(isNode(ticketNode) ? ticketNode : {}, at);
    if (ids.has(ticket.id)) throw new Fields(node, 'Ticket', at).invalid('DUPLICATE', 'id');
    ids.add(ticket.id);
    tickets.push(ticket);
  }
  return { type: 'day', clinic: owner.clinic, doctor: owner.doctor, date, tickets };
}

function ticketOf(node: XmlNode, at: number): DumpTicket {
  const fields = new Fields(node, 'Ticket', at);
  if (Object.keys(node).some((key) => key !== '@' && key !== '#text') || !isBlank(node['#text'])) throw fields.invalid('NOT_EMPTY');
  const room = fields.optionalAttribute('room');
  const state: TicketState = fields.oneOf('state', ticketStates);
  return {
    id: fields.attribute('id'),
    time: fields.matching('time', timePattern, 'NOT_HH_MM'),
    minutes: fields.integer('minutes', 1, minutesPerDay),
    ...(room !== undefined && { room }),
    state,
  };
}

export function countsOf(node: XmlNode, at: number): DumpCounts {
  const fields = new Fields(node, 'End', at);
  return { clinics: fields.integer('clinics', 0), doctors: fields.integer('doctors', 0), days: fields.integer('days', 0), tickets: fields.integer('tickets', 0) };
}

/** The root's namespace, checked on its own attributes: the dump's elements use the default namespace. */
export function namespaceOf(node: XmlNode): string | undefined {
  const attributes = node['@'];
  if (!isNode(attributes)) return undefined;
  const xmlns = attributes['xmlns'];
  return typeof xmlns === 'string' ? xmlns : undefined;
}
