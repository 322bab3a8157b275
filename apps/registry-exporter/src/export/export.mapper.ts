import { BookingChannel, SlotStatus, type EventOf } from '@medbus/contracts';
import { Headers } from '@medbus/kafka';
import { InvalidExportEventError } from '../exporter.errors';

/**
 * Rows as the exporter stores them. A removal is a row too (a tombstone with its version), so the
 * tables after any set of events depend only on the highest version of each aggregate. Each row
 * keeps the `traceparent` of its event, so the call that exports it can link to the MIS's trace.
 */
export interface OrganisationRow {
  readonly organisationOid: string;
  readonly fullName: string | null;
  readonly shortName: string | null;
  readonly address: string | null;
  readonly timeZone: string | null;
  readonly districtId: string | null;
  readonly districtName: string | null;
  readonly active: boolean;
  readonly removed: boolean;
  readonly sourceVersion: number;
  readonly occurredAt: Date;
  readonly traceparent: string | null;
}

export interface LocationRow {
  readonly locationId: string;
  readonly organisationOid: string;
  readonly localResourceId: string | null;
  /** The practitioner's personal data: stored to be sent, never logged. */
  readonly practitionerSnils: string | null;
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
  readonly traceparent: string | null;
}

export interface SlotRow {
  readonly slotId: string;
  readonly organisationOid: string;
  readonly locationId: string;
  readonly localSlotId: string | null;
  /** Null for a tombstone, which keeps the times it had. */
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
  readonly status: SlotStatus | null;
  readonly bookingChannels: readonly BookingChannel[];
  readonly federalPortal: boolean;
  readonly room: string | null;
  readonly removed: boolean;
  readonly sourceVersion: number;
  readonly occurredAt: Date;
  readonly traceparent: string | null;
}

/** An appointment booked or cancelled; only those booked through the federal channel are kept. */
export interface AppointmentRow {
  readonly appointmentId: string;
  readonly organisationOid: string;
  readonly slotId: string;
  readonly misAppointmentId: string | null;
  readonly status: 'BOOKED' | 'CANCELLED';
  /** Set on a booking: whether the federal portal's channel made it. */
  readonly federal: boolean;
  readonly occurredAt: Date;
  readonly traceparent: string | null;
}

export interface ExportRows {
  readonly organisations: OrganisationRow[];
  readonly locations: LocationRow[];
  readonly slots: SlotRow[];
  readonly appointments: AppointmentRow[];
}

type ExportEventName =
  | 'OrganisationPublished'
  | 'OrganisationRemoved'
  | 'ResourcePublished'
  | 'ResourceRemoved'
  | 'SlotPublished'
  | 'SlotChanged'
  | 'SlotRemoved'
  | 'AppointmentBooked'
  | 'AppointmentCancelled';

