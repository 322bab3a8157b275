import { recordedResult } from './__fixtures__/recorded';
import { slotChanged, slotRemoved, withStatus } from '@medbus/mis-adapter-kit';
import { toSlotPublished, toSlotState } from './slot.mapper';

const clinic = { organisationOid: '1.2.643.5.1.13.13.12.2.23.1037' };
const doctor = { IdDoc: 'D0101' };
const channels = ['CONTACT_CENTRE', 'PORTAL'] as const;
const stamp = { sourceVersion: 1_764_000_000_000_000, occurredAt: Date.parse('2026-11-24T00:50:00Z') };

describe('slot mapper, on a recorded GetAvaibleAppointments answer', () => {
  const [first] = recordedResult('GetAvaibleAppointments', 'get-avaible-appointments.response.xml').ListAppointments;

  it('publishes a listed appointment as a FREE slot with clinic-local times turned into instants of the clinic zone', () => {
    expect(toSlotPublished(first, doctor, clinic, 'Europe/Moscow', stamp, channels)).toEqual({
      slotId: '1.2.643.5.1.13.13.12.2.23.1037:D0101-202611240820',
      localSlotId: 'D0101-202611240820',
      organisationOid: clinic.organisationOid,
      resourceId: '1.2.643.5.1.13.13.12.2.23.1037:D0101',
      localResourceId: 'D0101',
      startsAt: Date.parse('2026-11-24T05:20:00Z'),
      endsAt: Date.parse('2026-11-24T05:40:00Z'),
      status: 'FREE',
      bookingChannels: ['CONTACT_CENTRE', 'PORTAL'],
      room: '351',
      ...stamp,
    });
  });

  it('reads the same wall-clock time as a different instant for a clinic in another zone', () => {
    const samara = toSlotPublished(first, doctor, clinic, 'Europe/Samara', stamp, channels);
    expect(samara?.startsAt).toBe(Date.parse('2026-11-24T04:20:00Z'));
  });

  it('reports and does not publish a slot whose times cannot be read', () => {
    const mapped = toSlotState({ ...first, VisitEnd: first.VisitStart }, doctor, clinic, 'Europe/Moscow', channels);
    expect(mapped.value).toBeUndefined();
    expect(mapped.issues).toEqual([{ kind: 'invalid_value', entity: 'slot 1.2.643.5.1.13.13.12.2.23.1037:D0101-202611240820', field: 'VisitStart/VisitEnd' }]);
  });

  it('leaves the room null when the MIS sends none', () => {
    expect(toSlotState({ ...first, Room: undefined }, doctor, clinic, 'Europe/Moscow', channels).value?.room).toBeNull();
  });

  it('carries the full state on a change and only the ids on a removal', () => {
    const state = toSlotState(first, doctor, clinic, 'Europe/Moscow', channels).value;
    if (!state) throw new Error('expected a slot');
    expect(slotChanged(withStatus(state, 'BOOKED'), stamp)).toMatchObject({ status: 'BOOKED', startsAt: state.startsAt, room: '351' });
    expect(slotRemoved(state, stamp)).toEqual({ slotId: state.slotId, organisationOid: state.organisationOid, resourceId: state.resourceId, ...stamp });
  });
});
