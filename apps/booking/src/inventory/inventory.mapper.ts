import {
  BookingChannel,
  SlotStatus,
  type AdapterHeartbeatRecorded,
  type NsiCoding,
  type OrganisationPublished,
  type OrganisationRemoved,
  type ResourcePublished,
  type ResourceRemoved,
  type SlotChanged,
  type SlotPublished,
  type SlotRemoved,
} from '@medbus/contracts';
import type { EventOf } from '@medbus/contracts';
import { InvalidInventoryEventError } from './inventory.errors';

/**
 * Rows as the inventory stores them. A removal is a row too (a tombstone with only the ids and
 * its version), so that the state after any set of events depends only on the highest version
 * of each aggregate, not on the order they arrived in.
 */
export interface OrganisationRow {
  readonly organisationOid: string;
  readonly fullName: string | null;
  readonly shortName: string | null;
  readonly districtId: string | null;
  readonly districtName: string | null;
  readonly misVendor: string | null;
  readonly timeZone: string | null;
  readonly active: boolean;
  readonly address: string | null;
  readonly removed: boolean;
  readonly sourceVersion: number;
  readonly occurredAt: Date;
}

export interface PractitionerRow {
  readonly resourceId: string;
  readonly organisationOid: string;
  readonly localResourceId: string | null;
  readonly federalPractitionerId: string | null;
  readonly displayName: string | null;
  readonly specialtyNsiCode: string | null;
  readonly specialtyMisCode: string | null;
  readonly specialtyName: string | null;
  readonly positionNsiCode: string | null;
  readonly positionMisCode: string | null;
  readonly positionName: string | null;
  readonly departmentOid: string | null;
  readonly departmentName: string | null;
  readonly room: string | null;
  readonly active: boolean;
  readonly removed: boolean;
  readonly sourceVersion: number;
  readonly occurredAt: Date;
  readonly patientSex: 'MALE' | 'FEMALE' | null;
  readonly minPatientAgeYears: number | null;
  readonly maxPatientAgeYears: number | null;
  readonly attachmentRequired: boolean;
}

export interface SlotRow {
  readonly slotId: string;
  readonly organisationOid: string;
  readonly resourceId: string;
  readonly localSlotId: string | null;
  readonly localResourceId: string | null;
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
  readonly status: SlotStatus | null;
  readonly bookingChannels: readonly BookingChannel[];
  readonly room: string | null;
  readonly removed: boolean;
  readonly sourceVersion: number;
  readonly occurredAt: Date;
}

export interface HeartbeatRow {
  readonly organisationOids: readonly string[];
  readonly adapterId: string;
  readonly misVendor: string;
  readonly misReachable: boolean;
  readonly lastSuccessfulSyncAt: Date | null;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatAt: Date;
  /** Start of the adapter's last completed reassert pass (anti-entropy), or null. */
  readonly lastReassertedAt: Date | null;
}

type InventoryEventName =
  | 'OrganisationPublished'
  | 'OrganisationRemoved'
  | 'ResourcePublished'
  | 'ResourceRemoved'
  | 'SlotPublished'
  | 'SlotChanged'
  | 'SlotRemoved'
  | 'AdapterHeartbeatRecorded';

/** The rows a batch of MIS events comes to, per table, in arrival order. */
export interface InventoryRows {
  readonly organisations: OrganisationRow[];
  readonly practitioners: PractitionerRow[];
  readonly slots: SlotRow[];
  readonly heartbeats: HeartbeatRow[];
}

/** Maps each event to its row; an event that breaks a rule throws (the engine dead-letters it alone). */
export function inventoryRowsOf(events: readonly { readonly eventType: string; readonly value: unknown }[]): InventoryRows {
  const rows: InventoryRows = { organisations: [], practitioners: [], slots: [], heartbeats: [] };
  for (const event of events) {
    const name = event.eventType as InventoryEventName;
    switch (name) {
      case 'OrganisationPublished':
        rows.organisations.push(organisationRowOf(event.value as EventOf<'OrganisationPublished'>));
        break;
      case 'OrganisationRemoved':
        rows.organisations.push(organisationTombstoneOf(event.value as EventOf<'OrganisationRemoved'>));
        break;
      case 'ResourcePublished':
        rows.practitioners.push(practitionerRowOf(event.value as EventOf<'ResourcePublished'>));
        break;
      case 'ResourceRemoved':
        rows.practitioners.push(practitionerTombstoneOf(event.value as EventOf<'ResourceRemoved'>));
        break;
      case 'SlotPublished':
      case 'SlotChanged':
        rows.slots.push(slotRowOf(event.value as EventOf<'SlotPublished'>));
        break;
      case 'SlotRemoved':
        rows.slots.push(slotTombstoneOf(event.value as EventOf<'SlotRemoved'>));
        break;
      case 'AdapterHeartbeatRecorded':
        rows.heartbeats.push(heartbeatRowOf(event.value as EventOf<'AdapterHeartbeatRecorded'>));
        break;
      default:
        name satisfies never;
    }
  }
  return rows;
}

