import { BookingChannel } from '@medbus/contracts';
import type { ResourceState } from '@medbus/mis-adapter-kit';
import { slotBodySchema, slotsBodySchema } from './inbound-request.mapper';
import { toSlotStates, windowOf } from './slot.mapper';
import slots from './__fixtures__/slots.json';

const oid = '1.2.643.5.1.13.13.12.2.23.1037';
const listed = slotsBodySchema.parse(slots).slots;
const allowed = [BookingChannel.CONTACT_CENTRE, BookingChannel.PORTAL, BookingChannel.FRONT_DESK];

function aResource(overrides: Partial<ResourceState> = {}): ResourceState {
  return {
    resourceId: `${oid}:doc-117`,
    organisationOid: oid,
    localResourceId: 'doc-117',
    federalPractitionerId: null,
    practitionerSnils: null,
    displayName: 'Иванова А. П.',
    specialty: { nsiCode: '76', misCode: 'TER', misName: 'Терапевт участковый' },
    position: null,
    departmentOid: null,
    departmentName: null,
    room: '214',
    active: true,
    patientSex: null,
    minPatientAgeYears: null,
    maxPatientAgeYears: null,
    attachmentRequired: false,
    ...overrides,
  };
}

describe('a resource’s slots the MIS pushed for a range of days, as canonical states', () => {
  it('reads clinic-local times in the organisation’s zone and keeps each slot’s status, room and channels', () => {
    const mapped = toSlotStates(aResource(), { from: '2026-11-24', to: '2026-11-25' }, listed, 'Europe/Moscow', allowed);

    expect(mapped).toEqual({
      window: { resourceId: `${oid}:doc-117`, fromMs: Date.parse('2026-11-23T21:00:00Z'), toMs: Date.parse('2026-11-25T21:00:00Z') },
      states: [
        expect.objectContaining({ slotId: `${oid}:s-20261124-0800-117`, startsAt: Date.parse('2026-11-24T05:00:00Z'), endsAt: Date.parse('2026-11-24T05:20:00Z'), status: 'FREE', room: null, bookingChannels: allowed }),
        expect.objectContaining({ localSlotId: 's-20261124-0820-117', status: 'BOOKED', room: '216' }),
        expect.objectContaining({ localSlotId: 's-20261124-0840-117', status: 'BLOCKED' }),
        expect.objectContaining({ localSlotId: 's-20261125-1400-117', localResourceId: 'doc-117', resourceId: `${oid}:doc-117`, bookingChannels: ['CONTACT_CENTRE', 'FRONT_DESK'] }),
      ],
    });
  });

  it('reads the same local times in another zone as other instants', () => {
    const mapped = toSlotStates(aResource(), { from: '2026-11-24', to: '2026-11-25' }, listed, 'Asia/Yekaterinburg', allowed);

    expect('states' in mapped && mapped.states[0]?.startsAt).toBe(Date.parse('2026-11-24T03:00:00Z'));
  });

  it('never opens a channel the region closes, whatever the MIS lists', () => {
    const mapped = toSlotStates(aResource(), { from: '2026-11-24', to: '2026-11-25' }, listed, 'Europe/Moscow', [BookingChannel.CONTACT_CENTRE]);

    expect('states' in mapped && mapped.states[3]?.bookingChannels).toEqual(['CONTACT_CENTRE']);
  });

  it('refuses the whole push, naming the slot, when a slot starts outside the range', () => {
    expect(toSlotStates(aResource(), { from: '2026-11-24', to: '2026-11-24' }, listed, 'Europe/Moscow', allowed)).toEqual({
      refused: 'INBOUND.SLOT_OUTSIDE_RANGE',
      fields: [{ path: 'slots.3.start', message: 'must fall within 2026-11-24 to 2026-11-24' }],
    });
  });

  it('refuses times that are not times and an end not after its start', () => {
    const broken = [
      { ...listed[0], localId: 'a', start: '2026-11-31T08:00' },
      { ...listed[0], localId: 'b', start: '2026-11-24T09:00', end: '2026-11-24T09:00' },
      { ...listed[0], localId: 'c', start: '2026-11-24T24:10' },
    ].map((slot) => slotBodySchema.parse(slot));

    expect(toSlotStates(aResource(), { from: '2026-11-24', to: '2026-11-30' }, broken, 'Europe/Moscow', allowed)).toEqual({
      refused: 'INBOUND.INVALID_BODY',
      fields: [
        { path: 'slots.0.start', message: 'must be a real clinic-local time' },
        { path: 'slots.1.end', message: 'must be after start' },
        { path: 'slots.2.start', message: 'must be a real clinic-local time' },
      ],
    });
  });

  it('spans whole local days across a change of offset', () => {
    expect(windowOf('r', { from: '2026-03-29', to: '2026-03-29' }, 'Europe/Berlin')).toEqual({
      resourceId: 'r',
      fromMs: Date.parse('2026-03-28T23:00:00Z'),
      toMs: Date.parse('2026-03-29T22:00:00Z'),
    });
  });
});
