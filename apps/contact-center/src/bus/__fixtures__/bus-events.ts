import { randomUUID } from 'node:crypto';
import { AllEvents, type EventName, type EventOf } from '@medbus/contracts';
import { EventPublisher } from '@medbus/kafka';
import { testConnection } from '@medbus/testing';

export const hour = 3_600_000;
const runNumber = String(Date.now()).slice(-9);
let seq = 0;

export function anOrganisation(overrides: Partial<EventOf<'OrganisationPublished'>> = {}): EventOf<'OrganisationPublished'> {
  const n = ++seq;
  return {
    organisationOid: `1.2.643.5.1.13.13.12.2.23.${runNumber}${n}`,
    fullName: `Городская поликлиника №${n}`,
    shortName: `ГП-${n}`,
    districtId: '1',
    districtName: 'Центральный',
    misVendor: 'medialog',
    timeZone: 'Europe/Moscow',
    active: true,
    address: null,
    sourceVersion: 1,
    occurredAt: Date.now(),
    ...overrides,
  };
}

/** A visit a day ahead, booked now through the contact centre. */
export function anAppointment(clinic: EventOf<'OrganisationPublished'>, overrides: Partial<EventOf<'AppointmentBooked'>> = {}): EventOf<'AppointmentBooked'> {
  const n = ++seq;
  return {
    appointmentId: randomUUID(),
    patientId: randomUUID(),
    organisationOid: clinic.organisationOid,
    resourceId: `${clinic.organisationOid}:doc-${n}`,
    slotId: `${clinic.organisationOid}:s-${n}`,
    startsAt: Date.now() + 24 * hour,
    misAppointmentId: `mis-${n}`,
    channel: 'CONTACT_CENTRE',
    replacesAppointmentId: null,
    occurredAt: Date.now(),
    ...overrides,
  };
}

export function anOffer(clinic: EventOf<'OrganisationPublished'>, overrides: Partial<EventOf<'WaitlistSlotOffered'>> = {}): EventOf<'WaitlistSlotOffered'> {
  const n = ++seq;
  return {
    offerId: randomUUID(),
    waitlistEntryId: randomUUID(),
    patientId: randomUUID(),
    organisationOid: clinic.organisationOid,
    resourceId: `${clinic.organisationOid}:doc-${n}`,
    slotId: `${clinic.organisationOid}:s-${n}`,
    startsAt: Date.now() + 48 * hour,
    reservedUntil: Date.now() + hour,
    occurredAt: Date.now(),
    ...overrides,
  };
}

export function removedSlot(booked: EventOf<'AppointmentBooked'>, sourceVersion: number): EventOf<'SlotRemoved'> {
  return { slotId: booked.slotId, organisationOid: booked.organisationOid, resourceId: booked.resourceId, sourceVersion, occurredAt: Date.now() };
}

export function blockedSlot(booked: EventOf<'AppointmentBooked'>, sourceVersion: number): EventOf<'SlotChanged'> {
  return {
    slotId: booked.slotId,
    localSlotId: booked.slotId.slice(booked.organisationOid.length + 1),
    organisationOid: booked.organisationOid,
    resourceId: booked.resourceId,
    localResourceId: booked.resourceId.slice(booked.organisationOid.length + 1),
    startsAt: booked.startsAt,
    endsAt: booked.startsAt + 15 * 60_000,
    status: 'BLOCKED',
    bookingChannels: ['CONTACT_CENTRE'],
    room: null,
    sourceVersion,
    occurredAt: Date.now(),
  };
}

/** Reachable and synced a moment ago, unless told otherwise. */
export function aHeartbeat(adapterId: string, organisationOids: string[], overrides: Partial<EventOf<'AdapterHeartbeatRecorded'>> = {}): EventOf<'AdapterHeartbeatRecorded'> {
  const occurredAt = overrides.occurredAt ?? Date.now();
  return {
    adapterId,
    misVendor: 'medialog',
    adapterVersion: 'it',
    organisationOids,
    misReachable: true,
    lastSuccessfulSyncAt: occurredAt - 1_000,
    syncLagMs: 1_000,
    heartbeatIntervalMs: 10_000,
    occurredAt,
    lastReassertedAt: null,
    ...overrides,
  };
}

function keyOf(value: object): string {
  const ids = value as { appointmentId?: string; waitlistEntryId?: string; slotId?: string; resourceId?: string; organisationOid?: string; adapterId?: string };
  return ids.appointmentId ?? ids.waitlistEntryId ?? ids.adapterId ?? ids.slotId ?? ids.resourceId ?? ids.organisationOid ?? 'none';
}

/**
 * Publishes on a test run's bus as the MIS adapters and booking do. An organisation an adapter
 * publishes is registered to it first (booking's registry, as the fake GET /v1/adapters answers it).
 */
export class BusPublisher {
  private readonly publishers = new Map<string, EventPublisher>();

  constructor(
    private readonly namespace: string,
    private readonly registered: Map<string, string>,
    private readonly defaultAdapter: string,
  ) {}

  /** As an MIS adapter (by default the clinics' one); `key` defaults to the aggregate's id. */
  async mis<N extends EventName>(name: N, value: EventOf<N>, key?: string, as: string = this.defaultAdapter): Promise<string> {
    if (name === 'OrganisationPublished') {
      const oid = (value as EventOf<'OrganisationPublished'>).organisationOid;
      if (!this.registered.has(oid)) this.registered.set(oid, as);
    }
    return this.publisherOf(as).publish({ event: AllEvents[name], key: key ?? keyOf(value), value });
  }

  heartbeat(value: EventOf<'AdapterHeartbeatRecorded'>): Promise<string> {
    return this.mis('AdapterHeartbeatRecorded', value, value.adapterId, value.adapterId);
  }

  /** As booking, on its own topics; `eventId` given: the same event delivered again. */
  async booking<N extends EventName>(name: N, value: EventOf<N>, key?: string, eventId?: string): Promise<string> {
    return this.publisherOf(undefined).publish({ event: AllEvents[name], key: key ?? keyOf(value), value, ...(eventId === undefined ? {} : { eventId }) });
  }

  async close(): Promise<void> {
    for (const publisher of this.publishers.values()) await publisher.close();
  }

  private publisherOf(origin: string | undefined): EventPublisher {
    const name = origin ?? '(booking)';
    let publisher = this.publishers.get(name);
    if (!publisher) {
      publisher = new EventPublisher({ ...testConnection(), namespace: this.namespace }, origin === undefined ? {} : { origin });
      this.publishers.set(name, publisher);
    }
    return publisher;
  }
}
