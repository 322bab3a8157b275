import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BookingChannel } from '@medbus/contracts';
import type { OutgoingEvent } from '@medbus/kafka';
import { CodeMap, DataQualityReport, ManualClock, Publication, defaultSpecialtyRules, type SpecialtyRule } from '@medbus/mis-adapter-kit';
import { aDump, type ClinicSpec } from './__fixtures__/dump.builder';
import { recorded, recordedPath } from './__fixtures__/recorded';
import { DumpApplier } from './dump-apply.service';
import type { DumpIndexEntry } from './dump-index.mapper';

const first = '1.2.643.5.1.13.13.12.2.923.1037';
const second = '1.2.643.5.1.13.13.12.2.923.1074';

function entryOf(kind: DumpIndexEntry['kind'], seq: number): DumpIndexEntry {
  return { name: `${kind}-${seq}.xml`, kind, seq, size: 0, sha256: '0'.repeat(64), generated: '2026-11-30T05:00:00+03:00' };
}

function setUp(scope: readonly string[] = [first, second], specialtyRules: Readonly<Record<string, SpecialtyRule>> = defaultSpecialtyRules, bookingChannels: BookingChannel[] = ['CONTACT_CENTRE']) {
  const sent: OutgoingEvent[] = [];
  const publisher = {
    publishAll: async (events: readonly OutgoingEvent[]) => {
      sent.push(...events);
      return events.map((_, i) => `e${sent.length + i}`);
    },
  };
  const clock = new ManualClock('2026-11-30T06:00:00+03:00');
  const quality = new DataQualityReport();
  const publication = new Publication(publisher, clock, new Set(scope), quality, { log: () => undefined, warn: () => undefined });
  const applier = new DumpApplier(publication, new CodeMap(), quality, { misVendor: 'xmldump', bookingChannels, specialtyRules, maxUnitBytes: 1024 * 1024, concurrency: 3 });
  const events = () => sent.map((e) => ({ type: e.event.name, key: e.key, status: (e.value as { status?: string }).status }));
  return { applier, publication, sent, events, quality };
}

