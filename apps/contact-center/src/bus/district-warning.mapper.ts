import type { HeartbeatRow } from './bus.mapper';

/** Why an organisation's MIS data may not be current: the operators of its district are warned. */
export const WarningReason = {
  MIS_UNREACHABLE: 'MIS_UNREACHABLE',
  NEVER_SYNCED: 'NEVER_SYNCED',
  SYNC_STALE: 'SYNC_STALE',
  HEARTBEAT_MISSING: 'HEARTBEAT_MISSING',
} as const;
export type WarningReason = (typeof WarningReason)[keyof typeof WarningReason];

/** A heartbeat gone silent this many intervals makes its adapter's organisations stale. */
export const missingAfterHeartbeats = 3;

/**
 * Whether a heartbeat says its MIS is stale, judged at the heartbeat's own time (so a backlog replayed
 * later reads the same): the MIS unreachable, never synced since the adapter started, or its last
 * successful sync older than `staleAfterMs`. Null: reachable and fresh.
 */
export function staleReasonOf(heartbeat: Pick<HeartbeatRow, 'misReachable' | 'lastSuccessfulSyncAt' | 'heartbeatAt'>, staleAfterMs: number): WarningReason | null {
  if (!heartbeat.misReachable) return WarningReason.MIS_UNREACHABLE;
  if (heartbeat.lastSuccessfulSyncAt === null) return WarningReason.NEVER_SYNCED;
  if (heartbeat.heartbeatAt.getTime() - heartbeat.lastSuccessfulSyncAt.getTime() > staleAfterMs) return WarningReason.SYNC_STALE;
  return null;
}

/** A heartbeat that changes what its adapter's organisations are warned of: raise (a reason) or clear (null). */
export interface WarningChange {
  readonly heartbeat: HeartbeatRow;
  readonly reason: WarningReason | null;
}

/**
 * The heartbeats of a batch that matter for warnings, in order: per adapter the first, then each one
 * whose verdict differs from the one before (stale ↔ fresh). Applying these gives the warnings that
 * applying every heartbeat one at a time would; a run of equal verdicts changes nothing after its first.
 */
export function warningChangesOf(heartbeats: readonly HeartbeatRow[], staleAfterMs: number): WarningChange[] {
  const changes: WarningChange[] = [];
  const lastStale = new Map<string, boolean>();
  for (const heartbeat of heartbeats) {
    const reason = staleReasonOf(heartbeat, staleAfterMs);
    if (lastStale.get(heartbeat.adapterId) === (reason !== null)) continue;
    lastStale.set(heartbeat.adapterId, reason !== null);
    changes.push({ heartbeat, reason });
  }
  return changes;
}

export const Freshness = { fresh: 'FRESH', stale: 'STALE', unknown: 'UNKNOWN' } as const;
export type Freshness = (typeof Freshness)[keyof typeof Freshness];

/**
 * An organisation's freshness now, by the same rules that raise district warnings: STALE when its
 * adapter's last heartbeat says the MIS is stale (staleReasonOf) or that heartbeat is older than
 * {@link missingAfterHeartbeats} intervals at `now` (the silent-adapter rule); UNKNOWN without a heartbeat.
 */
export function freshnessOf(heartbeat: Pick<HeartbeatRow, 'misReachable' | 'lastSuccessfulSyncAt' | 'heartbeatAt' | 'heartbeatIntervalMs'> | null, now: Date, staleAfterMs: number): Freshness {
  if (heartbeat === null) return Freshness.unknown;
  if (staleReasonOf(heartbeat, staleAfterMs) !== null) return Freshness.stale;
  if (now.getTime() - heartbeat.heartbeatAt.getTime() > missingAfterHeartbeats * heartbeat.heartbeatIntervalMs) return Freshness.stale;
  return Freshness.fresh;
}
