import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { lastPerKey, latestPerKey, type BookedRow, type CancelledRow, type OrganisationRow, type ResourceWithdrawalRow, type SlotStateRow } from './bus.mapper';

/** `json_to_recordset($n::json) AS x(...)`: a batch's rows as one JSON parameter (as the inventory does, 0008). */
export const recordset = (columns: string, parameter = '$1') => `json_to_recordset(${parameter}::json) AS x(${columns})`;

/** The rows a statement returned: TypeORM answers an UPDATE or DELETE with `[rows, count]` and anything else with the rows. */
export async function returnedRows<R>(runner: Pick<EntityManager, 'query'>, sql: string, parameters: readonly unknown[]): Promise<R[]> {
  const result: unknown = await runner.query(sql, [...parameters]);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as R[];
  return result as R[];
}

// A removal keeps the names and district it had: the patients' history still names the organisation.
const upsertOrganisations = `INSERT INTO organisation AS t (oid, short_name, full_name, district_id, district_name, active, removed, adapter_id, source_version)
  SELECT * FROM ${recordset('oid text, short_name text, full_name text, district_id text, district_name text, active boolean, removed boolean, adapter_id text, source_version bigint')} ORDER BY 1
  ON CONFLICT (oid) DO UPDATE SET
    short_name = coalesce(excluded.short_name, t.short_name), full_name = coalesce(excluded.full_name, t.full_name),
    district_id = coalesce(excluded.district_id, t.district_id), district_name = coalesce(excluded.district_name, t.district_name),
    active = excluded.active, removed = excluded.removed, adapter_id = coalesce(excluded.adapter_id, t.adapter_id), source_version = excluded.source_version
  WHERE excluded.source_version > t.source_version`;

// A cancellation that came first (its booking before this consumer's history) keeps the row CANCELLED.
const upsertBooked = `INSERT INTO patient_appointment AS t (appointment_id, patient_id, organisation_oid, resource_id, slot_id, starts_at, channel, status, booked_at, replaces_appointment_id)
  SELECT appointment_id, patient_id, organisation_oid, resource_id, slot_id, starts_at, channel, 'BOOKED', booked_at, replaces_appointment_id
  FROM ${recordset('appointment_id uuid, patient_id uuid, organisation_oid text, resource_id text, slot_id text, starts_at timestamptz, channel text, booked_at timestamptz, replaces_appointment_id uuid')}
  ORDER BY 1
  ON CONFLICT (appointment_id) DO UPDATE SET resource_id = excluded.resource_id, starts_at = excluded.starts_at, channel = excluded.channel,
    booked_at = excluded.booked_at, replaces_appointment_id = excluded.replaces_appointment_id`;

const upsertCancelled = `INSERT INTO patient_appointment AS t (appointment_id, patient_id, organisation_oid, slot_id, status, cancelled_at)
  SELECT appointment_id, patient_id, organisation_oid, slot_id, 'CANCELLED', cancelled_at
  FROM ${recordset('appointment_id uuid, patient_id uuid, organisation_oid text, slot_id text, cancelled_at timestamptz')}
  ORDER BY 1
  ON CONFLICT (appointment_id) DO UPDATE SET status = 'CANCELLED', cancelled_at = excluded.cancelled_at`;

const slotColumns = 'slot_id text, organisation_oid text, resource_id text, at timestamptz, source_version bigint';
const withdrawSlots = `INSERT INTO withdrawn_slot AS t (slot_id, organisation_oid, resource_id, withdrawn, withdrawn_at, source_version)
  SELECT slot_id, organisation_oid, resource_id, true, at, source_version FROM ${recordset(slotColumns)} ORDER BY 1
  ON CONFLICT (slot_id) DO UPDATE SET withdrawn = true, withdrawn_at = excluded.withdrawn_at, source_version = excluded.source_version
  WHERE excluded.source_version > t.source_version`;
// Only slots once withdrawn have a row: the table stays small (a slot never withdrawn is never written).
const reopenSlots = `UPDATE withdrawn_slot t SET withdrawn = false, source_version = x.source_version
  FROM ${recordset(slotColumns)} WHERE t.slot_id = x.slot_id AND x.source_version > t.source_version`;

const withdrawResources = `INSERT INTO withdrawn_resource AS t (resource_id, organisation_oid, withdrawn_at, source_version)
  SELECT * FROM ${recordset('resource_id text, organisation_oid text, withdrawn_at timestamptz, source_version bigint')} ORDER BY 1
  ON CONFLICT (resource_id) DO UPDATE SET withdrawn_at = excluded.withdrawn_at, source_version = excluded.source_version
  WHERE excluded.source_version > t.source_version`;

