import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { latestPerKey, type AppointmentRow, type ExportRows, type LocationRow, type OrganisationRow, type SlotRow } from './export.mapper';
import { federalChannels } from './federal-view.query';

type Columns = readonly (readonly [string, string])[];

const organisationColumns = [
  ['organisation_oid', 'text'],
  ['full_name', 'text'],
  ['short_name', 'text'],
  ['address', 'text'],
  ['time_zone', 'text'],
  ['district_id', 'text'],
  ['district_name', 'text'],
  ['active', 'boolean'],
  ['removed', 'boolean'],
  ['source_version', 'bigint'],
  ['occurred_at', 'timestamptz'],
  ['traceparent', 'text'],
] as const;

const locationColumns = [
  ['location_id', 'text'],
  ['organisation_oid', 'text'],
  ['local_resource_id', 'text'],
  ['practitioner_snils', 'text'],
  ['display_name', 'text'],
  ['specialty_nsi_code', 'text'],
  ['specialty_mis_code', 'text'],
  ['specialty_name', 'text'],
  ['position_nsi_code', 'text'],
  ['position_mis_code', 'text'],
  ['position_name', 'text'],
  ['department_oid', 'text'],
  ['department_name', 'text'],
  ['room', 'text'],
  ['active', 'boolean'],
  ['removed', 'boolean'],
  ['source_version', 'bigint'],
  ['occurred_at', 'timestamptz'],
  ['traceparent', 'text'],
] as const;

const slotColumns = [
  ['slot_id', 'text'],
  ['organisation_oid', 'text'],
  ['location_id', 'text'],
  ['local_slot_id', 'text'],
  ['starts_at', 'timestamptz'],
  ['ends_at', 'timestamptz'],
  ['status', 'text'],
  ['booking_channels', 'text[]'],
  ['federal_portal', 'boolean'],
  ['room', 'text'],
  ['removed', 'boolean'],
  ['source_version', 'bigint'],
  ['occurred_at', 'timestamptz'],
  ['traceparent', 'text'],
] as const;

/** `json_to_recordset($1::json) AS x(a text, ...)`: a batch's rows as one JSON parameter (as the inventory does, 0008). */
function jsonRows(columns: Columns, parameter = '$1'): string {
  return `json_to_recordset(${parameter}::json) AS x(${columns.map(([name, type]) => `${name} ${type}`).join(', ')})`;
}

function rowsJson<R>(rows: readonly R[], columns: Columns, values: (row: R) => readonly unknown[]): string {
  const names = columns.map(([name]) => name);
  return JSON.stringify(
    rows.map((row) => {
      const object: Record<string, unknown> = {};
      values(row).forEach((value, i) => (object[names[i]] = value));
      return object;
    }),
  );
}

/**
 * The source's version wins: a row not newer than the stored one changes nothing (redelivery,
 * reordering). A changed row is marked dirty: its federal view is derived again at export time.
 */
function versionedUpsert(table: string, columns: Columns, set: readonly string[], returning: string): string {
  const names = columns.map(([name]) => name);
  return `INSERT INTO ${table} AS t (${names.join(', ')})
    SELECT * FROM ${jsonRows(columns)} ORDER BY 1
    ON CONFLICT (${names[0]}) DO UPDATE SET ${set.join(', ')}
    WHERE excluded.source_version > t.source_version
    RETURNING ${returning}`;
}

const assignAll = (columns: Columns) => columns.slice(1).map(([name]) => `${name} = excluded.${name}`);

const upsertOrganisations = versionedUpsert('fer_organisation', organisationColumns, assignAll(organisationColumns), 't.organisation_oid');
const upsertLocations = versionedUpsert('fer_location', locationColumns, [...assignAll(locationColumns), 'dirty = true'], 't.location_id');
// A removal carries no times: the tombstone keeps the ones the slot had (a past slot stays past).
const upsertSlots = versionedUpsert(
  'fer_slot',
  slotColumns,
  [...assignAll(slotColumns).filter((set) => !/^(starts_at|ends_at) /.test(set)), 'starts_at = coalesce(excluded.starts_at, t.starts_at)', 'ends_at = coalesce(excluded.ends_at, t.ends_at)', 'dirty = true'],
  't.location_id, t.booking_channels, t.removed',
);

