import { ApiProperty } from '@nestjs/swagger';

/** Why an organisation's slots may not match its MIS right now. */
export const StaleReason = {
  NO_HEARTBEAT: 'NO_HEARTBEAT',
  HEARTBEAT_OVERDUE: 'HEARTBEAT_OVERDUE',
  MIS_UNREACHABLE: 'MIS_UNREACHABLE',
  NEVER_SYNCED: 'NEVER_SYNCED',
} as const;
export type StaleReason = (typeof StaleReason)[keyof typeof StaleReason];

/** What the last adapter heartbeat naming an organisation said. */
export interface HeartbeatFacts {
  readonly misReachable: boolean;
  readonly heartbeatAt: Date;
  readonly heartbeatIntervalMs: number;
  readonly lastSuccessfulSyncAt: Date | null;
}

export class Freshness {
  @ApiProperty({ type: Boolean, description: 'The inventory may not match the MIS: warn before offering these slots.' })
  stale!: boolean;

  @ApiProperty({ enum: Object.values(StaleReason), nullable: true, type: String })
  reason!: StaleReason | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the adapter last read the MIS schedules without error.' })
  lastSyncAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastHeartbeatAt!: string | null;
}

/**
 * An organisation is stale when no heartbeat names it, the last one is older than
 * `staleAfterHeartbeats` intervals (the adapter is down), or it reports the MIS unreachable or
 * never synced. Judged on our clock against the adapter's timestamp; the interval absorbs small skew.
 */
export function freshnessOf(heartbeat: HeartbeatFacts | null, now: Date, staleAfterHeartbeats: number): Freshness {
  if (heartbeat === null) return { stale: true, reason: StaleReason.NO_HEARTBEAT, lastSyncAt: null, lastHeartbeatAt: null };
  const reason = staleReasonOf(heartbeat, now, staleAfterHeartbeats);
  return {
    stale: reason !== null,
    reason,
    lastSyncAt: heartbeat.lastSuccessfulSyncAt?.toISOString() ?? null,
    lastHeartbeatAt: heartbeat.heartbeatAt.toISOString(),
  };
}

function staleReasonOf(heartbeat: HeartbeatFacts, now: Date, staleAfterHeartbeats: number): StaleReason | null {
  if (now.getTime() - heartbeat.heartbeatAt.getTime() > staleAfterHeartbeats * heartbeat.heartbeatIntervalMs) return StaleReason.HEARTBEAT_OVERDUE;
  if (!heartbeat.misReachable) return StaleReason.MIS_UNREACHABLE;
  if (heartbeat.lastSuccessfulSyncAt === null) return StaleReason.NEVER_SYNCED;
  return null;
}

/** Heartbeat columns as a query selects them (`h.*` of a LEFT JOIN: all null without a heartbeat). */
export interface HeartbeatColumns {
  readonly mis_reachable: boolean | null;
  readonly heartbeat_at: Date | null;
  readonly heartbeat_interval_ms: string | null;
  readonly last_successful_sync_at: Date | null;
}

export function heartbeatFactsOf(row: HeartbeatColumns): HeartbeatFacts | null {
  if (row.heartbeat_at === null || row.mis_reachable === null || row.heartbeat_interval_ms === null) return null;
  return {
    misReachable: row.mis_reachable,
    heartbeatAt: row.heartbeat_at,
    heartbeatIntervalMs: Number(row.heartbeat_interval_ms),
    lastSuccessfulSyncAt: row.last_successful_sync_at,
  };
}

export const heartbeatSelect = `h.mis_reachable, h.heartbeat_at, h.heartbeat_interval_ms, h.last_successful_sync_at`;