/** What a batch wrote that tasks are derived from: ids, never patient data. */
export interface BatchKeys {
  readonly bookedAppointmentIds: string[];
  readonly cancelledAppointmentIds: string[];
  readonly withdrawnSlotIds: string[];
  readonly withdrawnResourceIds: string[];
}

/**
 * Writes the organisations, the patients' appointments and the withdrawn slots and resources of a
 * batch, one statement per table, inside the projection engine's transaction. Each table keeps one
 * aggregate; what joins them is derived afterwards (PatientTaskService).
 */
@Injectable()
export class BusTablesService {
  async applyOrganisations(tx: EntityManager, batch: readonly OrganisationRow[]): Promise<void> {
    const rows = latestPerKey(batch, (row) => row.oid);
    if (rows.length === 0) return;
    await tx.query(upsertOrganisations, [
      JSON.stringify(
        rows.map((r) => ({
          oid: r.oid,
          short_name: r.shortName,
          full_name: r.fullName,
          district_id: r.districtId,
          district_name: r.districtName,
          active: r.active,
          removed: r.removed,
          adapter_id: r.adapterId,
          source_version: r.sourceVersion,
        })),
      ),
    ]);
  }

  /** Per appointment a booking comes before its cancellation (one key, one partition): bookings are written first. */
  async applyAppointments(tx: EntityManager, booked: readonly BookedRow[], cancelled: readonly CancelledRow[]): Promise<Pick<BatchKeys, 'bookedAppointmentIds' | 'cancelledAppointmentIds'>> {
    const bookings = lastPerKey(booked, (row) => row.appointmentId);
    const cancellations = lastPerKey(cancelled, (row) => row.appointmentId);
    if (bookings.length > 0) {
      await tx.query(upsertBooked, [
        JSON.stringify(
          bookings.map((r) => ({
            appointment_id: r.appointmentId,
            patient_id: r.patientId,
            organisation_oid: r.organisationOid,
            resource_id: r.resourceId,
            slot_id: r.slotId,
            starts_at: r.startsAt,
            channel: r.channel,
            booked_at: r.bookedAt,
            replaces_appointment_id: r.replacesAppointmentId,
          })),
        ),
      ]);
    }
    if (cancellations.length > 0) {
      const json = cancellations.map((r) => ({ appointment_id: r.appointmentId, patient_id: r.patientId, organisation_oid: r.organisationOid, slot_id: r.slotId, cancelled_at: r.cancelledAt }));
      await tx.query(upsertCancelled, [JSON.stringify(json)]);
    }
    return { bookedAppointmentIds: bookings.map((row) => row.appointmentId), cancelledAppointmentIds: cancellations.map((row) => row.appointmentId) };
  }

  async applyWithdrawals(tx: EntityManager, slots: readonly SlotStateRow[], resources: readonly ResourceWithdrawalRow[]): Promise<Pick<BatchKeys, 'withdrawnSlotIds' | 'withdrawnResourceIds'>> {
    const latestSlots = latestPerKey(slots, (row) => row.slotId);
    const slotJson = (rows: readonly SlotStateRow[]) =>
      JSON.stringify(rows.map((r) => ({ slot_id: r.slotId, organisation_oid: r.organisationOid, resource_id: r.resourceId, at: r.at, source_version: r.sourceVersion })));
    const withdrawn = latestSlots.filter((row) => row.withdrawn);
    const reopened = latestSlots.filter((row) => !row.withdrawn);
    if (withdrawn.length > 0) await tx.query(withdrawSlots, [slotJson(withdrawn)]);
    if (reopened.length > 0) await tx.query(reopenSlots, [slotJson(reopened)]);
    const latestResources = latestPerKey(resources, (row) => row.resourceId);
    if (latestResources.length > 0) {
      const json = latestResources.map((r) => ({ resource_id: r.resourceId, organisation_oid: r.organisationOid, withdrawn_at: r.withdrawnAt, source_version: r.sourceVersion }));
      await tx.query(withdrawResources, [JSON.stringify(json)]);
    }
    return { withdrawnSlotIds: withdrawn.map((row) => row.slotId), withdrawnResourceIds: latestResources.map((row) => row.resourceId) };
  }
}
