import { recordedParts } from './__fixtures__/recorded';
import { dayWindowOf, wholeScheduleOf, nextDate, toDaySlots, toSlotState } from './slot.mapper';

const oid = '1.2.643.5.1.13.13.12.2.923.1037';
const owner = { organisationOid: oid, timeZone: 'Europe/Moscow', doctorCode: 'D0101' };
const channels = ['CONTACT_CENTRE', 'PORTAL'] as const;

describe('slot mapper, on recorded dumps', () => {
  it('publishes a ticket as a slot whose clinic-local date and time become an instant of the clinic’s zone, its length in minutes', async () => {
    const [day] = (await recordedParts('schedule-full.dump.xml')).days;
    const free = day.tickets.find((t) => t.state === 'free');
    if (!free) throw new Error('the recorded day has a free ticket');
    expect(toSlotState(free, day.date, owner, channels)).toEqual({
      value: {
        slotId: `${oid}:D0101-202611300840`,
        localSlotId: 'D0101-202611300840',
        organisationOid: oid,
        resourceId: `${oid}:D0101`,
        localResourceId: 'D0101',
        startsAt: Date.parse('2026-11-30T05:40:00Z'),
        endsAt: Date.parse('2026-11-30T06:00:00Z'),
        status: 'FREE',
        bookingChannels: ['CONTACT_CENTRE', 'PORTAL'],
        room: '351',
      },
      issues: [],
    });
    expect(toSlotState(free, day.date, { ...owner, timeZone: 'Europe/Samara' }, channels).value?.startsAt).toBe(Date.parse('2026-11-30T04:40:00Z'));
  });

  it('reads busy as BOOKED and closed (a sick day) as BLOCKED', async () => {
    const { days } = await recordedParts('schedule-partial.dump.xml');
    const [walkIn, sick] = days;
    const statuses = (day: typeof walkIn, doctorCode: string) => new Set(toDaySlots(day, { ...owner, doctorCode }, channels).slots.map((s) => s.status));
    expect(statuses(walkIn, 'D0101')).toEqual(new Set(['FREE', 'BOOKED']));
    expect(statuses(sick, 'D0202')).toEqual(new Set(['BLOCKED']));
    expect(toDaySlots(sick, { ...owner, doctorCode: 'D0202' }, channels).slots).toHaveLength(18);
  });

  it('leaves the room null when the ticket names none', async () => {
    const [day] = (await recordedParts('schedule-full.dump.xml')).days;
    expect(toSlotState({ ...day.tickets[0], room: undefined }, day.date, owner, channels).value?.room).toBeNull();
  });

  it('spans a clinic-local day from midnight to midnight, 23 hours on the night clocks go forward', () => {
    expect(dayWindowOf('r', '2026-11-30', 'Europe/Moscow')).toEqual({ resourceId: 'r', fromMs: Date.parse('2026-11-29T21:00:00Z'), toMs: Date.parse('2026-11-30T21:00:00Z') });
    const spring = dayWindowOf('r', '2026-03-29', 'Europe/Berlin');
    expect(spring && spring.toMs - spring.fromMs).toBe(23 * 3_600_000);
    expect(nextDate('2026-12-31')).toBe('2027-01-01');
    expect(nextDate('2028-02-28')).toBe('2028-02-29');
  });

  it('takes a full dump as the whole schedule of a doctor: no start, no end', () => {
    expect(wholeScheduleOf('r')).toEqual({ resourceId: 'r', fromMs: 0, toMs: Number.MAX_SAFE_INTEGER });
  });
});
