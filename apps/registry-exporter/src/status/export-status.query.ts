import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { exportableLocationSql } from '../export/federal-view.query';

export interface OrganisationExportStatus {
  readonly organisationOid: string;
  readonly name: string | null;
  /** What the federal side holds at the current Version: locations, and future slots. */
  readonly exported: { readonly locations: number; readonly slots: number };
  /** Waiting to be sent (an upsert or a removal), or for the federal side to come back. */
  readonly backlog: { readonly locations: number; readonly slots: number; readonly appointments: number };
  /** Active resources that are not exportable (a data-quality error, or their organisation unknown or inactive). */
  readonly heldBack: { readonly locations: number };
  /** Refused by the federal side at their current Version; sent again once they change, or by reconciliation. */
  readonly rejected: { readonly locations: number; readonly slots: number; readonly appointments: number };
  readonly dataQualityErrors: number;
  readonly lastSuccessAt: string | null;
  readonly lastError: { readonly at: string; readonly code: string | null; readonly message: string | null } | null;
}

export interface FederalLinkStatus {
  readonly reachable: boolean | null;
  readonly backoffUntil: string | null;
  readonly lastCallAt: string | null;
  readonly lastCallOperation: string | null;
  /** ANSWERED, or the code of the failure. */
  readonly lastCallOutcome: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastErrorAt: string | null;
  readonly lastErrorCode: string | null;
}

export interface DataQualityError {
  readonly organisationOid: string;
  readonly objectType: string;
  readonly objectId: string;
  readonly code: string;
  readonly reason: string | null;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

export interface DataQualityPage {
  readonly items: DataQualityError[];
  readonly nextCursor: string | null;
}

// Each aggregate reads its table once, grouped by organisation; $1 is now, $2 one organisation or all.
const statusSql = `WITH orgs AS (
    SELECT organisation_oid FROM fer_organisation WHERE $2::text IS NULL OR organisation_oid = $2
    UNION SELECT DISTINCT organisation_oid FROM fer_location WHERE $2::text IS NULL OR organisation_oid = $2
  ), locations AS (
    SELECT l.organisation_oid,
      count(*) FILTER (WHERE l.fer_view IS NOT NULL AND l.federal_version = l.export_version) AS exported,
      count(*) FILTER (WHERE l.pending_op IS NOT NULL) AS backlog,
      count(*) FILTER (WHERE l.active AND NOT l.removed AND NOT ${exportableLocationSql}) AS held_back,
      count(*) FILTER (WHERE l.fer_view IS NOT NULL AND l.rejected_version = l.export_version) AS rejected
    FROM fer_location l LEFT JOIN fer_organisation o ON o.organisation_oid = l.organisation_oid
    WHERE $2::text IS NULL OR l.organisation_oid = $2
    GROUP BY 1
  ), slots AS (
    SELECT organisation_oid,
      count(*) FILTER (WHERE fer_view IS NOT NULL AND federal_version = export_version AND starts_at > $1) AS exported,
      count(*) FILTER (WHERE pending_op IS NOT NULL AND (starts_at > $1 OR starts_at IS NULL)) AS backlog,
      count(*) FILTER (WHERE fer_view IS NOT NULL AND rejected_version = export_version AND starts_at > $1) AS rejected
    FROM fer_slot WHERE $2::text IS NULL OR organisation_oid = $2
    GROUP BY 1
  ), appointments AS (
    SELECT organisation_oid, count(*) FILTER (WHERE pending_op IS NOT NULL) AS backlog, count(*) FILTER (WHERE rejected_version = export_version) AS rejected
    FROM fer_appointment WHERE $2::text IS NULL OR organisation_oid = $2
    GROUP BY 1
  ), errors AS (
    SELECT organisation_oid, count(*) AS errors FROM fer_data_quality_error WHERE $2::text IS NULL OR organisation_oid = $2 GROUP BY 1
  )
  SELECT g.organisation_oid, coalesce(o.short_name, o.full_name) AS name,
    coalesce(l.exported, 0) AS locations_exported, coalesce(s.exported, 0) AS slots_exported,
    coalesce(l.backlog, 0) AS locations_backlog, coalesce(s.backlog, 0) AS slots_backlog, coalesce(a.backlog, 0) AS appointments_backlog,
    coalesce(l.held_back, 0) AS locations_held_back,
    coalesce(l.rejected, 0) AS locations_rejected, coalesce(s.rejected, 0) AS slots_rejected, coalesce(a.rejected, 0) AS appointments_rejected,
    coalesce(e.errors, 0) AS data_quality_errors,
    x.last_success_at, x.last_error_at, x.last_error_code, x.last_error_message
  FROM orgs g
  LEFT JOIN fer_organisation o ON o.organisation_oid = g.organisation_oid
  LEFT JOIN locations l ON l.organisation_oid = g.organisation_oid
  LEFT JOIN slots s ON s.organisation_oid = g.organisation_oid
  LEFT JOIN appointments a ON a.organisation_oid = g.organisation_oid
  LEFT JOIN errors e ON e.organisation_oid = g.organisation_oid
  LEFT JOIN fer_export_outcome x ON x.organisation_oid = g.organisation_oid
  ORDER BY g.organisation_oid`;

interface StatusRow {
  organisation_oid: string;
  name: string | null;
  locations_exported: string;
  slots_exported: string;
  locations_backlog: string;
  slots_backlog: string;
  appointments_backlog: string;
  locations_held_back: string;
  locations_rejected: string;
  slots_rejected: string;
  appointments_rejected: string;
  data_quality_errors: string;
  last_success_at: Date | null;
  last_error_at: Date | null;
  last_error_code: string | null;
  last_error_message: string | null;
}

/** The export's state for operations, per organisation, read from the export tables (the SNILS never among it). */
@Injectable()
export class ExportStatusQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async organisations(now: Date, organisationOid?: string): Promise<OrganisationExportStatus[]> {
    const rows: StatusRow[] = await this.dataSource.query(statusSql, [now, organisationOid ?? null]);
    return rows.map((row) => ({
      organisationOid: row.organisation_oid,
      name: row.name,
      exported: { locations: Number(row.locations_exported), slots: Number(row.slots_exported) },
      backlog: { locations: Number(row.locations_backlog), slots: Number(row.slots_backlog), appointments: Number(row.appointments_backlog) },
      heldBack: { locations: Number(row.locations_held_back) },
      rejected: { locations: Number(row.locations_rejected), slots: Number(row.slots_rejected), appointments: Number(row.appointments_rejected) },
      dataQualityErrors: Number(row.data_quality_errors),
      lastSuccessAt: row.last_success_at?.toISOString() ?? null,
      lastError: row.last_error_at === null ? null : { at: row.last_error_at.toISOString(), code: row.last_error_code, message: row.last_error_message },
    }));
  }

