import type { EventOf } from '@medbus/contracts';
import { exportRowsOf, latestPerKey, organisationsNamedBy } from './export.mapper';

const oid = '1.2.643.5.1.13.13.12.2.23.1';

function aSlotEvent(overrides: Partial<EventOf<'SlotPublished'>> = {}): EventOf<'SlotPublished'> {
  return {
    slotId: `${oid}:s1`,
    localSlotId: 's1',
    organisationOid: oid,
    resourceId: `${oid}:doc`,
    localResourceId: 'doc',
    startsAt: Date.parse('2031-03-03T05:00:00Z'),
    endsAt: Date.parse('2031-03-03T05:15:00Z'),
    status: 'FREE',
    bookingChannels: ['PORTAL', 'FEDERAL_PORTAL'],
    room: null,
    sourceVersion: 3,
    occurredAt: Date.parse('2031-03-01T00:00:00Z'),
    ...overrides,
  };
}

describe('events as the exporter keeps them', () => {
  it("keeps a slot's channels sorted, whether the federal portal may book it, and the traceparent of its event", () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { slots } = exportRowsOf([{ eventType: 'SlotPublished', value: aSlotEvent(), headers: { traceparent } }]);
    expect(slots).toEqual([
      expect.objectContaining({ slotId: `${oid}:s1`, locationId: `${oid}:doc`, bookingChannels: ['FEDERAL_PORTAL', 'PORTAL'], federalPortal: true, status: 'FREE', traceparent }),
    ]);
  });

  it('reads a status or channel added after it was built as BLOCKED and OTHER: never offered, granting nothing', () => {
    const { slots } = exportRowsOf([{ eventType: 'SlotChanged', value: aSlotEvent({ status: 'RESERVED' as never, bookingChannels: ['TELEGRAM' as never] }) }]);
    expect(slots[0]).toEqual(expect.objectContaining({ status: 'BLOCKED', bookingChannels: ['OTHER'], federalPortal: false }));
  });

  it('refuses a slot that ends before it starts', () => {
    expect(() => exportRowsOf([{ eventType: 'SlotPublished', value: aSlotEvent({ endsAt: Date.parse('2031-03-03T04:00:00Z') }) }])).toThrow('slot ends before it starts');
  });

  it('keeps a booking with the channel that made it, and takes a reschedule as the end of the appointment it replaces', () => {
    const booked: EventOf<'AppointmentBooked'> = {
      appointmentId: 'a2',
      patientId: 'p',
      organisationOid: oid,
      resourceId: `${oid}:doc`,
      slotId: `${oid}:s2`,
      startsAt: 0,
      misAppointmentId: 'm2',
      channel: 'FEDERAL_PORTAL',
      replacesAppointmentId: 'a1',
      occurredAt: 0,
    };
    const { appointments } = exportRowsOf([{ eventType: 'AppointmentBooked', value: booked }]);
    expect(appointments.map((row) => [row.appointmentId, row.status, row.federal])).toEqual([
      ['a2', 'BOOKED', true],
      ['a1', 'CANCELLED', false],
    ]);
  });

  it('names every organisation an MIS event writes for, and none for booking events', () => {
    const foreign = aSlotEvent({ slotId: '9.9.9:s1' });
    expect(organisationsNamedBy({ eventType: 'SlotPublished', value: foreign })).toEqual([oid, '9.9.9', oid]);
    expect(organisationsNamedBy({ eventType: 'AppointmentCancelled', value: {} })).toEqual([]);
  });

  it('keeps of several rows of one aggregate the highest version, the first of equal ones', () => {
    const rows = [
      { id: 'a', sourceVersion: 2, n: 1 },
      { id: 'a', sourceVersion: 3, n: 2 },
      { id: 'a', sourceVersion: 3, n: 3 },
      { id: 'b', sourceVersion: 1, n: 4 },
    ];
    expect(latestPerKey(rows, (row) => row.id).map((row) => row.n)).toEqual([2, 4]);
  });
});
