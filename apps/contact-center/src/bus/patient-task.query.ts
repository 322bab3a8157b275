import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { TaskKind, TaskStatus } from './patient-task.service';

/** A task to call a patient, as operators see it in their queue. */
export interface PatientTask {
  readonly id: string;
  readonly kind: TaskKind;
  readonly status: TaskStatus;
  readonly patientId: string;
  readonly appointmentId: string | null;
  readonly offerId: string | null;
  readonly organisationOid: string;
  readonly organisationShortName: string | null;
  readonly districtId: string | null;
  readonly districtName: string | null;
  readonly branch: string | null;
  readonly slotId: string | null;
  readonly startsAt: string | null;
  readonly dueBy: string;
  readonly doneBy: string | null;
  readonly doneAt: string | null;
  readonly outcome: string | null;
  readonly createdAt: string;
}

export interface PatientTaskFilter {
  readonly status?: TaskStatus;
  readonly kind?: TaskKind;
  /** The caller's branch: tasks of any branch (null) and of this one; null reaches all. */
  readonly branch: string | null;
  readonly limit: number;
  /** The last task of the previous page: due_by and id. */
  readonly after?: readonly [string, string];
}

interface Row {
  id: string;
  kind: TaskKind;
  status: TaskStatus;
  patient_id: string;
  appointment_id: string | null;
  offer_id: string | null;
  organisation_oid: string;
  short_name: string | null;
  district_id: string | null;
  district_name: string | null;
  branch: string | null;
  slot_id: string | null;
  starts_at: Date | null;
  due_by: Date;
  done_by: string | null;
  done_at: Date | null;
  outcome: string | null;
  created_at: Date;
}

/** The tasks to call patients, soonest due first; the district is the organisation's as now known (it may arrive after the task). */
@Injectable()
export class PatientTaskQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(filter: PatientTaskFilter): Promise<{ items: PatientTask[]; last?: [string, string] }> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT t.id, t.kind, t.status, t.patient_id, t.appointment_id, t.offer_id, t.organisation_oid, o.short_name,
         coalesce(o.district_id, t.district_id) AS district_id, o.district_name, t.branch, t.slot_id, t.starts_at, t.due_by,
         t.done_by, t.done_at, t.outcome, t.created_at
       FROM patient_task t LEFT JOIN organisation o ON o.oid = t.organisation_oid
       WHERE ($1::text IS NULL OR t.status = $1) AND ($2::text IS NULL OR t.kind = $2)
         AND ($3::text IS NULL OR t.branch IS NULL OR t.branch = $3)
         AND ($4::timestamptz IS NULL OR (t.due_by, t.id) > ($4::timestamptz, $5::uuid))
       ORDER BY t.due_by, t.id
       LIMIT $6`,
      [filter.status ?? null, filter.kind ?? null, filter.branch, filter.after?.[0] ?? null, filter.after?.[1] ?? null, filter.limit],
    );
    const items = rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      status: row.status,
      patientId: row.patient_id,
      appointmentId: row.appointment_id,
      offerId: row.offer_id,
      organisationOid: row.organisation_oid,
      organisationShortName: row.short_name,
      districtId: row.district_id,
      districtName: row.district_name,
      branch: row.branch,
      slotId: row.slot_id,
      startsAt: row.starts_at?.toISOString() ?? null,
      dueBy: row.due_by.toISOString(),
      doneBy: row.done_by,
      doneAt: row.done_at?.toISOString() ?? null,
      outcome: row.outcome,
      createdAt: row.created_at.toISOString(),
    }));
    const last = items.length === filter.limit ? items[items.length - 1] : undefined;
    return last ? { items, last: [last.dueBy, last.id] } : { items };
  }
}
