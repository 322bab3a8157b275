import { SlotStatus, type EventOf } from '@medbus/contracts';
import { InvalidBusEventError } from './bus.errors';

/** Rows as the bus module stores them; an organisation's removal is a row too (its version wins). */
export interface OrganisationRow {
  readonly oid: string;
  readonly shortName: string | null;
  readonly fullName: string | null;
  readonly districtId: string | null;
  readonly districtName: string | null;
  readonly active: boolean;
  readonly removed: boolean;
  /** The adapter whose topic it came from. */
  readonly adapterId: string | null;
  readonly sourceVersion: number;
}

export interface BookedRow {
  readonly appointmentId: string;
  readonly patientId: string;
  readonly organisationOid: string;
  readonly resourceId: string;
  readonly slotId: string;
  readonly startsAt: Date;
  readonly channel: string;
  readonly bookedAt: Date;
  readonly replacesAppointmentId: string | null;
}

export interface CancelledRow {
  readonly appointmentId: string;
  readonly patientId: string;
  readonly organisationOid: string;
  readonly slotId: string;
  readonly cancelledAt: Date;
}

export interface OfferRow {
  /** The offer's event id: a task's source. */
  readonly eventId: string;
  readonly offerId: string;
  readonly patientId: string;
  readonly organisationOid: string;
  readonly slotId: string;
  readonly startsAt: Date;
  readonly reservedUntil: Date;
}

export interface OfferExpiryRow {
  readonly offerId: string;
  readonly expiredAt: Date;
}

/** A slot's state as far as withdrawal goes: removed or blocked at the MIS, or (again) open. */
export interface SlotStateRow {
  readonly slotId: string;
  readonly organisationOid: string;
  readonly resourceId: string;
  readonly withdrawn: boolean;
  readonly at: Date;
  readonly sourceVersion: number;
}

export interface ResourceWithdrawalRow {
  readonly resourceId: string;
  readonly organisationOid: string;
  readonly withdrawnAt: Date;
  readonly sourceVersion: number;
}

export interface HeartbeatRow {
  readonly adapterId: string;
  readonly organisationOids: readonly string[];
  readonly misReachable: boolean;
  readonly lastSuccessfulSyncAt: Date | null;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatAt: Date;
}

export interface BusRows {
  readonly organisations: OrganisationRow[];
  readonly booked: BookedRow[];
  readonly cancelled: CancelledRow[];
  readonly offers: OfferRow[];
  readonly offerExpiries: OfferExpiryRow[];
  readonly slots: SlotStateRow[];
  readonly resources: ResourceWithdrawalRow[];
  readonly heartbeats: HeartbeatRow[];
}

export type BusEventName =
  | 'OrganisationPublished'
  | 'OrganisationRemoved'
  | 'ResourceRemoved'
  | 'SlotChanged'
  | 'SlotRemoved'
  | 'AdapterHeartbeatRecorded'
  | 'AppointmentBooked'
  | 'AppointmentCancelled'
  | 'WaitlistSlotOffered'
  | 'WaitlistOfferExpired';

export interface BusEventLike {
  readonly eventId: string;
  readonly eventType: string;
  readonly value: unknown;
  readonly origin?: string;
}

