import {
  FerChannel,
  FerReasonCode,
  FerSlotStatus,
  ferList,
  type FerLocation,
  type FerSlot,
} from '@medbus/federal-registry';

/** Why an item is refused: a contract reason code and a short text that never quotes a value. */
export interface Rejection {
  readonly code: FerReasonCode;
  readonly reason: string;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly rejection: Rejection };

/** What an item is checked against. */
export interface ItemReferences {
  knowsOrganisation(oid: string): boolean;
  knowsSpecialty(code: string): boolean;
  knowsPosition(code: string): boolean;
}

/** An item as parsed from XML: element name -> text, nested object, or list. */
export type RawItem = Readonly<Record<string, unknown>>;

const maxTextLength = 1000;
const dateTimeWithOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const dottedOid = /^[0-9]+(\.[0-9]+)+$/;
const channels: ReadonlySet<string> = new Set(Object.values(FerChannel));
const slotStatuses: ReadonlySet<string> = new Set(Object.values(FerSlotStatus));

const reject = (code: FerReasonCode, reason: string): { ok: false; rejection: Rejection } => ({ ok: false, rejection: { code, reason } });

/**
 * The SNILS check number (Pension Fund rule): digits 1..9 weighted 9..1; a sum under 100 is the
 * check number itself, 100 and 101 give 00, a larger sum is taken mod 101 and the same rule applied.
 */
export function snilsCheckNumber(firstNine: string): number {
  const sum = [...firstNine].reduce((acc, digit, i) => acc + Number(digit) * (9 - i), 0);
  const reduced = sum > 101 ? sum % 101 : sum;
  return reduced < 100 ? reduced : 0;
}

/** 11 digits without separators, with a correct check number; numbers up to 001-001-998 carry none. */
export function isValidSnils(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  const firstNine = value.slice(0, 9);
  if (Number(firstNine) <= 1_001_998) return true;
  return snilsCheckNumber(firstNine) === Number(value.slice(9));
}