export function organisationRowOf(event: OrganisationPublished): OrganisationRow {
  return {
    organisationOid: event.organisationOid,
    fullName: event.fullName,
    shortName: event.shortName,
    districtId: event.districtId,
    districtName: event.districtName,
    misVendor: event.misVendor,
    timeZone: event.timeZone,
    active: event.active,
    address: event.address,
    removed: false,
    sourceVersion: versionOf(event.sourceVersion, event.organisationOid),
    occurredAt: new Date(event.occurredAt),
  };
}

export function organisationTombstoneOf(event: OrganisationRemoved): OrganisationRow {
  return {
    organisationOid: event.organisationOid,
    fullName: null,
    shortName: null,
    districtId: null,
    districtName: null,
    misVendor: null,
    timeZone: null,
    active: false,
    address: null,
    removed: true,
    sourceVersion: versionOf(event.sourceVersion, event.organisationOid),
    occurredAt: new Date(event.occurredAt),
  };
}

export function practitionerRowOf(event: ResourcePublished): PractitionerRow {
  const position: NsiCoding | null = event.position;
  return {
    resourceId: event.resourceId,
    organisationOid: event.organisationOid,
    localResourceId: event.localResourceId,
    federalPractitionerId: event.federalPractitionerId,
    displayName: event.displayName,
    specialtyNsiCode: event.specialty.nsiCode,
    specialtyMisCode: event.specialty.misCode,
    specialtyName: event.specialty.misName,
    positionNsiCode: position?.nsiCode ?? null,
    positionMisCode: position?.misCode ?? null,
    positionName: position?.misName ?? null,
    departmentOid: event.departmentOid,
    departmentName: event.departmentName,
    room: event.room,
    active: event.active,
    removed: false,
    sourceVersion: versionOf(event.sourceVersion, event.resourceId),
    occurredAt: new Date(event.occurredAt),
    patientSex: event.patientSex === 'MALE' || event.patientSex === 'FEMALE' ? event.patientSex : null,
    minPatientAgeYears: event.minPatientAgeYears ?? null,
    maxPatientAgeYears: event.maxPatientAgeYears ?? null,
    attachmentRequired: event.attachmentRequired ?? false,
  };
}

export function practitionerTombstoneOf(event: ResourceRemoved): PractitionerRow {
  return {
    resourceId: event.resourceId,
    organisationOid: event.organisationOid,
    localResourceId: null,
    federalPractitionerId: null,
    displayName: null,
    specialtyNsiCode: null,
    specialtyMisCode: null,
    specialtyName: null,
    positionNsiCode: null,
    positionMisCode: null,
    positionName: null,
    departmentOid: null,
    departmentName: null,
    room: null,
    active: false,
    removed: true,
    sourceVersion: versionOf(event.sourceVersion, event.resourceId),
    occurredAt: new Date(event.occurredAt),
    patientSex: null,
    minPatientAgeYears: null,
    maxPatientAgeYears: null,
    attachmentRequired: false,
  };
}

export function slotRowOf(event: SlotPublished | SlotChanged): SlotRow {
  if (!(event.endsAt > event.startsAt)) {
    throw new InvalidInventoryEventError('slot ends before it starts', { slotId: event.slotId });
  }
  return {
    slotId: event.slotId,
    organisationOid: event.organisationOid,
    resourceId: event.resourceId,
    localSlotId: event.localSlotId,
    localResourceId: event.localResourceId,
    startsAt: new Date(event.startsAt),
    endsAt: new Date(event.endsAt),
    status: slotStatusOf(event.status),
    bookingChannels: bookingChannelsOf(event.bookingChannels),
    room: event.room,
    removed: false,
    sourceVersion: versionOf(event.sourceVersion, event.slotId),
    occurredAt: new Date(event.occurredAt),
  };
}

