import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { Clock } from '../clock.service';
import type { BusConfig } from './bus.config';
import { Freshness, freshnessOf } from './district-warning.mapper';

/** An organisation of the region and whether its MIS data is current, for the supervisors' dashboard. */
export interface OrganisationHealth {
  readonly oid: string;
  readonly name: string | null;
  /** District id as the MIS publishes it. */
  readonly district: string | null;
  readonly districtName: string | null;
  readonly adapter: string | null;
  readonly lastHeartbeatAt: string | null;
  readonly state: Freshness;
}

export interface RegionHealth {
  readonly organisations: OrganisationHealth[];
  readonly summary: { readonly fresh: number; readonly stale: number; readonly unknown: number };
}

interface Row {
  oid: string;
  short_name: string | null;
  full_name: string | null;
  district_id: string | null;
  district_name: string | null;
  adapter_id: string | null;
  mis_reachable: boolean | null;
  last_successful_sync_at: Date | null;
  heartbeat_interval_ms: string | null;
  heartbeat_at: Date | null;
}

/** The region's organisations (not removed) with their adapter's last heartbeat, judged as district warnings judge it. */
@Injectable()
export class RegionHealthQuery {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: Pick<BusConfig, 'CC_MIS_STALE_AFTER_MS'>,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async health(): Promise<RegionHealth> {
    // An organisation is known from its own events or from an adapter's heartbeat naming it (its
    // OrganisationPublished may predate this consumer's history): either way the operators must see its state.
    const rows: Row[] = await this.dataSource.query(
      `WITH known AS (
         SELECT oid COLLATE "C" AS oid FROM organisation WHERE NOT removed
         UNION
         SELECT u.oid COLLATE "C" FROM adapter_heartbeat h CROSS JOIN LATERAL unnest(h.organisation_oids) AS u(oid)
       )
       SELECT k.oid, o.short_name, o.full_name, o.district_id, o.district_name, coalesce(h.adapter_id, o.adapter_id) AS adapter_id,
         h.mis_reachable, h.last_successful_sync_at, h.heartbeat_interval_ms, h.heartbeat_at
       FROM known k
       LEFT JOIN organisation o ON o.oid = k.oid
       LEFT JOIN LATERAL (
         SELECT * FROM adapter_heartbeat h WHERE k.oid = ANY(h.organisation_oids) OR h.adapter_id = o.adapter_id ORDER BY h.heartbeat_at DESC LIMIT 1
       ) h ON true
       WHERE o.removed IS NOT TRUE
       ORDER BY o.district_name NULLS LAST, o.short_name NULLS LAST, k.oid`,
    );
    const now = this.clock.now();
    const organisations = rows.map((row): OrganisationHealth => {
      const heartbeat =
        row.heartbeat_at === null
          ? null
          : { misReachable: row.mis_reachable === true, lastSuccessfulSyncAt: row.last_successful_sync_at, heartbeatAt: row.heartbeat_at, heartbeatIntervalMs: Number(row.heartbeat_interval_ms) };
      return {
        oid: row.oid,
        name: row.short_name ?? row.full_name,
        district: row.district_id,
        districtName: row.district_name,
        adapter: row.adapter_id,
        lastHeartbeatAt: row.heartbeat_at?.toISOString() ?? null,
        state: freshnessOf(heartbeat, now, this.config.CC_MIS_STALE_AFTER_MS),
      };
    });
    const count = (state: Freshness) => organisations.filter((o) => o.state === state).length;
    return { organisations, summary: { fresh: count(Freshness.fresh), stale: count(Freshness.stale), unknown: count(Freshness.unknown) } };
  }
}
