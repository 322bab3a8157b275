import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { overdueSql, resolvedWithinDeadlineSql } from './appeal.entity';

export const AppealDimension = {
  type: 'type',
  profile: 'profile',
  organisation: 'organisation',
  district: 'district',
  branch: 'branch',
} as const;
export type AppealDimension = (typeof AppealDimension)[keyof typeof AppealDimension];

const dimensionSql = {
  type: { key: 'a.type_code', name: 'max(t.name)' },
  profile: { key: 'a.profile_code', name: 'NULL::text' },
  organisation: { key: 'a.organisation_oid', name: 'NULL::text' },
  district: { key: 'a.district_id', name: 'max(a.district_name)' },
  branch: { key: 'a.branch', name: 'NULL::text' },
} as const satisfies Record<AppealDimension, { key: string; name: string }>;

/** Counts over the appeals registered in a period, each as it stands at `asOf`. */
export interface AppealFigures {
  readonly registered: number;
  /** Resolved (and maybe closed since); a reopened appeal counts once resolved again. */
  readonly resolved: number;
  readonly closed: number;
  readonly escalated: number;
  /** Not resolved by the deadline: still open past it at `asOf`, or resolved late (appeal.entity.ts overdueSql). */
  readonly overdue: number;
  readonly resolvedWithinDeadline: number;
  /** Appeals whose applicant was called back at least once after a resolution. */
  readonly followUpsDone: number;
  /** Appeals whose latest follow-up call found the applicant satisfied. */
  readonly satisfied: number;
}

export interface AppealStatisticsRow extends AppealFigures {
  /** The type code, NSI profile code, organisation OID, district id or branch; null for appeals without one. */
  readonly key: string | null;
  /** The type's or district's name where the contact centre knows it. */
  readonly name: string | null;
}

export interface AppealStatistics {
  readonly rows: AppealStatisticsRow[];
  readonly total: AppealFigures;
}

export interface AppealStatisticsRequest {
  /** Appeals registered in [from, to). */
  readonly from: Date;
  readonly to: Date;
  /** One branch, or null for all (consolidated). */
  readonly branch: string | null;
  readonly by: AppealDimension;
  /** The time "overdue" is judged at (now, for a live answer). */
  readonly asOf: Date;
}

interface FiguresRow {
  key: string | null;
  name: string | null;
  total: number;
  registered: number;
  resolved: number;
  closed: number;
  escalated: number;
  overdue: number;
  resolved_within_deadline: number;
  follow_ups_done: number;
  satisfied: number;
}

function figuresOf(row: FiguresRow): AppealFigures {
  return {
    registered: row.registered,
    resolved: row.resolved,
    closed: row.closed,
    escalated: row.escalated,
    overdue: row.overdue,
    resolvedWithinDeadline: row.resolved_within_deadline,
    followUpsDone: row.follow_ups_done,
    satisfied: row.satisfied,
  };
}

/** Appeals by type, medical profile, organisation, district or branch, and in total, for the statistics module. */
@Injectable()
export class AppealStatisticsQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async count(request: AppealStatisticsRequest): Promise<AppealStatistics> {
    const { key, name } = dimensionSql[request.by];
    const rows: FiguresRow[] = await this.dataSource.query(
      `SELECT ${key} AS key, ${name} AS name, GROUPING(${key}) AS total,
         count(*)::int AS registered,
         count(*) FILTER (WHERE a.resolved_at IS NOT NULL)::int AS resolved,
         count(*) FILTER (WHERE a.status = 'CLOSED')::int AS closed,
         count(*) FILTER (WHERE a.escalated_at IS NOT NULL)::int AS escalated,
         count(*) FILTER (WHERE ${overdueSql('$4::timestamptz')})::int AS overdue,
         count(*) FILTER (WHERE ${resolvedWithinDeadlineSql})::int AS resolved_within_deadline,
         count(*) FILTER (WHERE a.follow_up_at IS NOT NULL)::int AS follow_ups_done,
         count(*) FILTER (WHERE a.follow_up_outcome = 'SATISFIED')::int AS satisfied
       FROM appeal a JOIN appeal_type t ON t.code = a.type_code
       WHERE a.created_at >= $1 AND a.created_at < $2 AND ($3::text IS NULL OR a.branch = $3)
       GROUP BY GROUPING SETS ((${key}), ())
       ORDER BY GROUPING(${key}), count(*) DESC, ${key} NULLS LAST`,
      [request.from, request.to, request.branch, request.asOf],
    );
    const total = rows.find((row) => row.total === 1);
    return {
      rows: rows.filter((row) => row.total === 0).map((row) => ({ key: row.key, name: row.name, ...figuresOf(row) })),
      total: figuresOf(total ?? { ...emptyFigures }),
    };
  }
}

const emptyFigures: FiguresRow = { key: null, name: null, total: 1, registered: 0, resolved: 0, closed: 0, escalated: 0, overdue: 0, resolved_within_deadline: 0, follow_ups_done: 0, satisfied: 0 };
