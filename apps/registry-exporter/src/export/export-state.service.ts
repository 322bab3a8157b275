import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { FerResult } from '@medbus/federal-registry';
import { DataQualityCode, type LocationView, type SlotView } from './federal-view.query';
import { safeReason } from './federal-view.mapper';

export interface PendingLocation {
  readonly locationId: string;
  readonly organisationOid: string;
  readonly view: LocationView | null;
  readonly version: number | null;
  readonly traceparent: string | null;
}

export interface PendingSlot {
  readonly slotId: string;
  readonly organisationOid: string;
  readonly op: 'UPSERT' | 'REMOVE';
  readonly view: SlotView | null;
  readonly version: number | null;
  readonly timeZone: string | null;
  readonly traceparent: string | null;
}

export interface PendingAppointment {
  readonly appointmentId: string;
  readonly organisationOid: string;
  readonly slotId: string;
  readonly status: 'BOOKED' | 'CANCELLED';
  readonly version: number;
  readonly traceparent: string | null;
}

/** One item of a call and the federal side's answer for it. */
export interface Answered {
  readonly id: string;
  readonly organisationOid: string;
  /** The Version sent (null for a removal). */
  readonly version: number | null;
  readonly result: FerResult;
}

export type ExportedObject = 'LOCATION' | 'SLOT' | 'APPOINTMENT';

const tables = {
  LOCATION: { table: 'fer_location', key: 'location_id' },
  SLOT: { table: 'fer_slot', key: 'slot_id' },
  APPOINTMENT: { table: 'fer_appointment', key: 'appointment_id' },
} as const satisfies Record<ExportedObject, { table: string; key: string }>;

const num = (value: string | number | null): number | null => (value === null ? null : Number(value));

// Appointment status goes after the slots: by then the slot is what the federal side holds.
const nextLocationUpserts = `SELECT location_id, organisation_oid, fer_view, export_version, traceparent
  FROM fer_location WHERE pending_op = 'UPSERT' ORDER BY change_seq LIMIT $1`;

const nextLocationRemovals = `SELECT location_id, organisation_oid, fer_view, export_version, traceparent
  FROM fer_location WHERE pending_op = 'REMOVE' ORDER BY change_seq LIMIT $1`;

// A slot goes once its location is held there; a slot of a location about to be removed goes with it.
const nextSlotChanges = `SELECT s.slot_id, s.organisation_oid, s.pending_op, s.fer_view, s.export_version, s.traceparent, o.time_zone
  FROM fer_slot s
  LEFT JOIN fer_location l ON l.location_id = s.location_id
  LEFT JOIN fer_organisation o ON o.organisation_oid = s.organisation_oid
  WHERE s.pending_op IS NOT NULL AND (s.starts_at > $2::timestamptz OR s.starts_at IS NULL)
    AND l.pending_op IS DISTINCT FROM 'REMOVE'
    AND (s.pending_op = 'REMOVE' OR l.federal_version IS NOT NULL)
  ORDER BY s.change_seq LIMIT $1`;

const nextAppointments = `SELECT appointment_id, organisation_oid, slot_id, status, export_version, traceparent
  FROM fer_appointment WHERE pending_op IS NOT NULL ORDER BY change_seq LIMIT $1`;

/**
 * The federal side answered: what it accepted or already held is what it holds now; what it refused
 * is not sent again until the object changes. Nothing else moves: an object that changed meanwhile
 * has a newer export_version and stays pending.
 */
const markUpserts = (table: string, key: string) => `UPDATE ${table} t SET
    federal_version = CASE WHEN x.status = 'REJECTED' THEN t.federal_version ELSE x.version END,
    rejected_version = CASE WHEN x.status = 'REJECTED' THEN x.version ELSE t.rejected_version END,
    exported_at = CASE WHEN x.status = 'REJECTED' THEN t.exported_at ELSE $2::timestamptz END
  FROM json_to_recordset($1::json) AS x(id text, version bigint, status text)
  WHERE t.${key} = x.id`;

// Whatever the answer to a removal (UNKNOWN_LOCATION included), the federal side does not hold the object.
const markRemovals = (table: string, key: string) => `UPDATE ${table} SET federal_version = NULL, exported_at = $2::timestamptz WHERE ${key} = ANY($1::text[])`;
const markSlotsOfRemovedLocations = `UPDATE fer_slot SET federal_version = NULL WHERE location_id = ANY($1::text[]) AND federal_version IS NOT NULL`;

