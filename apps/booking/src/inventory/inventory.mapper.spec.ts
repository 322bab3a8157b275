import type { EventOf } from '@medbus/contracts';
import { InvalidInventoryEventError } from './inventory.errors';
import { heartbeatRowOf, practitionerRowOf, slotRowOf, slotTombstoneOf } from './inventory.mapper';

function aSlotPublished(overrides: Partial<EventOf<'SlotPublished'>> = {}): EventOf<'SlotPublished'> {
  return {
    slotId: '1.2.643:100',
    localSlotId: '100',
    organisationOid: '1.2.643',
    resourceId: '1.2.643:doc',
    localResourceId: 'doc',
    startsAt: Date.UTC(2031, 2, 3, 5),
    endsAt: Date.UTC(2031, 2, 3, 5, 15),
    status: 'FREE',
    bookingChannels: ['PORTAL', 'CONTACT_CENTRE'],
    room: null,
    sourceVersion: 7,
    occurredAt: Date.UTC(2026, 2, 2),
    ...overrides,
  };
}

describe('slot rows', () => {
  it('read a status added after this reader was built as BLOCKED, so it is never offered', () => {
    expect(slotRowOf(aSlotPublished({ status: 'RESERVED_FOR_VIP' as 'FREE' })).status).toBe('BLOCKED');
  });

  it('store channels sorted and distinct, unknown ones as OTHER', () => {
    expect(slotRowOf(aSlotPublished({ bookingChannels: ['PORTAL', 'TELEGRAM' as 'PORTAL', 'CONTACT_CENTRE', 'PORTAL'] })).bookingChannels).toEqual([
      'CONTACT_CENTRE',
      'OTHER',
      'PORTAL',
    ]);
  });

  it('refuse a slot that ends before it starts or an unsafe version', () => {
    expect(() => slotRowOf(aSlotPublished({ endsAt: Date.UTC(2031, 2, 3, 4) }))).toThrow(InvalidInventoryEventError);
    expect(() => slotRowOf(aSlotPublished({ sourceVersion: 2 ** 53 }))).toThrow(InvalidInventoryEventError);
  });

  it('make a removal a tombstone that holds only ids and the version, whatever came before', () => {
    expect(slotTombstoneOf({ slotId: '1.2.643:100', organisationOid: '1.2.643', resourceId: '1.2.643:doc', sourceVersion: 8, occurredAt: 0 })).toEqual({
      slotId: '1.2.643:100',
      organisationOid: '1.2.643',
      resourceId: '1.2.643:doc',
      localSlotId: null,
      localResourceId: null,
      startsAt: null,
      endsAt: null,
      status: null,
      bookingChannels: [],
      room: null,
      removed: true,
      sourceVersion: 8,
      occurredAt: new Date(0),
    });
  });
});

describe('practitioner rows', () => {
  it("keep no practitioner's SNILS: only the federal registry's exporter has a use for it", () => {
    const row = practitionerRowOf({
      resourceId: '1.2.643:doc',
      organisationOid: '1.2.643',
      localResourceId: 'doc',
      federalPractitionerId: null,
      practitionerSnils: '58731566029',
      displayName: 'Кузнецов П. К.',
      specialty: { nsiCode: '31', misCode: 'KAR', misName: 'Кардиология' },
      position: null,
      departmentOid: null,
      departmentName: null,
      room: null,
      active: true,
      patientSex: null,
      minPatientAgeYears: null,
      maxPatientAgeYears: null,
      attachmentRequired: false,
      sourceVersion: 1,
      occurredAt: Date.UTC(2026, 2, 2),
    });
    expect(JSON.stringify(row)).not.toContain('58731566029');
  });
});

describe('heartbeat rows', () => {
  it('name each organisation once', () => {
    const row = heartbeatRowOf({
      adapterId: 'medialog-1',
      misVendor: 'medialog',
      adapterVersion: '1',
      organisationOids: ['b', 'a', 'b'],
      misReachable: true,
      lastSuccessfulSyncAt: null,
      syncLagMs: null,
      heartbeatIntervalMs: 10_000,
      occurredAt: 7_200_000,
      lastReassertedAt: 3_600_000,
    });
    expect(row.organisationOids).toEqual(['a', 'b']);
    expect(row.lastReassertedAt).toEqual(new Date(3_600_000));
  });

  it('refuse a reassert pass said to have completed after the heartbeat reporting it', () => {
    const beat = {
      adapterId: 'medialog-1', misVendor: 'medialog', adapterVersion: '1', organisationOids: ['a'], misReachable: true,
      lastSuccessfulSyncAt: null, syncLagMs: null, heartbeatIntervalMs: 10_000, occurredAt: 1_000, lastReassertedAt: 1_001,
    };
    expect(() => heartbeatRowOf(beat)).toThrow(InvalidInventoryEventError);
  });
});
