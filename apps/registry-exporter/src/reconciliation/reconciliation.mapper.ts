import type { ExportedState, UnknownHeld } from '../export/export-repair.service';

/** The kinds of drift reconciliation finds and repairs. */
export const DriftKind = { missing: 'MISSING', stale: 'STALE', orphaned: 'ORPHANED' } as const;
export type DriftKind = (typeof DriftKind)[keyof typeof DriftKind];

/** What the federal side holds of one object, as far as the comparison needs it. */
export interface Held {
  readonly id: string;
  readonly version: number;
  /** A slot's start (epoch ms); undefined for a location. */
  readonly startsAt?: number;
  readonly locationId?: string;
}

export interface Drift {
  /** Exportable and settled here, absent there. */
  readonly missing: string[];
  /** There, with another Version or content than the federal view. */
  readonly stale: { id: string; version: number }[];
  /** There, but not exportable here. */
  readonly orphaned: { id: string; version: number }[];
  /** There, and unknown here. */
  readonly unknown: UnknownHeld[];
}

/**
 * Compares what the federal side holds with the federal view. Objects on their way (pending) are
 * the worker's and left out, as are visits that have begun (history, on both sides).
 */
export function driftOf<V, H extends Held>(ours: readonly ExportedState<V>[], theirs: readonly H[], same: (held: H, view: V) => boolean, nowMs: number): Drift {
  const drift: Drift = { missing: [], stale: [], orphaned: [], unknown: [] };
  const past = (startsAt: number | null | undefined) => startsAt !== null && startsAt !== undefined && startsAt <= nowMs;
  const byId = new Map(ours.map((state) => [state.id, state]));
  const held = new Set<string>();
  for (const object of theirs) {
    held.add(object.id);
    if (past(object.startsAt)) continue;
    const state = byId.get(object.id);
    if (state === undefined) {
      drift.unknown.push({ id: object.id, version: object.version, ...(object.locationId === undefined ? {} : { locationId: object.locationId }), ...(object.startsAt === undefined ? {} : { startsAt: object.startsAt }) });
      continue;
    }
    if (state.pending || past(state.startsAt)) continue;
    if (state.view === null) drift.orphaned.push({ id: object.id, version: object.version });
    else if (object.version !== state.version || !same(object, state.view)) drift.stale.push({ id: object.id, version: object.version });
  }
  for (const state of ours) {
    if (state.view !== null && !state.pending && !past(state.startsAt) && !held.has(state.id)) drift.missing.push(state.id);
  }
  return drift;
}
