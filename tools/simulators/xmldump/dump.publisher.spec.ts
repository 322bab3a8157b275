import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRegion } from '../clinic/region.generator';
import { ScheduleState } from '../clinic/schedule.state';
import { DumpPublisher, moscowTimestamp, type DumpFaults } from './dump.publisher';

const at = new Date('2026-11-29T23:00:00Z');

function aState(): ScheduleState {
  const region = generateRegion({ seed: 5, organisations: 2, doctorsPerOrg: 2, notifyShare: 0 });
  return new ScheduleState(region, { seed: 5, startDate: '2026-11-30', horizonDays: 3, initialBookedShare: 0.2 });
}

describe('DumpPublisher', () => {
  let dir: string;
  const publishers: DumpPublisher[] = [];

  function aPublisher(state: ScheduleState, faults: DumpFaults = { truncateNext: false, corruptNext: null }): DumpPublisher {
    const publisher = new DumpPublisher(state, { dir, partialIntervalSec: 0, now: () => at, log: () => undefined }, faults);
    publishers.push(publisher);
    return publisher;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xmldump-publisher-'));
  });

  afterEach(async () => {
    await Promise.all(publishers.splice(0).map((p) => p.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('starts with a full dump and an index giving its size, sha256 and Moscow time', async () => {
    const publisher = aPublisher(aState());
    await publisher.start();

    const bytes = await readFile(join(dir, 'full-1.xml'));
    expect(publisher.listed()).toEqual([
      { name: 'full-1.xml', kind: 'full', seq: 1, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), generated: '2026-11-30T02:00:00+03:00' },
    ]);
    const index = await readFile(join(dir, 'index.xml'), 'utf8');
    expect(index).toContain(`<Dump name="full-1.xml" kind="full" seq="1" size="${bytes.length}" sha256="`);
    expect(moscowTimestamp(at)).toBe('2026-11-30T02:00:00+03:00');
  });

  it('writes a partial dump on a tick only when the schedule changed, and a full one once the day changed', async () => {
    const state = aState();
    const publisher = aPublisher(state);
    await publisher.start();

    publisher.tick();
    await publisher.publish('partial');
    expect(publisher.listed().map((e) => e.name)).toEqual(['full-1.xml', 'partial-2.xml']);

    state.walkIn();
    publisher.tick();
    const afterChange = await publisher.publish('partial');
    expect(publisher.listed().map((e) => e.name)).toEqual(['full-1.xml', 'partial-2.xml', 'partial-3.xml', 'partial-4.xml']);
    expect(afterChange.seq).toBe(4);

    state.advanceDay();
    const night = await publisher.publish('partial');
    expect(night).toMatchObject({ name: 'full-5.xml', kind: 'full' });
    expect(publisher.listed().map((e) => e.name)).toEqual(['full-5.xml']);
    expect((await readdir(dir)).sort()).toEqual(['full-5.xml', 'index.xml']);
  });

  it('lists in a partial dump only what changed after the previous dump began', async () => {
    const state = aState();
    const publisher = aPublisher(state);
    await publisher.start();
    const slot = state.walkIn();
    await publisher.publish('partial');
    const quiet = await publisher.publish('partial');

    expect(await readFile(join(dir, 'partial-2.xml'), 'utf8')).toContain(`<Ticket id="${slot?.id}"`);
    expect(await readFile(join(dir, quiet.name), 'utf8')).toContain('<End clinics="0" doctors="0" days="0" tickets="0"/>');
  });

  it('continues the seq of an index left in its directory and removes the files it no longer lists', async () => {
    const first = aPublisher(aState());
    await first.start();
    await first.publish('partial');
    await first.close();

    const second = aPublisher(aState());
    await second.start();
    expect(second.listed()).toEqual([expect.objectContaining({ name: 'full-3.xml', seq: 3 })]);
    expect((await readdir(dir)).sort()).toEqual(['full-3.xml', 'index.xml']);
  });

  it('publishes one broken dump when told to, and the next one whole', async () => {
    const faults: DumpFaults = { truncateNext: false, corruptNext: 'not-xml' };
    const publisher = aPublisher(aState(), faults);
    await publisher.start();
    const broken = await readFile(join(dir, 'full-1.xml'), 'utf8');
    expect(broken.startsWith('<')).toBe(false);
    expect(publisher.listed()[0]?.size).toBe(Buffer.byteLength(broken));
    expect(faults.corruptNext).toBeNull();

    faults.corruptNext = 'truncated-file';
    const cut = await publisher.publish('full');
    const text = await readFile(join(dir, cut.name), 'utf8');
    expect(text).not.toContain('<End ');
    expect(Buffer.byteLength(text)).toBe(cut.size);

    const whole = await publisher.publish('full');
    expect(await readFile(join(dir, whole.name), 'utf8')).toContain('<End ');
  });
});
