import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** A warning that an organisation's MIS data may not be current. */
export interface DistrictWarning {
  readonly id: string;
  readonly organisationOid: string;
  readonly organisationShortName: string | null;
  readonly adapterId: string;
  readonly districtId: string | null;
  readonly districtName: string | null;
  readonly reason: string;
  readonly raisedAt: string;
  readonly clearedAt: string | null;
  readonly open: boolean;
}

interface Row {
  id: string;
  organisation_oid: string;
  short_name: string | null;
  adapter_id: string;
  district_id: string | null;
  district_name: string | null;
  reason: string;
  raised_at: Date;
  cleared_at: Date | null;
}

/** At most this many warnings are answered, the latest raised first. */
export const warningsLimit = 500;

/** The warnings of a district (the organisation's as now known: it may arrive after its warning), open or all. */
@Injectable()
export class DistrictWarningQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(filter: { readonly districtId?: string; readonly open?: boolean }): Promise<DistrictWarning[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT w.id, w.organisation_oid, o.short_name, w.adapter_id, coalesce(o.district_id, w.district_id) AS district_id, o.district_name,
         w.reason, w.raised_at, w.cleared_at
       FROM district_warning w LEFT JOIN organisation o ON o.oid = w.organisation_oid
       WHERE ($1::text IS NULL OR coalesce(o.district_id, w.district_id) = $1)
         AND ($2::boolean IS NULL OR (w.cleared_at IS NULL) = $2)
       ORDER BY w.raised_at DESC, w.id DESC
       LIMIT ${warningsLimit}`,
      [filter.districtId ?? null, filter.open ?? null],
    );
    return rows.map((row) => ({
      id: String(row.id),
      organisationOid: row.organisation_oid,
      organisationShortName: row.short_name,
      adapterId: row.adapter_id,
      districtId: row.district_id,
      districtName: row.district_name,
      reason: row.reason,
      raisedAt: row.raised_at.toISOString(),
      clearedAt: row.cleared_at?.toISOString() ?? null,
      open: row.cleared_at === null,
    }));
  }
}
