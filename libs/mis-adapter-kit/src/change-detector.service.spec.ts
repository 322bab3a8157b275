import { ChangeDetector, fingerprintOf } from './change-detector.service';
import { ManualClock } from './clock.service';

function must<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
}

interface Slot {
  status: string;
  room: string | null;
}

describe('ChangeDetector', () => {
  it('reports a new entity, nothing for the same state again, and a change when it differs', () => {
    const clock = new ManualClock('2026-03-02T05:00:00Z');
    const detector = new ChangeDetector<Slot>(clock);
    const created = detector.detect('s1', { status: 'FREE', room: '101' });
    expect(created).toMatchObject({ kind: 'created', id: 's1' });
    detector.commit([must(created)]);
    expect(detector.detect('s1', { room: '101', status: 'FREE' })).toBeUndefined();
    const changed = detector.detect('s1', { status: 'BOOKED', room: '101' });
    expect(changed).toMatchObject({ kind: 'changed', state: { status: 'BOOKED' } });
  });

  it('reasserts an unchanged entity as a change with a newer version, and an unknown one as created', () => {
    const clock = new ManualClock('2026-03-02T05:00:00Z');
    const detector = new ChangeDetector<Slot>(clock);
    const created = must(detector.detect('s1', { status: 'FREE', room: '101' }));
    detector.commit([created]);

    const again = detector.reassert('s1', { status: 'FREE', room: '101' });

    expect(again).toMatchObject({ kind: 'changed', id: 's1', fingerprint: created.fingerprint });
    expect(again.sourceVersion).toBeGreaterThan(created.sourceVersion);
    expect(detector.reassert('s2', { status: 'FREE', room: null })).toMatchObject({ kind: 'created', id: 's2' });
  });

  it('gives strictly increasing versions per entity, even within one millisecond', () => {
    const clock = new ManualClock('2026-03-02T05:00:00Z');
    const detector = new ChangeDetector<Slot>(clock);
    const versions: number[] = [];
    for (const status of ['FREE', 'BOOKED', 'FREE']) {
      const change = must(detector.detect('s1', { status, room: null }));
      detector.commit([change]);
      versions.push(change.sourceVersion);
    }
    const removal = must(detector.removal('s1'));
    versions.push(removal.sourceVersion);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(4);
    expect(versions[3]).toBeLessThan(2 ** 53);
  });

  it('versions after a restart are above any version published before it', () => {
    const clock = new ManualClock('2026-03-02T05:00:00Z');
    const before = new ChangeDetector<Slot>(clock);
    let last = 0;
    for (let i = 0; i < 50; i++) {
      const change = must(before.detect('s1', { status: `S${i}`, room: null }));
      before.commit([change]);
      last = change.sourceVersion;
    }
    clock.advance(1);
    const afterRestart = new ChangeDetector<Slot>(clock);
    expect(must(afterRestart.detect('s1', { status: 'FREE', room: null })).sourceVersion).toBeGreaterThan(last);
  });

  it('keeps reporting a change until it is committed, so a failed publish is retried', () => {
    const detector = new ChangeDetector<Slot>(new ManualClock());
    expect(detector.detect('s1', { status: 'FREE', room: null })).toBeDefined();
    expect(detector.detect('s1', { status: 'FREE', room: null })).toMatchObject({ kind: 'created' });
  });

  it('forgets a removed entity, and a removal of an unknown one is nothing', () => {
    const detector = new ChangeDetector<Slot>(new ManualClock());
    detector.commit([must(detector.detect('s1', { status: 'FREE', room: null }))]);
    detector.commit([must(detector.removal('s1'))]);
    expect(detector.get('s1')).toBeUndefined();
    expect(detector.removal('s1')).toBeUndefined();
  });

  it('fingerprints ignore key order', () => {
    expect(fingerprintOf({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(fingerprintOf({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(fingerprintOf({ a: 1 })).not.toBe(fingerprintOf({ a: 2 }));
  });
});