describe('applying a dump: validated to its End, then published', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xmldump-apply-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string | Buffer) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  async function apply(applier: DumpApplier, path: string, entry: DumpIndexEntry, base = 1) {
    const end = await applier.validate(path, entry, base);
    return applier.publish(path, end.header, false);
  }

  it('publishes a recorded full dump: its organisations, their doctors and every ticket with its state, each once', async () => {
    const { applier, events } = setUp();
    const { published, clinics } = await apply(applier, recordedPath('schedule-full.dump.xml'), entryOf('full', 1));
    const sent = events();
    expect(sent.filter((e) => e.type === 'OrganisationPublished').map((e) => e.key)).toEqual([first, second]);
    expect(sent.filter((e) => e.type === 'ResourcePublished').map((e) => e.key)).toEqual([`${first}:D0101`, `${first}:D0102`, `${second}:D0201`, `${second}:D0202`]);
    const slots = sent.filter((e) => e.type === 'SlotPublished');
    const tickets = (recorded('schedule-full.dump.xml').toString('utf8').match(/<Ticket /g) ?? []).length;
    expect(slots).toHaveLength(tickets);
    expect(new Set(slots.map((s) => s.key)).size).toBe(tickets);
    expect(new Set(slots.map((s) => s.status))).toEqual(new Set(['FREE', 'BOOKED']));
    expect(published).toBe(sent.length);
    expect(clinics).toEqual(new Map([[first, '1'], [second, '2']]));
  });

  it('publishes nothing when the same dump is applied again', async () => {
    const { applier, sent } = setUp();
    await apply(applier, recordedPath('schedule-full.dump.xml'), entryOf('full', 1));
    const before = sent.length;
    expect((await apply(applier, recordedPath('schedule-full.dump.xml'), entryOf('full', 1))).published).toBe(0);
    expect(sent).toHaveLength(before);
  });

  it('replaces the days a recorded partial lists: the walk-in’s ticket BOOKED, the sick day’s BLOCKED, nothing else', async () => {
    const { applier, events, sent } = setUp();
    await apply(applier, recordedPath('schedule-full.dump.xml'), entryOf('full', 1));
    const before = sent.length;
    await apply(applier, recordedPath('schedule-partial.dump.xml'), entryOf('partial', 2), 1);
    const changes = events().slice(before);
    expect(changes).toContainEqual({ type: 'SlotChanged', key: `${first}:D0101-202612010820`, status: 'BOOKED' });
    const sick = changes.filter((e) => e.key.startsWith(`${second}:D0202-20261201`));
    expect(sick.length).toBeGreaterThan(0);
    expect(sick.every((e) => e.type === 'SlotChanged' && e.status === 'BLOCKED')).toBe(true);
    expect(changes.every((e) => e.type === 'SlotChanged')).toBe(true);
    expect(changes.filter((e) => !e.key.startsWith(`${second}:D0202-20261201`))).toEqual([{ type: 'SlotChanged', key: `${first}:D0101-202612010820`, status: 'BOOKED' }]);
  });

  it('removes what a full dump no longer lists: a day of a doctor, a doctor’s slots, a clinic', async () => {
    const clinic = (code: string, oid: string, doctors: ClinicSpec['doctors']): ClinicSpec => ({ code, oid, doctors });
    const day = (date: string, prefix: string) => ({ date, tickets: [{ id: `${prefix}-${date.replace(/-/g, '')}0900`, time: '09:00' }, { id: `${prefix}-${date.replace(/-/g, '')}0915`, time: '09:15' }] });
    const before = aDump({
      kind: 'full',
      seq: 1,
      clinics: [
        clinic('1', first, [{ code: 'A', days: [day('2026-11-30', 'A'), day('2026-12-01', 'A')] }, { code: 'B', days: [day('2026-11-30', 'B')] }]),
        clinic('2', second, [{ code: 'C', days: [day('2026-11-30', 'C')] }]),
      ],
    });
    const after = aDump({ kind: 'full', seq: 5, clinics: [clinic('1', first, [{ code: 'A', days: [day('2026-11-30', 'A')] }])] });
    const { applier, events, sent } = setUp();
    await apply(applier, await file('before.xml', before), entryOf('full', 1));
    const published = sent.length;
    await apply(applier, await file('after.xml', after), entryOf('full', 5));
    const changes = events().slice(published);
    const removed = changes.filter((e) => e.type === 'SlotRemoved').map((e) => e.key).sort();
    expect(removed).toEqual([`${first}:A-202612010900`, `${first}:A-202612010915`, `${first}:B-202611300900`, `${first}:B-202611300915`, `${second}:C-202611300900`, `${second}:C-202611300915`]);
    expect(changes.filter((e) => e.type === 'OrganisationRemoved').map((e) => e.key)).toEqual([second]);
    expect(changes.filter((e) => e.type !== 'SlotRemoved' && e.type !== 'OrganisationRemoved')).toEqual([]);
  });

  it('publishes the region’s rules with each doctor, and its slots without the channels its specialty closes', async () => {
    const rules = { '76': { patientSex: null, minPatientAgeYears: 18, maxPatientAgeYears: null, attachmentRequired: true, closedChannels: ['PORTAL' as const] } };
    const { applier, sent } = setUp([first], rules, ['CONTACT_CENTRE', 'PORTAL']);
    const dump = aDump({ kind: 'full', seq: 1, clinics: [{ code: '1', oid: first, doctors: [{ code: 'T', days: [{ date: '2026-11-30', tickets: [{ id: 'T-1', time: '09:00' }] }] }] }] });
    await apply(applier, await file('rules.xml', dump), entryOf('full', 1));
    expect(sent.find((e) => e.event.name === 'ResourcePublished')?.value).toMatchObject({ patientSex: null, minPatientAgeYears: 18, attachmentRequired: true });
    expect(sent.find((e) => e.event.name === 'SlotPublished')?.value).toMatchObject({ bookingChannels: ['CONTACT_CENTRE'] });
  });

  it('publishes nothing of a clinic the adapter is not registered for, and counts it', async () => {
    const { applier, events, publication } = setUp([first]);
    await apply(applier, recordedPath('schedule-full.dump.xml'), entryOf('full', 1));
    expect(events().filter((e) => e.key.startsWith(second))).toEqual([]);
    expect(publication.refused.organisations).toEqual([second]);
  });

  it('refuses a dump cut anywhere, or with wrong counts, in the validating pass, which publishes nothing', async () => {
    const { applier, sent } = setUp();
    const whole = recorded('schedule-full.dump.xml');
    for (const cut of [0.1, 0.5, 0.9, 0.999].map((share) => Math.floor(whole.length * share))) {
      const path = await file(`cut-${cut}.xml`, whole.subarray(0, cut));
      await expect(applier.validate(path, entryOf('full', 1), 1)).rejects.toMatchObject({ code: expect.stringMatching(/^DUMP\.(TRUNCATED|MALFORMED)$/) });
    }
    const miscounted = await file('miscounted.xml', whole.toString('utf8').replace(/tickets="(\d+)"/, (_, n: string) => `tickets="${Number(n) + 1}"`));
    await expect(applier.validate(miscounted, entryOf('full', 1), 1)).rejects.toMatchObject({ code: 'DUMP.COUNTS_MISMATCH' });
    expect(sent).toEqual([]);
  });

  it('refuses a dump that is not the one the index named, and a partial not on the index’s full dump', async () => {
    const { applier } = setUp();
    await expect(applier.validate(recordedPath('schedule-full.dump.xml'), entryOf('full', 7), 7)).rejects.toMatchObject({ code: 'DUMP.INVALID_VALUE' });
    await expect(applier.validate(recordedPath('schedule-partial.dump.xml'), entryOf('partial', 2), 9)).rejects.toMatchObject({ code: 'DUMP.INVALID_VALUE', details: { attribute: 'base' } });
  });
});