// Locks in key order, so two batches marking overlapping locations never deadlock. Rows already dirty
// are marked again, never skipped: one the export worker is deriving right now (from a snapshot
// without this batch) is waited for and then dirty once more.
const markLocationsOfOrganisations = `UPDATE fer_location SET dirty = true WHERE location_id IN (
  SELECT location_id FROM fer_location WHERE organisation_oid = ANY($1::text[]) ORDER BY location_id FOR UPDATE)`;
// A slot change touches its location's Channels only when it brings a channel the location's derived view
// lacks, or the slot is gone (a channel may go with it); a location never derived or held back is derived
// again. Without this filter every slot batch re-derived hundreds of locations (each aggregating its ~330
// slots) and the region's initial load stalled on it. A slot published again with fewer channels leaves
// the location's Channels wider until it is next derived (any change of it, or reconciliation's restage).
const markLocationsOfSlots = `UPDATE fer_location SET dirty = true WHERE location_id IN (
  SELECT l.location_id FROM fer_location l
  JOIN json_to_recordset($1::json) AS c(location_id text, channels jsonb, removed boolean) ON c.location_id = l.location_id
  WHERE l.fer_view IS NULL OR c.removed OR NOT (l.fer_view -> 'Channels' @> c.channels)
  ORDER BY l.location_id FOR UPDATE OF l)`;

const appointmentColumns = [
  ['appointment_id', 'text'],
  ['organisation_oid', 'text'],
  ['slot_id', 'text'],
  ['mis_appointment_id', 'text'],
  ['occurred_at', 'timestamptz'],
  ['traceparent', 'text'],
] as const;

// Each change of status is a new Version of the appointment's status at the federal side.
const insertFederalBookings = `INSERT INTO fer_appointment AS t (appointment_id, organisation_oid, slot_id, mis_appointment_id, status, occurred_at, traceparent, export_version, change_seq)
  SELECT x.appointment_id, x.organisation_oid, x.slot_id, x.mis_appointment_id, 'BOOKED', x.occurred_at, x.traceparent, nextval('fer_export_version'), nextval('fer_change_seq')
  FROM ${jsonRows(appointmentColumns)} ORDER BY 1
  ON CONFLICT (appointment_id) DO NOTHING
  RETURNING t.appointment_id`;
const cancelFederalBookings = `UPDATE fer_appointment t SET status = 'CANCELLED', occurred_at = x.occurred_at, traceparent = x.traceparent,
    export_version = nextval('fer_export_version'), change_seq = nextval('fer_change_seq')
  FROM ${jsonRows(appointmentColumns)}
  WHERE t.appointment_id = x.appointment_id AND t.status <> 'CANCELLED'
  RETURNING t.appointment_id`;

/**
 * The rows a statement returned: TypeORM answers an UPDATE or DELETE with `[rows, count]` and
 * anything else with the rows.
 */
export async function returnedRows<R>(runner: Pick<EntityManager, 'query'>, sql: string, parameters: readonly unknown[]): Promise<R[]> {
  const result: unknown = await runner.query(sql, [...parameters]);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as R[];
  return result as R[];
}

/** Delivered at commit only, to every instance listening: the export worker wakes for what this transaction changed. */
export const exportWakeChannel = (schema: string): string => `fer_export.${schema}`;
const notifyExport = `SELECT pg_notify('fer_export.' || current_schema(), '')`;

/**
 * Writes the exporter's source rows from a batch of events, one statement per table, inside the
 * projection engine's transaction; marks what changed dirty for the export worker and wakes it at
 * commit.
 */
@Injectable()
export class ExportTablesService {
  async apply(tx: EntityManager, rows: ExportRows): Promise<void> {
    const organisations = await this.applyOrganisations(tx, rows.organisations);
    const locations = await this.applyLocations(tx, rows.locations);
    const slots = await this.applySlots(tx, rows.slots);
    const appointments = await this.applyAppointments(tx, rows.appointments);
    if (organisations + locations + slots + appointments > 0) await tx.query(notifyExport);
  }

