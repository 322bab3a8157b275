import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { generateRegion } from '../clinic/region.generator';
import { ScheduleState } from '../clinic/schedule.state';
import { changedDoctorDays, writeDump, type DumpCounts, type DumpSpec } from './dump.writer';

function aState(changeLogSize?: number): ScheduleState {
  const region = generateRegion({ seed: 7, organisations: 3, doctorsPerOrg: 2, notifyShare: 0, oidRoot: '1.2.643.5.1.13.13.12.2.923' });
  return new ScheduleState(region, { seed: 7, startDate: '2026-11-30', horizonDays: 3, initialBookedShare: 0.3, changeLogSize });
}

async function dumpOf(state: ScheduleState, spec: DumpSpec): Promise<{ xml: string; counts: DumpCounts; chunks: number }> {
  const chunks: string[] = [];
  const counts = await writeDump(state, spec, { write: async (text) => void chunks.push(text) });
  return { xml: chunks.join(''), counts, chunks: chunks.length };
}

type Node = Record<string, unknown>;

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, isArray: (name) => ['Clinic', 'Doctor', 'Day', 'Ticket'].includes(name) });
const list = (node: unknown, key: string): Node[] => ((node as Node)[key] as Node[] | undefined) ?? [];

/** What the dump really holds, counted element by element. */
function parsed(xml: string): { root: Node; counted: DumpCounts; end: Node; tickets: Node[] } {
  const root = (parser.parse(xml) as Node)['ScheduleDump'] as Node;
  const clinics = list(root, 'Clinic');
  const doctors = clinics.flatMap((c) => list(c, 'Doctor'));
  const days = doctors.flatMap((d) => list(d, 'Day'));
  const tickets = days.flatMap((d) => list(d, 'Ticket'));
  return { root, counted: { clinics: clinics.length, doctors: doctors.length, days: days.length, tickets: tickets.length }, end: root['End'] as Node, tickets };
}

const countsOf = (end: Node): DumpCounts => ({ clinics: Number(end['clinics']), doctors: Number(end['doctors']), days: Number(end['days']), tickets: Number(end['tickets']) });