  async federalLink(): Promise<FederalLinkStatus> {
    const [row]: {
      reachable: boolean | null;
      backoff_until: Date | null;
      last_call_at: Date | null;
      last_call_operation: string | null;
      last_call_outcome: string | null;
      last_success_at: Date | null;
      last_error_at: Date | null;
      last_error_code: string | null;
    }[] = await this.dataSource.query(`SELECT * FROM fer_link WHERE id = 1`);
    return {
      reachable: row?.reachable ?? null,
      backoffUntil: row?.backoff_until?.toISOString() ?? null,
      lastCallAt: row?.last_call_at?.toISOString() ?? null,
      lastCallOperation: row?.last_call_operation ?? null,
      lastCallOutcome: row?.last_call_outcome ?? null,
      lastSuccessAt: row?.last_success_at?.toISOString() ?? null,
      lastErrorAt: row?.last_error_at?.toISOString() ?? null,
      lastErrorCode: row?.last_error_code ?? null,
    };
  }

  /** Data-quality errors in (organisation, object, code) order, a page after `after`. */
  async dataQuality(filter: { organisationOid?: string; limit: number; after?: readonly [string, string, string] }): Promise<{ items: DataQualityError[]; last?: [string, string, string] }> {
    const rows: { organisation_oid: string; object_type: string; object_id: string; code: string; reason: string | null; first_seen_at: Date; last_seen_at: Date }[] = await this.dataSource.query(
      `SELECT organisation_oid, object_type, object_id, code, reason, first_seen_at, last_seen_at FROM fer_data_quality_error
       WHERE ($1::text IS NULL OR organisation_oid = $1) AND ($2::text IS NULL OR (organisation_oid, object_id, code) > ($2, $3, $4))
       ORDER BY organisation_oid, object_id, code LIMIT $5`,
      [filter.organisationOid ?? null, filter.after?.[0] ?? null, filter.after?.[1] ?? null, filter.after?.[2] ?? null, filter.limit + 1],
    );
    const page = rows.slice(0, filter.limit);
    const last = rows.length > filter.limit ? page[page.length - 1] : undefined;
    return {
      items: page.map((row) => ({
        organisationOid: row.organisation_oid,
        objectType: row.object_type,
        objectId: row.object_id,
        code: row.code,
        reason: row.reason,
        firstSeenAt: row.first_seen_at.toISOString(),
        lastSeenAt: row.last_seen_at.toISOString(),
      })),
      ...(last === undefined ? {} : { last: [last.organisation_oid, last.object_id, last.code] }),
    };
  }
}