interface EventLike {
  readonly eventType: string;
  readonly value: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Maps each event to its row, in arrival order; an event that breaks a rule throws (the engine dead-letters it alone). */
export function exportRowsOf(events: readonly EventLike[]): ExportRows {
  const rows: ExportRows = { organisations: [], locations: [], slots: [], appointments: [] };
  for (const event of events) {
    const traceparent = event.headers?.[Headers.traceparent] ?? null;
    const name = event.eventType as ExportEventName;
    switch (name) {
      case 'OrganisationPublished':
        rows.organisations.push(organisationRowOf(event.value as EventOf<'OrganisationPublished'>, traceparent));
        break;
      case 'OrganisationRemoved': {
        const value = event.value as EventOf<'OrganisationRemoved'>;
        rows.organisations.push({
          organisationOid: value.organisationOid,
          fullName: null,
          shortName: null,
          address: null,
          timeZone: null,
          districtId: null,
          districtName: null,
          active: false,
          removed: true,
          sourceVersion: versionOf(value.sourceVersion, value.organisationOid),
          occurredAt: new Date(value.occurredAt),
          traceparent,
        });
        break;
      }
      case 'ResourcePublished':
        rows.locations.push(locationRowOf(event.value as EventOf<'ResourcePublished'>, traceparent));
        break;
      case 'ResourceRemoved': {
        const value = event.value as EventOf<'ResourceRemoved'>;
        rows.locations.push({
          locationId: value.resourceId,
          organisationOid: value.organisationOid,
          localResourceId: null,
          practitionerSnils: null,
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
          sourceVersion: versionOf(value.sourceVersion, value.resourceId),
          occurredAt: new Date(value.occurredAt),
          traceparent,
        });
        break;
      }
      case 'SlotPublished':
      case 'SlotChanged':
        rows.slots.push(slotRowOf(event.value as EventOf<'SlotPublished'>, traceparent));
        break;
      case 'SlotRemoved': {
        const value = event.value as EventOf<'SlotRemoved'>;
        rows.slots.push({
          slotId: value.slotId,
          organisationOid: value.organisationOid,
          locationId: value.resourceId,
          localSlotId: null,
          startsAt: null,
          endsAt: null,
          status: null,
          bookingChannels: [],
          federalPortal: false,
          room: null,
          removed: true,
          sourceVersion: versionOf(value.sourceVersion, value.slotId),
          occurredAt: new Date(value.occurredAt),
          traceparent,
        });
        break;
      }
      case 'AppointmentBooked': {
        const value = event.value as EventOf<'AppointmentBooked'>;
        rows.appointments.push({
          appointmentId: value.appointmentId,
          organisationOid: value.organisationOid,
          slotId: value.slotId,
          misAppointmentId: value.misAppointmentId,
          status: 'BOOKED',
          federal: value.channel === BookingChannel.FEDERAL_PORTAL,
          occurredAt: new Date(value.occurredAt),
          traceparent,
        });
        // A reschedule ends the appointment it replaces: for the federal side, that one is cancelled.
        if (value.replacesAppointmentId !== null) {
          rows.appointments.push({
            appointmentId: value.replacesAppointmentId,
            organisationOid: value.organisationOid,
            slotId: '',
            misAppointmentId: null,
            status: 'CANCELLED',
            federal: false,
            occurredAt: new Date(value.occurredAt),
            traceparent,
          });
        }
        break;
      }
      case 'AppointmentCancelled': {
        const value = event.value as EventOf<'AppointmentCancelled'>;
        rows.appointments.push({
          appointmentId: value.appointmentId,
          organisationOid: value.organisationOid,
          slotId: value.slotId,
          misAppointmentId: null,
          status: 'CANCELLED',
          federal: false,
          occurredAt: new Date(value.occurredAt),
          traceparent,
        });
        break;
      }
      default:
        name satisfies never;
    }
  }
  return rows;
}

export function organisationRowOf(event: EventOf<'OrganisationPublished'>, traceparent: string | null = null): OrganisationRow {
  return {
    organisationOid: event.organisationOid,
    fullName: event.fullName,
    shortName: event.shortName,
    address: event.address,
    timeZone: event.timeZone,
    districtId: event.districtId,
    districtName: event.districtName,
    active: event.active,
    removed: false,
    sourceVersion: versionOf(event.sourceVersion, event.organisationOid),
    occurredAt: new Date(event.occurredAt),
    traceparent,
  };
}

export function locationRowOf(event: EventOf<'ResourcePublished'>, traceparent: string | null = null): LocationRow {
  return {
    locationId: event.resourceId,
    organisationOid: event.organisationOid,
    localResourceId: event.localResourceId,
    practitionerSnils: event.practitionerSnils ?? null,
    displayName: event.displayName,
    specialtyNsiCode: event.specialty.nsiCode,
    specialtyMisCode: event.specialty.misCode,
    specialtyName: event.specialty.misName,
    positionNsiCode: event.position?.nsiCode ?? null,
    positionMisCode: event.position?.misCode ?? null,
    positionName: event.position?.misName ?? null,
    departmentOid: event.departmentOid,
    departmentName: event.departmentName,
    room: event.room,
    active: event.active,
    removed: false,
    sourceVersion: versionOf(event.sourceVersion, event.resourceId),
    occurredAt: new Date(event.occurredAt),
    traceparent,
  };
}

const knownStatuses: ReadonlySet<string> = new Set(Object.values(SlotStatus));
const knownChannels: ReadonlySet<string> = new Set(Object.values(BookingChannel));

export function slotRowOf(event: EventOf<'SlotPublished'> | EventOf<'SlotChanged'>, traceparent: string | null = null): SlotRow {
  if (!(event.endsAt > event.startsAt)) throw new InvalidExportEventError('slot ends before it starts', { slotId: event.slotId });
  // The schemas' rules: an unknown status reads as BLOCKED (never offered), an unknown channel as OTHER.
  const channels = [...new Set(event.bookingChannels.map((symbol) => (knownChannels.has(symbol) ? (symbol as BookingChannel) : BookingChannel.OTHER)))].sort();
  return {
    slotId: event.slotId,
    organisationOid: event.organisationOid,
    locationId: event.resourceId,
    localSlotId: event.localSlotId,
    startsAt: new Date(event.startsAt),
    endsAt: new Date(event.endsAt),
    status: knownStatuses.has(event.status) ? event.status : SlotStatus.BLOCKED,
    bookingChannels: channels,
    federalPortal: channels.includes(BookingChannel.FEDERAL_PORTAL),
    room: event.room,
    removed: false,
    sourceVersion: versionOf(event.sourceVersion, event.slotId),
    occurredAt: new Date(event.occurredAt),
    traceparent,
  };
}

function versionOf(sourceVersion: number, id: string): number {
  if (!Number.isSafeInteger(sourceVersion) || sourceVersion < 0) throw new InvalidExportEventError('sourceVersion must be a non-negative safe integer', { id });
  return sourceVersion;
}

/** The organisation part of an id written `<organisationOid>:<local id>`. */
export function organisationOfId(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? id : id.slice(0, colon);
}

/**
 * The organisations an MIS event speaks for: its organisationOid and the organisation part of the ids
 * it writes (a slot id of another clinic would overwrite that clinic's row). Booking's appointment
 * events come from booking's own topic and speak for nobody an adapter could forge.
 */
export function organisationsNamedBy(event: EventLike): readonly string[] {
  const name = event.eventType as ExportEventName;
  switch (name) {
    case 'OrganisationPublished':
    case 'OrganisationRemoved':
      return [(event.value as EventOf<'OrganisationRemoved'>).organisationOid];
    case 'ResourcePublished':
    case 'ResourceRemoved': {
      const value = event.value as EventOf<'ResourceRemoved'>;
      return [value.organisationOid, organisationOfId(value.resourceId)];
    }
    case 'SlotPublished':
    case 'SlotChanged':
    case 'SlotRemoved': {
      const value = event.value as EventOf<'SlotRemoved'>;
      return [value.organisationOid, organisationOfId(value.slotId), organisationOfId(value.resourceId)];
    }
    case 'AppointmentBooked':
    case 'AppointmentCancelled':
      return [];
    default:
      return name satisfies never;
  }
}

/**
 * Of several rows of one aggregate, the one a version-wins sequence keeps: the highest version, of
 * equal ones the first to arrive. So a batch gives the same tables as its events one at a time.
 */
export function latestPerKey<R extends { readonly sourceVersion: number }>(rows: readonly R[], keyOf: (row: R) => string): R[] {
  const latest = new Map<string, R>();
  for (const row of rows) {
    const key = keyOf(row);
    const kept = latest.get(key);
    if (!kept || row.sourceVersion > kept.sourceVersion) latest.set(key, row);
  }
  return [...latest.values()];
}