describe('writeDump', () => {
  it('writes a full dump of a small region that is well-formed, lists every ticket once, and whose End counts what came before', async () => {
    const state = aState();
    const { xml, counts, chunks } = await dumpOf(state, { kind: 'full', seq: 1, generated: '2026-11-30T02:00:00+03:00' });

    expect(XMLValidator.validate(xml)).toBe(true);
    const { root, counted, end, tickets } = parsed(xml);
    expect(countsOf(end)).toEqual(counted);
    expect(counts).toEqual(counted);
    expect(counted).toMatchObject({ clinics: 3, doctors: 6 });
    expect(counted.tickets).toBe(state.counts().slots);
    expect(new Set(tickets.map((t) => t['id'])).size).toBe(counted.tickets);
    expect(root).toMatchObject({ xmlns: 'urn:xmldump:schedule:1', kind: 'full', seq: '1', from: '2026-11-30', to: '2026-12-02' });
    expect(xml.trimEnd().endsWith('</ScheduleDump>')).toBe(true);
    expect(xml.lastIndexOf('<End ')).toBeGreaterThan(xml.lastIndexOf('</Clinic>'));
    // Written a doctor at a time, never as one string.
    expect(chunks).toBeGreaterThan(6);
  });

  it('shows a booked ticket as busy and a sick day as closed, with the clinic-local time and length', async () => {
    const state = aState();
    const booked = defined(state.walkIn(state.slotsOf(1, 'D0101', { state: 'free' })[0]?.id));
    const sickDate = defined(state.slotsOf(2, 'D0201')[0]).date;
    state.sickDay(2, 'D0201', sickDate);

    const { tickets } = parsed((await dumpOf(state, { kind: 'full', seq: 2, generated: 'g' })).xml);
    const byId = new Map(tickets.map((t) => [t['id'], t]));
    expect(byId.get(booked.id)).toEqual({ id: booked.id, time: booked.start.slice(11, 16), minutes: String(booked.minutes), room: booked.room, state: 'busy' });
    const sickTickets = state.slotsOf(2, 'D0201', { from: `${sickDate}T00:00:00`, to: `${sickDate}T23:59:59` });
    expect(sickTickets.length).toBeGreaterThan(0);
    expect(sickTickets.map((s) => byId.get(s.id)?.['state'])).toEqual(sickTickets.map(() => 'closed'));
  });

  it('writes a partial dump of only the changed doctor-days, each complete, under their clinic and doctor', async () => {
    const state = aState();
    const before = state.version;
    const slot = defined(state.walkIn(state.slotsOf(2, 'D0202', { state: 'free' })[0]?.id));
    const changed = changedDoctorDays(state, before);
    expect(changed && [...changed].map(([key, dates]) => [key, [...dates]])).toEqual([['2/D0202', [slot.date]]]);

    const { xml, counts } = await dumpOf(state, { kind: 'partial', seq: 5, base: 4, generated: 'g', changed: changed ?? new Map() });
    const { root, counted, end, tickets } = parsed(xml);
    expect(root).toMatchObject({ kind: 'partial', seq: '5', base: '4' });
    expect(countsOf(end)).toEqual(counted);
    expect(counts).toEqual({ clinics: 1, doctors: 1, days: 1, tickets: tickets.length });
    const clinic = list(root, 'Clinic')[0] as Node;
    expect(clinic).toMatchObject({ code: '2', Name: expect.any(String), ShortName: expect.any(String), Address: expect.any(String) });
    expect(list(clinic, 'Doctor')[0]).toMatchObject({ code: 'D0202', Name: expect.any(String), Specialty: expect.objectContaining({ code: expect.any(String) }) });
    const wholeDay = state.slotsOf(2, 'D0202', { from: `${slot.date}T00:00:00`, to: `${slot.date}T23:59:59` });
    expect(tickets.map((t) => t['id'])).toEqual(wholeDay.map((s) => s.id));
  });

  it('lists a changed day with no tickets left as an empty Day in a partial dump', async () => {
    const state = aState();
    const day = state.slotsOf(1, 'D0102');
    const date = defined(day[0]).date;
    const before = state.version;
    for (const slot of day.filter((s) => s.date === date)) state.removeSlot(slot.id);

    const { xml } = await dumpOf(state, { kind: 'partial', seq: 2, base: 1, generated: 'g', changed: changedDoctorDays(state, before) ?? new Map() });
    expect(xml).toContain(`<Day date="${date}"/>`);
    expect(countsOf(parsed(xml).end)).toEqual({ clinics: 1, doctors: 1, days: 1, tickets: 0 });
  });

  it('leaves out changed days that have left the horizon', async () => {
    const state = aState();
    state.advanceDay();
    const { counts } = await dumpOf(state, { kind: 'partial', seq: 2, base: 1, generated: 'g', changed: new Map([['1/D0101', new Set(['2026-11-30'])]]) });
    expect(counts).toEqual({ clinics: 0, doctors: 0, days: 0, tickets: 0 });
  });

  it('claims one ticket too many in End when told to miscount', async () => {
    const state = aState();
    const { xml, counts } = await dumpOf(state, { kind: 'full', seq: 1, generated: 'g', miscount: true });
    expect(Number(parsed(xml).end['tickets'])).toBe(counts.tickets + 1);
  });
});

describe('changedDoctorDays', () => {
  it('is undefined once the change log no longer reaches back to the cursor', () => {
    const state = aState(10);
    const before = state.version;
    for (let i = 0; i < 20; i++) state.walkIn();
    expect(changedDoctorDays(state, before)).toBeUndefined();
    expect(changedDoctorDays(state, state.version)).toEqual(new Map());
  });
});