/** Maps each event to its row, in arrival order; an event that breaks a rule throws (the engine dead-letters it alone). */
export function busRowsOf(events: readonly BusEventLike[]): BusRows {
  const rows: BusRows = { organisations: [], booked: [], cancelled: [], offers: [], offerExpiries: [], slots: [], resources: [], heartbeats: [] };
  for (const event of events) {
    const name = event.eventType as BusEventName;
    switch (name) {
      case 'OrganisationPublished': {
        const value = event.value as EventOf<'OrganisationPublished'>;
        rows.organisations.push({
          oid: value.organisationOid,
          shortName: value.shortName,
          fullName: value.fullName,
          districtId: value.districtId,
          districtName: value.districtName,
          active: value.active,
          removed: false,
          adapterId: event.origin ?? null,
          sourceVersion: versionOf(value.sourceVersion, value.organisationOid),
        });
        break;
      }
      case 'OrganisationRemoved': {
        const value = event.value as EventOf<'OrganisationRemoved'>;
        const removed = { shortName: null, fullName: null, districtId: null, districtName: null, active: false, removed: true };
        rows.organisations.push({ oid: value.organisationOid, ...removed, adapterId: event.origin ?? null, sourceVersion: versionOf(value.sourceVersion, value.organisationOid) });
        break;
      }
      case 'ResourceRemoved': {
        const value = event.value as EventOf<'ResourceRemoved'>;
        rows.resources.push({ resourceId: value.resourceId, organisationOid: value.organisationOid, withdrawnAt: new Date(value.occurredAt), sourceVersion: versionOf(value.sourceVersion, value.resourceId) });
        break;
      }
      case 'SlotChanged':
      case 'SlotRemoved': {
        const value = event.value as EventOf<'SlotRemoved'> & Partial<Pick<EventOf<'SlotChanged'>, 'status'>>;
        rows.slots.push({
          slotId: value.slotId,
          organisationOid: value.organisationOid,
          resourceId: value.resourceId,
          withdrawn: name === 'SlotRemoved' || isWithdrawnStatus(value.status),
          at: new Date(value.occurredAt),
          sourceVersion: versionOf(value.sourceVersion, value.slotId),
        });
        break;
      }
      case 'AdapterHeartbeatRecorded': {
        const value = event.value as EventOf<'AdapterHeartbeatRecorded'>;
        rows.heartbeats.push({
          adapterId: value.adapterId,
          organisationOids: [...new Set(value.organisationOids)],
          misReachable: value.misReachable,
          lastSuccessfulSyncAt: value.lastSuccessfulSyncAt === null ? null : new Date(value.lastSuccessfulSyncAt),
          heartbeatIntervalMs: value.heartbeatIntervalMs,
          heartbeatAt: new Date(value.occurredAt),
        });
        break;
      }
      case 'AppointmentBooked': {
        const value = event.value as EventOf<'AppointmentBooked'>;
        rows.booked.push({
          appointmentId: value.appointmentId,
          patientId: value.patientId,
          organisationOid: value.organisationOid,
          resourceId: value.resourceId,
          slotId: value.slotId,
          startsAt: new Date(value.startsAt),
          channel: value.channel,
          bookedAt: new Date(value.occurredAt),
          replacesAppointmentId: value.replacesAppointmentId,
        });
        break;
      }
      case 'AppointmentCancelled': {
        const value = event.value as EventOf<'AppointmentCancelled'>;
        rows.cancelled.push({ appointmentId: value.appointmentId, patientId: value.patientId, organisationOid: value.organisationOid, slotId: value.slotId, cancelledAt: new Date(value.occurredAt) });
        break;
      }
      case 'WaitlistSlotOffered': {
        const value = event.value as EventOf<'WaitlistSlotOffered'>;
        rows.offers.push({
          eventId: event.eventId,
          offerId: value.offerId,
          patientId: value.patientId,
          organisationOid: value.organisationOid,
          slotId: value.slotId,
          startsAt: new Date(value.startsAt),
          reservedUntil: new Date(value.reservedUntil),
        });
        break;
      }
      case 'WaitlistOfferExpired': {
        const value = event.value as EventOf<'WaitlistOfferExpired'>;
        rows.offerExpiries.push({ offerId: value.offerId, expiredAt: new Date(value.occurredAt) });
        break;
      }
      default:
        name satisfies never;
    }
  }
  return rows;
}

/** A slot BLOCKED at the MIS (the doctor absent) is withdrawn like a removed one; an unknown status reads as BLOCKED (the schema's rule). */
function isWithdrawnStatus(status: string | undefined): boolean {
  return status !== SlotStatus.FREE && status !== SlotStatus.HELD && status !== SlotStatus.BOOKED;
}

function versionOf(sourceVersion: number, id: string): number {
  if (!Number.isSafeInteger(sourceVersion) || sourceVersion < 0) throw new InvalidBusEventError('sourceVersion must be a non-negative safe integer', { id });
  return sourceVersion;
}

/** The organisation part of an id written `<organisationOid>:<local id>`. */
export function organisationOfId(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? id : id.slice(0, colon);
}

/**
 * The organisations an MIS event speaks for: its organisationOid and the organisation part of the ids
 * it writes, or those a heartbeat lists. Booking's events come from booking's own topics: none.
 */
export function organisationsNamedBy(event: Pick<BusEventLike, 'eventType' | 'value'>): readonly string[] {
  const name = event.eventType as BusEventName;
  switch (name) {
    case 'OrganisationPublished':
    case 'OrganisationRemoved':
      return [(event.value as EventOf<'OrganisationRemoved'>).organisationOid];
    case 'ResourceRemoved': {
      const value = event.value as EventOf<'ResourceRemoved'>;
      return [value.organisationOid, organisationOfId(value.resourceId)];
    }
    case 'SlotChanged':
    case 'SlotRemoved': {
      const value = event.value as EventOf<'SlotRemoved'>;
      return [value.organisationOid, organisationOfId(value.slotId), organisationOfId(value.resourceId)];
    }
    case 'AdapterHeartbeatRecorded':
      return (event.value as EventOf<'AdapterHeartbeatRecorded'>).organisationOids;
    case 'AppointmentBooked':
    case 'AppointmentCancelled':
    case 'WaitlistSlotOffered':
    case 'WaitlistOfferExpired':
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

/** Of several rows of one key, the last to arrive (one key keeps its order on its partition). */
export function lastPerKey<R>(rows: readonly R[], keyOf: (row: R) => string): R[] {
  return [...new Map(rows.map((row) => [keyOf(row), row])).values()];
}
