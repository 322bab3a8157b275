import type { DataSource } from 'typeorm';
import { testDataSource, uniqueName } from '@medbus/testing';
import { ChangeDetector } from './change-detector.service';
import { ManualClock } from './clock.service';
import { CreateMisAdapterPublishedState1764000000000 } from './published-state.migration';
import { PublishedStateStore } from './published-state.service';

interface Slot {
  status: string;
}

describe('PublishedStateStore against the real Postgres', () => {
  let dataSource: DataSource;
  beforeAll(async () => (dataSource = await testDataSource([CreateMisAdapterPublishedState1764000000000])));
  afterAll(() => dataSource.destroy());

  it('gives a restarted adapter back what it published, with versions, and nothing it removed or forgot', async () => {
    const adapterId = uniqueName('adapter');
    const clock = new ManualClock();
    const before = new ChangeDetector<Slot>(clock);
    const store = new PublishedStateStore(dataSource, adapterId);
    const changes = ['s1', 's2', 's3'].map((id) => before.detect(id, { status: 'FREE' })).filter((c) => c !== undefined);
    await store.save('slot', changes);
    before.commit(changes);
    const removal = before.removal('s2');
    await store.save('slot', removal ? [removal] : [], ['s3']);

    const after = new ChangeDetector<Slot>(clock);
    after.restore(await new PublishedStateStore(dataSource, adapterId).load<Slot>('slot'));
    expect(after.size).toBe(1);
    expect(after.get('s1')).toEqual(before.get('s1'));
    expect(after.detect('s1', { status: 'FREE' })).toBeUndefined();
    expect(await new PublishedStateStore(dataSource, uniqueName('other')).load('slot')).toEqual([]);
  });
});
