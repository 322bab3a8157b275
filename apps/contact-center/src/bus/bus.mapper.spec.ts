import { randomUUID } from 'node:crypto';
import type { EventName, EventOf } from '@medbus/contracts';
import { busRowsOf, latestPerKey, organisationsNamedBy, type BusEventLike } from './bus.mapper';

const clinic = '1.2.643.5.1.13.13.12.2.23.1001';
const t0 = Date.UTC(2031, 2, 3, 5, 0);

function anEvent<N extends EventName>(eventType: N, value: EventOf<N>, origin?: string): BusEventLike {
  return { eventId: randomUUID(), eventType, value, ...(origin === undefined ? {} : { origin }) };
}

function aSlotChange(overrides: Partial<EventOf<'SlotChanged'>> = {}): EventOf<'SlotChanged'> {
  return {
    slotId: `${clinic}:s-1`,
    localSlotId: 's-1',
    organisationOid: clinic,
    resourceId: `${clinic}:doc-1`,
    localResourceId: 'doc-1',
    startsAt: t0,
    endsAt: t0 + 900_000,
    status: 'BLOCKED',
    bookingChannels: ['CONTACT_CENTRE'],
    room: null,
    sourceVersion: 2,
    occurredAt: t0 - 86_400_000,
    ...overrides,
  };
}

describe('the rows the contact centre keeps of bus events', () => {
  it('takes an organisation with its district and the adapter whose topic it came from', () => {
    const rows = busRowsOf([
      anEvent(
        'OrganisationPublished',
        {
          organisationOid: clinic,
          fullName: 'Городская поликлиника №1',
          shortName: 'ГП-1',
          districtId: '7',
          districtName: 'Прикубанский',
          misVendor: 'medialog',
          timeZone: 'Europe/Moscow',
          active: true,
          address: null,
          sourceVersion: 3,
          occurredAt: t0,
        },
        'medialog',
      ),
    ]);
    expect(rows.organisations).toEqual([
      { oid: clinic, shortName: 'ГП-1', fullName: 'Городская поликлиника №1', districtId: '7', districtName: 'Прикубанский', active: true, removed: false, adapterId: 'medialog', sourceVersion: 3 },
    ]);
  });

  it('reads a removed slot and a blocked one as withdrawn, and a slot free, held or booked again as open', () => {
    const rows = busRowsOf([
      anEvent('SlotRemoved', { slotId: `${clinic}:s-1`, organisationOid: clinic, resourceId: `${clinic}:doc-1`, sourceVersion: 3, occurredAt: t0 }),
      anEvent('SlotChanged', aSlotChange({ slotId: `${clinic}:s-2`, status: 'BLOCKED' })),
      anEvent('SlotChanged', aSlotChange({ slotId: `${clinic}:s-3`, status: 'FREE' })),
      anEvent('SlotChanged', aSlotChange({ slotId: `${clinic}:s-4`, status: 'HELD' })),
      anEvent('SlotChanged', aSlotChange({ slotId: `${clinic}:s-5`, status: 'BOOKED' })),
    ]);
    expect(rows.slots.map((slot) => [slot.slotId.slice(clinic.length + 1), slot.withdrawn])).toEqual([
      ['s-1', true],
      ['s-2', true],
      ['s-3', false],
      ['s-4', false],
      ['s-5', false],
    ]);
  });

  it('keeps a booking with what replaced it, and an offer with its event id as the task source', () => {
    const appointmentId = randomUUID();
    const replaced = randomUUID();
    const patientId = randomUUID();
    const offer = anEvent('WaitlistSlotOffered', {
      offerId: randomUUID(),
      waitlistEntryId: randomUUID(),
      patientId,
      organisationOid: clinic,
      resourceId: `${clinic}:doc-1`,
      slotId: `${clinic}:s-1`,
      startsAt: t0,
      reservedUntil: t0 - 3_600_000,
      occurredAt: t0 - 7_200_000,
    });
    const rows = busRowsOf([
      anEvent('AppointmentBooked', {
        appointmentId,
        patientId,
        organisationOid: clinic,
        resourceId: `${clinic}:doc-1`,
        slotId: `${clinic}:s-1`,
        startsAt: t0,
        misAppointmentId: 'mis-1',
        channel: 'CONTACT_CENTRE',
        replacesAppointmentId: replaced,
        occurredAt: t0 - 1_000,
      }),
      offer,
    ]);
    expect(rows.booked).toEqual([expect.objectContaining({ appointmentId, replacesAppointmentId: replaced, startsAt: new Date(t0), bookedAt: new Date(t0 - 1_000), channel: 'CONTACT_CENTRE' })]);
    expect(rows.offers).toEqual([expect.objectContaining({ eventId: offer.eventId, patientId, reservedUntil: new Date(t0 - 3_600_000) })]);
  });

  it('refuses a version no JavaScript number holds exactly', () => {
    expect(() => busRowsOf([anEvent('ResourceRemoved', { resourceId: `${clinic}:doc-1`, organisationOid: clinic, sourceVersion: 2 ** 53, occurredAt: t0 })])).toThrow(
      expect.objectContaining({ code: 'CC.INVALID_BUS_EVENT' }),
    );
  });
});

describe('the organisations an event speaks for', () => {
  it('names every organisation in a slot’s ids, so an adapter cannot write another clinic’s slot under its own oid', () => {
    const foreign = '1.2.643.5.1.13.13.12.2.23.2002';
    const event = anEvent('SlotRemoved', { slotId: `${foreign}:s-1`, organisationOid: clinic, resourceId: `${clinic}:doc-1`, sourceVersion: 1, occurredAt: t0 });
    expect(organisationsNamedBy(event)).toEqual([clinic, foreign, clinic]);
  });

  it('names the organisations a heartbeat lists, and none for booking’s own events', () => {
    const heartbeat = anEvent('AdapterHeartbeatRecorded', {
      adapterId: 'medialog',
      misVendor: 'medialog',
      adapterVersion: '1',
      organisationOids: [clinic],
      misReachable: true,
      lastSuccessfulSyncAt: t0,
      syncLagMs: 0,
      heartbeatIntervalMs: 10_000,
      occurredAt: t0,
      lastReassertedAt: null,
    });
    expect(organisationsNamedBy(heartbeat)).toEqual([clinic]);
    expect(organisationsNamedBy(anEvent('WaitlistOfferExpired', { offerId: randomUUID(), waitlistEntryId: randomUUID(), slotId: `${clinic}:s-1`, occurredAt: t0 }))).toEqual([]);
  });
});

describe('the row a version-wins sequence keeps', () => {
  it('keeps the highest version of each key and, of equal ones, the first to arrive', () => {
    const rows = [
      { key: 'a', sourceVersion: 1, n: 1 },
      { key: 'a', sourceVersion: 3, n: 2 },
      { key: 'a', sourceVersion: 2, n: 3 },
      { key: 'b', sourceVersion: 5, n: 4 },
      { key: 'b', sourceVersion: 5, n: 5 },
    ];
    expect(latestPerKey(rows, (row) => row.key).map((row) => row.n)).toEqual([2, 4]);
  });
});