/** Text of an element, or undefined when absent or empty. */
function textOf(item: RawItem, name: string): string | undefined {
  const value = item[name];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A Version as the wire gives it (xs:long), if it is a non-negative safe integer. */
export function versionOf(item: RawItem): number | undefined {
  const text = textOf(item, 'Version');
  if (text === undefined || !/^\d{1,16}$/.test(text)) return undefined;
  const version = Number(text);
  return Number.isSafeInteger(version) ? version : undefined;
}

/** The key of an item (Location_Id, Slot_Id), if it has a usable one. */
export function keyOf(item: RawItem, name: 'Location_Id' | 'Slot_Id'): string | undefined {
  const key = textOf(item, name);
  return key !== undefined && key.length <= 200 ? key : undefined;
}

type Fields = Record<string, string | undefined>;

/** Required text fields, each at most maxTextLength; the first missing one names the rejection. */
function required(item: RawItem, names: readonly string[]): Checked<Fields> {
  const fields: Fields = {};
  for (const name of names) {
    const value = textOf(item, name);
    if (value === undefined) return reject(FerReasonCode.InvalidField, `${name} is missing`);
    if (value.length > maxTextLength) return reject(FerReasonCode.InvalidField, `${name} is too long`);
    fields[name] = value;
  }
  return { ok: true, value: fields };
}

function optional(item: RawItem, names: readonly string[]): Checked<Fields> {
  const fields: Fields = {};
  for (const name of names) {
    const value = textOf(item, name);
    if (value !== undefined && value.length > maxTextLength) return reject(FerReasonCode.InvalidField, `${name} is too long`);
    fields[name] = value;
  }
  return { ok: true, value: fields };
}

/** A location as the federal side validates it, in the order a rejection is reported. */
export function checkLocation(item: RawItem, references: ItemReferences): Checked<FerLocation> {
  const fields = required(item, ['Location_Id', 'MO_OID']);
  if (!fields.ok) return fields;
  const { Location_Id, MO_OID } = fields.value as Record<'Location_Id' | 'MO_OID', string>;
  if (keyOf(item, 'Location_Id') === undefined) return reject(FerReasonCode.InvalidField, 'Location_Id is too long');
  if (!references.knowsOrganisation(MO_OID)) return reject(FerReasonCode.UnknownMo, 'MO_OID is not in the ФРМО register');
  const snils = textOf(item, 'Doctor_SNILS');
  if (snils === undefined) return reject(FerReasonCode.InvalidSnils, 'Doctor_SNILS is missing');
  if (!isValidSnils(snils)) return reject(FerReasonCode.InvalidSnils, /^\d{11}$/.test(snils) ? 'Doctor_SNILS check number is wrong' : 'Doctor_SNILS is not 11 digits');
  const name = required(item, ['Doctor_Name']);
  if (!name.ok) return name;
  const Doctor_Name = name.value['Doctor_Name'] as string;
  const Specialty_Code = textOf(item, 'Specialty_Code');
  if (Specialty_Code === undefined) return reject(FerReasonCode.UnknownSpecialty, 'Specialty_Code is missing');
  if (!references.knowsSpecialty(Specialty_Code)) return reject(FerReasonCode.UnknownSpecialty, 'Specialty_Code is not in NSI 1.2.643.5.1.13.13.11.1066');
  const extra = optional(item, ['Department_OID', 'Position_Code', 'Room']);
  if (!extra.ok) return extra;
  const { Department_OID, Position_Code, Room } = extra.value;
  if (Position_Code !== undefined && !references.knowsPosition(Position_Code)) return reject(FerReasonCode.UnknownPosition, 'Position_Code is not in NSI 1.2.643.5.1.13.13.11.1002');
  if (Department_OID !== undefined && !dottedOid.test(Department_OID)) return reject(FerReasonCode.InvalidField, 'Department_OID is not an OID');
  const channelsOf = item['Channels'];
  if (channelsOf !== undefined && channelsOf !== '' && (typeof channelsOf !== 'object' || channelsOf === null || Array.isArray(channelsOf))) {
    return reject(FerReasonCode.InvalidField, 'Channels is not a list of Channel');
  }
  const channelList = channelsOf !== undefined && channelsOf !== '' ? ferList((channelsOf as RawItem)['Channel']) : [];
  if (channelList.some((channel) => typeof channel !== 'string' || !channels.has(channel))) return reject(FerReasonCode.InvalidField, 'Channels has an unknown Channel');
  const Version = versionOf(item);
  if (Version === undefined) return reject(FerReasonCode.InvalidField, 'Version is not a non-negative integer');
  return {
    ok: true,
    value: {
      Location_Id,
      MO_OID,
      ...(Department_OID === undefined ? {} : { Department_OID }),
      Doctor_SNILS: snils,
      Doctor_Name,
      Specialty_Code,
      ...(Position_Code === undefined ? {} : { Position_Code }),
      ...(Room === undefined ? {} : { Room }),
      Channels: { Channel: [...new Set(channelList as FerChannel[])] },
      Version,
    },
  };
}

/** A slot as the federal side validates it; `location` is the held location it names, if any. */
export function checkSlot(item: RawItem, references: ItemReferences, location: (id: string) => FerLocation | undefined): Checked<FerSlot> {
  const fields = required(item, ['Slot_Id', 'Location_Id', 'MO_OID']);
  if (!fields.ok) return fields;
  const { Slot_Id, Location_Id, MO_OID } = fields.value as Record<'Slot_Id' | 'Location_Id' | 'MO_OID', string>;
  if (keyOf(item, 'Slot_Id') === undefined) return reject(FerReasonCode.InvalidField, 'Slot_Id is too long');
  if (!references.knowsOrganisation(MO_OID)) return reject(FerReasonCode.UnknownMo, 'MO_OID is not in the ФРМО register');
  const held = location(Location_Id);
  if (held === undefined) return reject(FerReasonCode.UnknownLocation, 'Location_Id is not held');
  if (held.MO_OID !== MO_OID) return reject(FerReasonCode.InvalidField, "MO_OID is not its location's");
  const times = required(item, ['Visit_Start', 'Visit_End', 'Status']);
  if (!times.ok) return times;
  const { Visit_Start, Visit_End, Status } = times.value as Record<'Visit_Start' | 'Visit_End' | 'Status', string>;
  for (const [name, value] of [['Visit_Start', Visit_Start], ['Visit_End', Visit_End]] as const) {
    if (!dateTimeWithOffset.test(value) || !Number.isFinite(Date.parse(value))) return reject(FerReasonCode.InvalidField, `${name} is not a dateTime with an offset`);
  }
  if (Date.parse(Visit_End) <= Date.parse(Visit_Start)) return reject(FerReasonCode.InvalidTime, 'Visit_End is not after Visit_Start');
  if (!slotStatuses.has(Status)) return reject(FerReasonCode.InvalidField, 'Status is not FREE or BUSY');
  const extra = optional(item, ['Room']);
  if (!extra.ok) return extra;
  const Version = versionOf(item);
  if (Version === undefined) return reject(FerReasonCode.InvalidField, 'Version is not a non-negative integer');
  // The held location's strings are shared, not copied: a region's millions of slots name few locations.
  return {
    ok: true,
    value: {
      Slot_Id,
      Location_Id: held.Location_Id,
      MO_OID: held.MO_OID,
      Visit_Start,
      Visit_End,
      ...(extra.value['Room'] === undefined ? {} : { Room: extra.value['Room'] }),
      Status: Status as FerSlotStatus,
      Version,
    },
  };
}
