import { createHash } from 'node:crypto';
import type { Clock } from './clock.service';

/** What the adapter last published about one entity. */
export interface Tracked<S> {
  readonly fingerprint: string;
  readonly sourceVersion: number;
  readonly state: S;
}

export const ChangeKind = { created: 'created', changed: 'changed', removed: 'removed' } as const;
export type ChangeKind = (typeof ChangeKind)[keyof typeof ChangeKind];

export interface Change<S> {
  readonly kind: ChangeKind;
  readonly id: string;
  /** The new state; for `removed`, the last published one. */
  readonly state: S;
  readonly sourceVersion: number;
  readonly fingerprint: string;
}

/** A stable fingerprint of a JSON-shaped value (object keys sorted). */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Remembers the fingerprint and source version last published per entity, so an adapter
 * publishes only what changed. Two steps: `detect`/`removal` compute changes with their next
 * versions; `commit` records them once Kafka has acknowledged the batch, so a failed publish
 * is detected again on the next sync.
 *
 * Versions are `max(last + 1, now in ms × 1000)`: strictly increasing per entity while the
 * process lives and, after a restart with an empty memory, still greater than anything
 * published before (unless more than 1000 versions of one entity were made per millisecond,
 * or the clock went back). They stay below 2^53 until the year 2255.
 */
export class ChangeDetector<S> {
  private readonly tracked = new Map<string, Tracked<S>>();

  constructor(private readonly clock: Clock) {}

  /** The change to publish for `state`, or undefined when it equals what was published. */
  detect(id: string, state: S): Change<S> | undefined {
    const fingerprint = fingerprintOf(state);
    const last = this.tracked.get(id);
    if (last?.fingerprint === fingerprint) return undefined;
    const kind = last ? ChangeKind.changed : ChangeKind.created;
    return { kind, id, state, fingerprint, sourceVersion: this.nextVersion(last) };
  }

  /**
   * The change to publish for `state` even when it equals what was published: an anti-entropy pass
   * states every entity again with a newer version, so a consumer whose copy diverged (an event lost
   * with a rebuilt table, another publisher's newer version under the same id) converges on it.
   */
  reassert(id: string, state: S): Change<S> {
    const last = this.tracked.get(id);
    const fingerprint = fingerprintOf(state);
    return { kind: last ? ChangeKind.changed : ChangeKind.created, id, state, fingerprint, sourceVersion: this.nextVersion(last) };
  }

  /** A removal of a tracked entity, or undefined when it is not tracked. */
  removal(id: string): Change<S> | undefined {
    const last = this.tracked.get(id);
    if (!last) return undefined;
    return { kind: ChangeKind.removed, id, state: last.state, fingerprint: last.fingerprint, sourceVersion: this.nextVersion(last) };
  }

  commit(changes: readonly Change<S>[]): void {
    for (const change of changes) {
      if (change.kind === ChangeKind.removed) this.tracked.delete(change.id);
      else this.tracked.set(change.id, { fingerprint: change.fingerprint, sourceVersion: change.sourceVersion, state: change.state });
    }
  }

  /** Takes back what was published before a restart (PublishedStateStore.load). */
  restore(entries: Iterable<[string, Tracked<S>]>): void {
    for (const [id, tracked] of entries) this.tracked.set(id, tracked);
  }

  /** Stops tracking without publishing anything (e.g. a slot that has passed). */
  forget(id: string): void {
    this.tracked.delete(id);
  }

  get(id: string): Tracked<S> | undefined {
    return this.tracked.get(id);
  }

  /** Ids of tracked entities whose state matches, to find the ones a fresh read no longer lists. */
  idsWhere(predicate: (state: S) => boolean): string[] {
    const ids: string[] = [];
    for (const [id, tracked] of this.tracked) if (predicate(tracked.state)) ids.push(id);
    return ids;
  }

  get size(): number {
    return this.tracked.size;
  }

  private nextVersion(last: Tracked<S> | undefined): number {
    return Math.max((last?.sourceVersion ?? 0) + 1, this.clock.now().getTime() * 1000);
  }
}
