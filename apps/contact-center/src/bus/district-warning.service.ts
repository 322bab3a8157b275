import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@medbus/config';
import type { BusConfig } from './bus.config';
import { lastPerKey, type HeartbeatRow } from './bus.mapper';
import { recordset } from './bus-tables.service';
import { WarningReason, missingAfterHeartbeats, warningChangesOf } from './district-warning.mapper';

// The newest heartbeat of each adapter: what the silent-adapter poller reads.
const upsertHeartbeats = `INSERT INTO adapter_heartbeat AS t (adapter_id, organisation_oids, mis_reachable, last_successful_sync_at, heartbeat_interval_ms, heartbeat_at)
  SELECT x.adapter_id, ARRAY(SELECT json_array_elements_text(x.organisation_oids)), x.mis_reachable, x.last_successful_sync_at, x.heartbeat_interval_ms, x.heartbeat_at
  FROM ${recordset('adapter_id text, organisation_oids json, mis_reachable boolean, last_successful_sync_at timestamptz, heartbeat_interval_ms bigint, heartbeat_at timestamptz')}
  ORDER BY 1
  ON CONFLICT (adapter_id) DO UPDATE SET organisation_oids = excluded.organisation_oids, mis_reachable = excluded.mis_reachable,
    last_successful_sync_at = excluded.last_successful_sync_at, heartbeat_interval_ms = excluded.heartbeat_interval_ms, heartbeat_at = excluded.heartbeat_at
  WHERE excluded.heartbeat_at > t.heartbeat_at`;

// One open warning per organisation (partial unique index): a second reason while one is open changes nothing.
const raise = `INSERT INTO district_warning (organisation_oid, adapter_id, district_id, reason, raised_at)
  SELECT u.oid, $2, o.district_id, $3, $4 FROM unnest($1::text[]) AS u(oid) LEFT JOIN organisation o ON o.oid = u.oid
  ORDER BY 1
  ON CONFLICT (organisation_oid) WHERE cleared_at IS NULL DO NOTHING`;

// A warning raised after this heartbeat was recorded (by the poller, on our clock) waits for a later one.
const clear = `UPDATE district_warning SET cleared_at = $3
  WHERE cleared_at IS NULL AND raised_at <= $3 AND (organisation_oid = ANY($1::text[]) OR adapter_id = $2)`;

const raiseSilent = `INSERT INTO district_warning (organisation_oid, adapter_id, district_id, reason, raised_at)
  SELECT u.oid, h.adapter_id, o.district_id, '${WarningReason.HEARTBEAT_MISSING}', $1
  FROM adapter_heartbeat h CROSS JOIN LATERAL unnest(h.organisation_oids) AS u(oid) LEFT JOIN organisation o ON o.oid = u.oid
  WHERE h.heartbeat_at < $1::timestamptz - ${missingAfterHeartbeats} * h.heartbeat_interval_ms * interval '1 millisecond'
  ORDER BY 1
  ON CONFLICT (organisation_oid) WHERE cleared_at IS NULL DO NOTHING
  RETURNING organisation_oid`;

/**
 * Warnings to the operators of a district that an organisation's MIS data may not be current: raised
 * by a heartbeat saying the MIS is unreachable or its sync stale, or by an adapter gone silent;
 * cleared by a later heartbeat saying it is reachable and fresh. Owns `adapter_heartbeat` and `district_warning`.
 */
@Injectable()
export class DistrictWarningService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: Pick<BusConfig, 'CC_MIS_STALE_AFTER_MS'>,
  ) {}

  /** A batch's heartbeats (each naming only organisations registered to its adapter), in order. */
  async applyHeartbeats(tx: EntityManager, heartbeats: readonly HeartbeatRow[]): Promise<void> {
    if (heartbeats.length === 0) return;
    const latest = lastPerKey(heartbeats, (row) => row.adapterId);
    await tx.query(upsertHeartbeats, [
      JSON.stringify(
        latest.map((r) => ({
          adapter_id: r.adapterId,
          organisation_oids: r.organisationOids,
          mis_reachable: r.misReachable,
          last_successful_sync_at: r.lastSuccessfulSyncAt,
          heartbeat_interval_ms: r.heartbeatIntervalMs,
          heartbeat_at: r.heartbeatAt,
        })),
      ),
    ]);
    for (const { heartbeat, reason } of warningChangesOf(heartbeats, this.config.CC_MIS_STALE_AFTER_MS)) {
      if (reason === null) await tx.query(clear, [heartbeat.organisationOids, heartbeat.adapterId, heartbeat.heartbeatAt]);
      else if (heartbeat.organisationOids.length > 0) await tx.query(raise, [heartbeat.organisationOids, heartbeat.adapterId, reason, heartbeat.heartbeatAt]);
    }
  }

  /** Warns of the organisations of every adapter whose last heartbeat is older than three of its intervals; the organisations newly warned of. */
  async raiseForSilentAdapters(now: Date): Promise<string[]> {
    const raised: { organisation_oid: string }[] = await this.dataSource.query(raiseSilent, [now]);
    return raised.map((row) => row.organisation_oid);
  }
}