export function slotTombstoneOf(event: SlotRemoved): SlotRow {
  return {
    slotId: event.slotId,
    organisationOid: event.organisationOid,
    resourceId: event.resourceId,
    localSlotId: null,
    localResourceId: null,
    startsAt: null,
    endsAt: null,
    status: null,
    bookingChannels: [],
    room: null,
    removed: true,
    sourceVersion: versionOf(event.sourceVersion, event.slotId),
    occurredAt: new Date(event.occurredAt),
  };
}

export function heartbeatRowOf(event: AdapterHeartbeatRecorded): HeartbeatRow {
  // A pass cannot have completed after the heartbeat that reports it; a later one would sweep slots the MIS still has.
  if (event.lastReassertedAt !== null && event.lastReassertedAt !== undefined && event.lastReassertedAt > event.occurredAt) {
    throw new InvalidInventoryEventError('lastReassertedAt is after the heartbeat itself', { adapterId: event.adapterId });
  }
  return {
    organisationOids: [...new Set(event.organisationOids)].sort(),
    adapterId: event.adapterId,
    misVendor: event.misVendor,
    misReachable: event.misReachable,
    lastSuccessfulSyncAt: event.lastSuccessfulSyncAt === null ? null : new Date(event.lastSuccessfulSyncAt),
    heartbeatIntervalMs: event.heartbeatIntervalMs,
    heartbeatAt: new Date(event.occurredAt),
    lastReassertedAt: event.lastReassertedAt === null || event.lastReassertedAt === undefined ? null : new Date(event.lastReassertedAt),
  };
}

const knownStatuses: ReadonlySet<string> = new Set(Object.values(SlotStatus));
const knownChannels: ReadonlySet<string> = new Set(Object.values(BookingChannel));

/** The schema's rule: a status added after this reader was built reads as BLOCKED, never offered. */
export function slotStatusOf(symbol: string): SlotStatus {
  return knownStatuses.has(symbol) ? (symbol as SlotStatus) : SlotStatus.BLOCKED;
}

/** Unknown channels read as OTHER (the schema's rule); sorted and distinct, so equal sets store equally. */
export function bookingChannelsOf(symbols: readonly string[]): BookingChannel[] {
  const channels = symbols.map((symbol) => (knownChannels.has(symbol) ? (symbol as BookingChannel) : BookingChannel.OTHER));
  return [...new Set(channels)].sort();
}

function versionOf(sourceVersion: number, id: string): number {
  if (!Number.isSafeInteger(sourceVersion) || sourceVersion < 0) {
    throw new InvalidInventoryEventError('sourceVersion must be a non-negative safe integer', { id });
  }
  return sourceVersion;
}

/** The organisation part of an id written `<organisationOid>:<local id>` (an id without one names no organisation we know). */
function organisationOfId(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? id : id.slice(0, colon);
}

/**
 * The organisations an MIS event speaks for: its organisationOid and the organisation part of the
 * ids it writes (a slot id of another clinic would overwrite that clinic's row), or every one a
 * heartbeat reports on. An adapter may speak only for organisations registered to it (0012).
 */
export function organisationsNamedBy(event: { readonly eventType: string; readonly value: unknown }): readonly string[] {
  const name = event.eventType as InventoryEventName;
  switch (name) {
    case 'OrganisationPublished':
    case 'OrganisationRemoved':
      return [(event.value as OrganisationRemoved).organisationOid];
    case 'ResourcePublished':
    case 'ResourceRemoved': {
      const value = event.value as ResourceRemoved;
      return [value.organisationOid, organisationOfId(value.resourceId)];
    }
    case 'SlotPublished':
    case 'SlotChanged':
    case 'SlotRemoved': {
      const value = event.value as SlotRemoved;
      return [value.organisationOid, organisationOfId(value.slotId), organisationOfId(value.resourceId)];
    }
    case 'AdapterHeartbeatRecorded':
      return (event.value as AdapterHeartbeatRecorded).organisationOids;
    default:
      return name satisfies never;
  }
}