const recordRefusals = `INSERT INTO fer_data_quality_error AS e (organisation_oid, object_type, object_id, code, reason, first_seen_at, last_seen_at)
  SELECT x.organisation_oid, x.object_type, x.object_id, '${DataQualityCode.federalRejected}', x.reason, $2, $2
  FROM json_to_recordset($1::json) AS x(organisation_oid text, object_type text, object_id text, reason text)
  ON CONFLICT (object_id, code) DO UPDATE SET reason = excluded.reason, last_seen_at = excluded.last_seen_at`;
const clearRefusals = `DELETE FROM fer_data_quality_error WHERE object_id = ANY($1::text[]) AND code = '${DataQualityCode.federalRejected}'`;

const recordSuccess = `INSERT INTO fer_export_outcome AS t (organisation_oid, last_success_at) SELECT oid, $2 FROM unnest($1::text[]) AS oid ORDER BY 1
  ON CONFLICT (organisation_oid) DO UPDATE SET last_success_at = excluded.last_success_at`;
const recordError = `INSERT INTO fer_export_outcome AS t (organisation_oid, last_error_at, last_error_code, last_error_message)
  SELECT oid, $2, $3, $4 FROM unnest($1::text[]) AS oid ORDER BY 1
  ON CONFLICT (organisation_oid) DO UPDATE SET last_error_at = excluded.last_error_at, last_error_code = excluded.last_error_code, last_error_message = excluded.last_error_message`;

const recordLink = `INSERT INTO fer_link AS t (id, reachable, backoff_until, last_call_at, last_call_operation, last_call_outcome, last_success_at, last_error_at, last_error_code)
  VALUES (1, $1, $2, $3, $4, $5, CASE WHEN $5 = 'ANSWERED' THEN $3::timestamptz END, CASE WHEN $5 <> 'ANSWERED' THEN $3::timestamptz END, CASE WHEN $5 <> 'ANSWERED' THEN $5 END)
  ON CONFLICT (id) DO UPDATE SET reachable = excluded.reachable, backoff_until = excluded.backoff_until, last_call_at = excluded.last_call_at,
    last_call_operation = excluded.last_call_operation, last_call_outcome = excluded.last_call_outcome,
    last_success_at = coalesce(excluded.last_success_at, t.last_success_at), last_error_at = coalesce(excluded.last_error_at, t.last_error_at),
    last_error_code = coalesce(excluded.last_error_code, t.last_error_code)`;

/** How the federal link stands, for the status. */
export interface LinkState {
  readonly reachable: boolean;
  readonly backoffUntil: Date | null;
  readonly lastCallAt: Date;
  readonly lastCallOperation: string;
  /** ANSWERED, or the code of the failure. */
  readonly lastCallOutcome: string;
}

/**
 * The export state of every object as the export worker moves it: what is pending, in order of
 * change; what the federal side answered; refusals as data-quality errors of their organisation;
 * per-organisation last success and error; the federal link.
 */