  private async applyOrganisations(tx: EntityManager, batch: readonly OrganisationRow[]): Promise<number> {
    const rows = latestPerKey(batch, (row) => row.organisationOid);
    if (rows.length === 0) return 0;
    const changed: { organisation_oid: string }[] = await tx.query(upsertOrganisations, [
      rowsJson(rows, organisationColumns, (r) => [r.organisationOid, r.fullName, r.shortName, r.address, r.timeZone, r.districtId, r.districtName, r.active, r.removed, r.sourceVersion, r.occurredAt, r.traceparent]),
    ]);
    // Every location of a changed organisation is exportable or not anew.
    if (changed.length > 0) await tx.query(markLocationsOfOrganisations, [changed.map((row) => row.organisation_oid)]);
    return changed.length;
  }

  private async applyLocations(tx: EntityManager, batch: readonly LocationRow[]): Promise<number> {
    const rows = latestPerKey(batch, (row) => row.locationId);
    if (rows.length === 0) return 0;
    const changed: unknown[] = await tx.query(upsertLocations, [
      rowsJson(rows, locationColumns, (r) => [
        r.locationId,
        r.organisationOid,
        r.localResourceId,
        r.practitionerSnils,
        r.displayName,
        r.specialtyNsiCode,
        r.specialtyMisCode,
        r.specialtyName,
        r.positionNsiCode,
        r.positionMisCode,
        r.positionName,
        r.departmentOid,
        r.departmentName,
        r.room,
        r.active,
        r.removed,
        r.sourceVersion,
        r.occurredAt,
        r.traceparent,
      ]),
    ]);
    return changed.length;
  }

  private async applySlots(tx: EntityManager, batch: readonly SlotRow[]): Promise<number> {
    const rows = latestPerKey(batch, (row) => row.slotId);
    if (rows.length === 0) return 0;
    const changed: { location_id: string; booking_channels: string[]; removed: boolean }[] = await tx.query(upsertSlots, [
      rowsJson(rows, slotColumns, (r) => [
        r.slotId,
        r.organisationOid,
        r.locationId,
        r.localSlotId,
        r.startsAt,
        r.endsAt,
        r.status,
        r.bookingChannels,
        r.federalPortal,
        r.room,
        r.removed,
        r.sourceVersion,
        r.occurredAt,
        r.traceparent,
      ]),
    ]);
    // A location's Channels are those of its slots.
    const touched = new Map<string, { channels: Set<string>; removed: boolean }>();
    for (const row of changed) {
      const location = touched.get(row.location_id) ?? { channels: new Set<string>(), removed: false };
      for (const channel of row.booking_channels) if ((federalChannels as readonly string[]).includes(channel)) location.channels.add(channel);
      location.removed ||= row.removed;
      touched.set(row.location_id, location);
    }
    if (touched.size > 0) {
      const locations = [...touched].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([location_id, t]) => ({ location_id, channels: [...t.channels].sort(), removed: t.removed }));
      await tx.query(markLocationsOfSlots, [JSON.stringify(locations)]);
    }
    return changed.length;
  }

  /** Bookings through the federal channel are kept; a cancellation counts only for one of those. */
  private async applyAppointments(tx: EntityManager, batch: readonly AppointmentRow[]): Promise<number> {
    if (batch.length === 0) return 0;
    const values = (r: AppointmentRow) => [r.appointmentId, r.organisationOid, r.slotId, r.misAppointmentId, r.occurredAt, r.traceparent];
    const booked = batch.filter((row) => row.status === 'BOOKED' && row.federal);
    const cancelled = [...new Map(batch.filter((row) => row.status === 'CANCELLED').map((row) => [row.appointmentId, row])).values()];
    let changed = 0;
    // Per appointment, a booking comes before its cancellation (one key, one partition).
    if (booked.length > 0) changed += ((await tx.query(insertFederalBookings, [rowsJson(booked, appointmentColumns, values)])) as unknown[]).length;
    if (cancelled.length > 0) changed += (await returnedRows(tx, cancelFederalBookings, [rowsJson(cancelled, appointmentColumns, values)])).length;
    return changed;
  }
}
