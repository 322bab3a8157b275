import { recorded } from './__fixtures__/recorded';
import { pageSchema, slotSchema } from './medrest-response.mapper';
import { toSlotState } from './slot.mapper';

const facility = { facilityId: 'fac-1', organisationOid: '1.2.643.5.1.13.13.12.2.823.1037' };
const channels = ['CONTACT_CENTRE', 'PORTAL'] as const;

describe('slot mapper, on a recorded slots listing', () => {
  const slots = recorded('slots.page.json', pageSchema(slotSchema)).data;
  const ofStatus = (status: string) => {
    const slot = slots.find((s) => s.status === status);
    if (!slot) throw new Error(`no ${status} slot in the recording`);
    return slot;
  };

  it('publishes an available slot as FREE at the instants its offset times name', () => {
    const slot = ofStatus('available');
    expect(slot.start).toBe('2026-11-30T08:30:00+03:00');
    expect(toSlotState(slot, facility, channels)).toEqual({
      value: {
        slotId: `${facility.organisationOid}:slt-D0102-202611300830`,
        localSlotId: 'slt-D0102-202611300830',
        organisationOid: facility.organisationOid,
        resourceId: `${facility.organisationOid}:prc-1-D0102`,
        localResourceId: 'prc-1-D0102',
        startsAt: Date.parse('2026-11-30T05:30:00Z'),
        endsAt: Date.parse('2026-11-30T05:45:00Z'),
        status: 'FREE',
        bookingChannels: ['CONTACT_CENTRE', 'PORTAL'],
        room: '293',
      },
      issues: [],
    });
  });

  it('publishes booked slots as BOOKED and a sick day’s slots as BLOCKED', () => {
    expect(toSlotState(ofStatus('booked'), facility, channels).value?.status).toBe('BOOKED');
    expect(toSlotState(ofStatus('blocked'), facility, channels).value?.status).toBe('BLOCKED');
  });

  it('reads a Samara facility’s times with their own offset', () => {
    const [samara] = recorded('slots-samara.page.json', pageSchema(slotSchema)).data;
    const mapped = toSlotState(samara, { facilityId: 'fac-7', organisationOid: '1.2.643.5.1.13.13.12.2.823.1259' }, channels);
    expect(samara.start).toBe('2026-11-30T08:30:00+04:00');
    expect(mapped.value?.startsAt).toBe(Date.parse('2026-11-30T04:30:00Z'));
  });

  it('reports and does not publish a slot of another facility, or one that ends before it starts', () => {
    const slot = ofStatus('available');
    expect(toSlotState({ ...slot, facility_id: 'fac-2' }, facility, channels)).toEqual({ issues: [{ kind: 'invalid_value', entity: `slot ${facility.organisationOid}:${slot.id}`, field: 'facility_id' }] });
    expect(toSlotState({ ...slot, end: slot.start }, facility, channels).issues).toEqual([{ kind: 'invalid_value', entity: `slot ${facility.organisationOid}:${slot.id}`, field: 'start/end' }]);
  });

  it('leaves the room null when the MIS sends none', () => {
    expect(toSlotState({ ...ofStatus('available'), room: null }, facility, channels).value?.room).toBeNull();
  });
});