@Injectable()
export class ExportStateService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async nextLocationUpserts(limit: number): Promise<PendingLocation[]> {
    return (await this.dataSource.query(nextLocationUpserts, [limit])).map(pendingLocationOf);
  }

  async nextLocationRemovals(limit: number): Promise<PendingLocation[]> {
    return (await this.dataSource.query(nextLocationRemovals, [limit])).map(pendingLocationOf);
  }

  async nextSlotChanges(limit: number, now: Date): Promise<PendingSlot[]> {
    const rows: { slot_id: string; organisation_oid: string; pending_op: 'UPSERT' | 'REMOVE'; fer_view: SlotView | null; export_version: string | null; traceparent: string | null; time_zone: string | null }[] =
      await this.dataSource.query(nextSlotChanges, [limit, now]);
    return rows.map((row) => ({
      slotId: row.slot_id,
      organisationOid: row.organisation_oid,
      op: row.pending_op,
      view: row.fer_view,
      version: num(row.export_version),
      timeZone: row.time_zone,
      traceparent: row.traceparent,
    }));
  }

  async nextAppointments(limit: number): Promise<PendingAppointment[]> {
    const rows: { appointment_id: string; organisation_oid: string; slot_id: string; status: 'BOOKED' | 'CANCELLED'; export_version: string; traceparent: string | null }[] = await this.dataSource.query(
      nextAppointments,
      [limit],
    );
    return rows.map((row) => ({
      appointmentId: row.appointment_id,
      organisationOid: row.organisation_oid,
      slotId: row.slot_id,
      status: row.status,
      version: Number(row.export_version),
      traceparent: row.traceparent,
    }));
  }

  /** Records the answers to an update (UpdateLocations, UpdateSlots, UpdateAppointmentStatus). */
  async markUpdated(object: ExportedObject, answers: readonly Answered[], now: Date): Promise<void> {
    if (answers.length === 0) return;
    const { table, key } = tables[object];
    await this.dataSource.transaction(async (tx) => {
      await tx.query(markUpserts(table, key), [JSON.stringify(answers.map((a) => ({ id: a.id, version: a.version, status: a.result.Status }))), now]);
      await this.recordAnswers(tx, object, answers, now);
    });
  }

  /** Records the answers to a removal (RemoveLocations, RemoveSlots); removing a location removes its slots there. */
  async markRemoved(object: 'LOCATION' | 'SLOT', answers: readonly Answered[], now: Date): Promise<void> {
    if (answers.length === 0) return;
    const { table, key } = tables[object];
    const ids = answers.map((answer) => answer.id);
    await this.dataSource.transaction(async (tx) => {
      await tx.query(markRemovals(table, key), [ids, now]);
      if (object === 'LOCATION') await tx.query(markSlotsOfRemovedLocations, [ids]);
      // UNKNOWN_LOCATION to a removal is what was asked: the object is not there.
      const refused = answers.filter((answer) => answer.result.Status === 'REJECTED' && answer.result.Reason_Code !== 'UNKNOWN_LOCATION');
      await this.recordAnswers(tx, object, [...answers.filter((answer) => !refused.includes(answer)).map((answer) => ({ ...answer, result: { ...answer.result, Status: 'ACCEPTED' as const } })), ...refused], now);
    });
  }

  /** A whole call failed: each organisation it carried objects of gets it as its last error. */
  async recordCallFailure(organisationOids: readonly string[], code: string, message: string, now: Date): Promise<void> {
    const oids = [...new Set(organisationOids)];
    if (oids.length > 0) await this.dataSource.query(recordError, [oids, now, code, safeReason(message)]);
  }

  async recordLink(link: LinkState): Promise<void> {
    await this.dataSource.query(recordLink, [link.reachable, link.backoffUntil, link.lastCallAt, link.lastCallOperation, link.lastCallOutcome]);
  }

  private async recordAnswers(tx: Pick<DataSource, 'query'>, object: ExportedObject, answers: readonly Answered[], now: Date): Promise<void> {
    const refused = answers.filter((answer) => answer.result.Status === 'REJECTED');
    const taken = answers.filter((answer) => answer.result.Status !== 'REJECTED');
    if (taken.length > 0) {
      await tx.query(clearRefusals, [taken.map((answer) => answer.id)]);
      await tx.query(recordSuccess, [[...new Set(taken.map((answer) => answer.organisationOid))], now]);
    }
    if (refused.length > 0) {
      const reasons = refused.map((answer) => ({
        organisation_oid: answer.organisationOid,
        object_type: object,
        object_id: answer.id,
        reason: safeReason([answer.result.Reason_Code, answer.result.Reason].filter(Boolean).join(': ')),
      }));
      await tx.query(recordRefusals, [JSON.stringify(reasons), now]);
      const lastPerOrganisation = new Map(refused.map((answer) => [answer.organisationOid, answer.result]));
      for (const [organisationOid, last] of lastPerOrganisation) {
        await tx.query(recordError, [[organisationOid], now, `${DataQualityCode.federalRejected}:${last.Reason_Code ?? 'UNKNOWN'}`, safeReason(last.Reason)]);
      }
    }
  }
}

function pendingLocationOf(row: { location_id: string; organisation_oid: string; fer_view: LocationView | null; export_version: string | null; traceparent: string | null }): PendingLocation {
  return { locationId: row.location_id, organisationOid: row.organisation_oid, view: row.fer_view, version: num(row.export_version), traceparent: row.traceparent };
}
