import type { ExportedState } from '../export/export-repair.service';
import { driftOf, type Held } from './reconciliation.mapper';

interface View {
  readonly status: string;
}

const now = Date.parse('2031-03-01T00:00:00Z');
const later = now + 3_600_000;

function ours(id: string, overrides: Partial<ExportedState<View>> = {}): ExportedState<View> {
  return { id, view: { status: 'FREE' }, version: 10, pending: false, startsAt: later, ...overrides };
}

function theirs(id: string, overrides: Partial<Held & { status: string }> = {}): Held & { status: string } {
  return { id, version: 10, startsAt: later, status: 'FREE', ...overrides };
}

const same = (held: { status: string }, view: View) => held.status === view.status;

describe('drift between the federal view and what the federal side holds', () => {
  it('finds nothing when the federal side holds the view at its versions', () => {
    expect(driftOf([ours('a'), ours('b', { view: null, version: null })], [theirs('a')], same, now)).toEqual({ missing: [], stale: [], orphaned: [], unknown: [] });
  });

  it('finds missing, stale (by version or by content), orphaned and unknown objects', () => {
    const drift = driftOf(
      [ours('missing'), ours('old-version'), ours('changed'), ours('not-exportable', { view: null }), ours('fine')],
      [theirs('old-version', { version: 7 }), theirs('changed', { status: 'BUSY' }), theirs('not-exportable', { version: 4 }), theirs('fine'), theirs('never-sent', { version: 3, locationId: 'loc' })],
      same,
      now,
    );
    expect(drift).toEqual({
      missing: ['missing'],
      stale: [
        { id: 'old-version', version: 7 },
        { id: 'changed', version: 10 },
      ],
      orphaned: [{ id: 'not-exportable', version: 4 }],
      unknown: [{ id: 'never-sent', version: 3, locationId: 'loc', startsAt: later }],
    });
  });

  it('leaves to the worker what is on its way, and history alone on both sides', () => {
    const drift = driftOf(
      [ours('pending', { pending: true }), ours('pending-absent', { pending: true }), ours('past', { startsAt: now - 1 }), ours('past-absent', { startsAt: now - 1 })],
      [theirs('pending', { status: 'BUSY' }), theirs('past', { status: 'BUSY' }), theirs('past-unknown', { startsAt: now - 1 })],
      same,
      now,
    );
    expect(drift).toEqual({ missing: [], stale: [], orphaned: [], unknown: [] });
  });
});
