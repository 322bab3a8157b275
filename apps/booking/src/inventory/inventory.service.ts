import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { HeartbeatRow, InventoryRows, OrganisationRow, PractitionerRow, SlotRow } from './inventory.mapper';

// Slots copy facts of their organisation and practitioner (0005). Two transactions that each miss
// the other's uncommitted rows (a slot inserted while its practitioner arrives, an organisation and
// one of its practitioners re-copying at once) must never both commit: every write takes its
// organisations' advisory locks, in ascending order so batches never deadlock on them — shared for
// slots (they only read the catalogue), exclusive for organisations and practitioners (they re-copy).
// Organisations hash into a fixed number of lock buckets, so a batch touching every clinic of the
// region takes at most that many locks.
const catalogueLock = 1;
const lockBuckets = 256;

const offered = `(NOT x.removed AND coalesce(o.active AND NOT o.removed, false) AND coalesce(p.active AND NOT p.removed, false))`;

const organisationColumns = [
  ['organisation_oid', 'text'],
  ['full_name', 'text'],
  ['short_name', 'text'],
  ['district_id', 'text'],
  ['district_name', 'text'],
  ['mis_vendor', 'text'],
  ['time_zone', 'text'],
  ['active', 'boolean'],
  ['address', 'text'],
  ['removed', 'boolean'],
  ['source_version', 'bigint'],
  ['occurred_at', 'timestamptz'],
] as const;

const practitionerColumns = [
  ['resource_id', 'text'],
  ['organisation_oid', 'text'],
  ['local_resource_id', 'text'],
  ['federal_practitioner_id', 'text'],
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
  ['patient_sex', 'text'],
  ['min_patient_age_years', 'integer'],
  ['max_patient_age_years', 'integer'],
  ['attachment_required', 'boolean'],
] as const;

const slotColumns = [
  ['slot_id', 'text'],
  ['organisation_oid', 'text'],
  ['resource_id', 'text'],
  ['local_slot_id', 'text'],
  ['local_resource_id', 'text'],
  ['starts_at', 'timestamptz'],
  ['ends_at', 'timestamptz'],
  ['status', 'text'],
  ['booking_channels', 'text[]'],
  ['room', 'text'],
  ['removed', 'boolean'],
  ['source_version', 'bigint'],
  ['occurred_at', 'timestamptz'],
] as const;

const copiedToSlots = ['district_id', 'specialty_nsi_code', 'position_nsi_code', 'offered'] as const;

type Columns = readonly (readonly [string, string])[];

/** `SET a = excluded.a, ...` for every column but the key. */
function updateAll(columns: Columns): string {
  return columns
    .slice(1)
    .map(([name]) => `${name} = excluded.${name}`)
    .join(', ');
}

/**
 * `json_to_recordset($1::json) AS x(a text, b bigint, ...)`: a batch's rows as one JSON parameter,
 * serialised natively, array columns (booking channels) included; one text array per column, which
 * node-postgres quotes element by element, measured no faster (300,000-slot resync, 2026-11-29).
 */
function jsonRows(columns: Columns): string {
  return `json_to_recordset($1::json) AS x(${columns.map(([name, type]) => `${name} ${type}`).join(', ')})`;
}

/**
 * The source's version wins: a row not newer than the stored one changes nothing (redelivery,
 * reordering). Rows come as one JSON parameter and are written in key order.
 */
function versionedUpsert(table: string, columns: Columns, key: string): string {
  const names = columns.map(([name]) => name);
  return `INSERT INTO ${table} AS t (${names.join(', ')})
    SELECT * FROM ${jsonRows(columns)} ORDER BY 1
    ON CONFLICT (${names[0]}) DO UPDATE SET ${updateAll(columns)}
    WHERE excluded.source_version > t.source_version
    RETURNING t.${key}`;
}

const upsertOrganisations = versionedUpsert('inventory_organisation', organisationColumns, 'organisation_oid');
const upsertPractitioners = versionedUpsert('inventory_practitioner', practitionerColumns, 'resource_id');

const upsertSlots = (() => {
  const names = slotColumns.map(([name]) => name);
  const all = [...slotColumns, ...copiedToSlots.map((name) => [name, ''] as const)];
  const selected = names.map((name) => `x.${name}`);
  return `INSERT INTO inventory_slot AS t (${[...names, ...copiedToSlots].join(', ')})
    SELECT ${selected.join(', ')}, o.district_id, p.specialty_nsi_code, p.position_nsi_code, ${offered} AS offered
    FROM ${jsonRows(slotColumns)}
    LEFT JOIN inventory_organisation o ON o.organisation_oid = x.organisation_oid
    LEFT JOIN inventory_practitioner p ON p.resource_id = x.resource_id
    ORDER BY x.slot_id
    ON CONFLICT (slot_id) DO UPDATE SET ${updateAll(all)}
    WHERE excluded.source_version > t.source_version
    RETURNING t.slot_id, t.organisation_oid, t.status, t.removed`;
})();

/** Re-copies organisation and resource facts into their slots, writing only rows that change. */
function refreshSlotsBy(column: 'organisation_oid' | 'resource_id'): string {
  return `UPDATE inventory_slot s
    SET ${copiedToSlots.map((name) => `${name} = d.${name}`).join(', ')}
    FROM (
      SELECT x.slot_id, o.district_id, p.specialty_nsi_code, p.position_nsi_code, ${offered} AS offered
      FROM inventory_slot x
      LEFT JOIN inventory_organisation o ON o.organisation_oid = x.organisation_oid
      LEFT JOIN inventory_practitioner p ON p.resource_id = x.resource_id
      WHERE x.${column} = ANY($1::text[])
    ) d
    WHERE s.slot_id = d.slot_id
      AND (${copiedToSlots.map((name) => `s.${name}`).join(', ')}) IS DISTINCT FROM (${copiedToSlots.map((name) => `d.${name}`).join(', ')})`;
}

const refreshSlotsOfOrganisations = refreshSlotsBy('organisation_oid');
const refreshSlotsOfResources = refreshSlotsBy('resource_id');

// Every bucket a batch needs, each once, in ascending order: exclusive where the batch changes the
// catalogue, shared where it only writes slots.
const lockCatalogue = `SELECT CASE WHEN exclusive THEN pg_advisory_xact_lock(${catalogueLock}, bucket) ELSE pg_advisory_xact_lock_shared(${catalogueLock}, bucket) END
  FROM (SELECT hashtext(oid) & ${lockBuckets - 1} AS bucket, bool_or(exclusive) AS exclusive
        FROM unnest($1::text[], $2::boolean[]) AS u(oid, exclusive) GROUP BY 1 ORDER BY 1) buckets`;

// Returns the organisations whose adapter of record this heartbeat is and whose last completed
// reassert advanced with it (the previous value read before the upsert, in the same snapshot).
const upsertHeartbeat = `WITH previous AS (
    SELECT organisation_oid, last_reasserted_at FROM inventory_organisation_heartbeat WHERE organisation_oid = ANY($1::text[])
  ), upserted AS (
    INSERT INTO inventory_organisation_heartbeat AS t
      (organisation_oid, adapter_id, mis_vendor, mis_reachable, last_successful_sync_at, heartbeat_interval_ms, heartbeat_at, last_reasserted_at)
    SELECT oid, $2::text, $3::text, $4::boolean, $5::timestamptz, $6::bigint, $7::timestamptz, $8::timestamptz FROM unnest($1::text[]) AS oid
    ON CONFLICT (organisation_oid) DO UPDATE SET adapter_id = excluded.adapter_id, mis_vendor = excluded.mis_vendor,
      mis_reachable = excluded.mis_reachable, last_successful_sync_at = excluded.last_successful_sync_at,
      heartbeat_interval_ms = excluded.heartbeat_interval_ms, heartbeat_at = excluded.heartbeat_at, last_reasserted_at = excluded.last_reasserted_at
    WHERE (excluded.heartbeat_at, excluded.adapter_id) > (t.heartbeat_at, t.adapter_id)
    RETURNING t.organisation_oid
  )
  SELECT u.organisation_oid FROM upserted u LEFT JOIN previous p ON p.organisation_oid = u.organisation_oid
  WHERE $8::timestamptz IS NOT NULL AND (p.last_reasserted_at IS NULL OR p.last_reasserted_at < $8::timestamptz)`;

/**
 * Anti-entropy: once the adapter of record has stated everything it knows at the MIS again (a
 * reassert pass that started at T, every event of it versioned from T), a slot of its
 * organisations that starts after T and still carries an older version is not at the MIS any more
 * (published by a run that is gone, or removed while a removal was lost). It is marked removed
 * with its own version, so a restated copy still in flight on a lagging partition wins over it.
 */
const removeUnstatedSlots = `UPDATE inventory_slot SET removed = true, offered = false
  WHERE organisation_oid = ANY($1::text[]) AND NOT removed AND starts_at >= $2::timestamptz AND source_version < $3::bigint`;

/** A slot row that a batch changed, as stored after it. */
export interface AppliedSlot {
  readonly slotId: string;
  readonly organisationOid: string;
  readonly status: string | null;
  readonly removed: boolean;
}

/**
 * Of several rows of one aggregate, the one a version-wins sequence would have kept: the highest
 * version, and of equal versions the first to arrive. So a batch gives the same table as its events
 * one at a time, and one INSERT never touches a row twice.
 */
function latestPerKey<R extends { readonly sourceVersion: number }>(rows: readonly R[], keyOf: (row: R) => string): R[] {
  const latest = new Map<string, R>();
  for (const row of rows) {
    const key = keyOf(row);
    const kept = latest.get(key);
    if (!kept || row.sourceVersion > kept.sourceVersion) latest.set(key, row);
  }
  return [...latest.values()];
}

/** The rows as the JSON `jsonRows` reads: one object per row, keyed by the columns' names. */
function rowsJson<R>(rows: readonly R[], columns: Columns, values: (row: R) => readonly unknown[]): string[] {
  const names = columns.map(([name]) => name);
  const objects = rows.map((row) => {
    const object: Record<string, unknown> = {};
    values(row).forEach((value, i) => (object[names[i]] = value));
    return object;
  });
  return [JSON.stringify(objects)];
}

/**
 * Projects MIS events into the inventory, a batch at a time, with one statement per table. Each
 * method runs inside the engine's transaction (the one that records the events as handled).
 */
@Injectable()
export class InventoryService {
  /**
   * Applies one batch's rows: the catalogue first, so slots of the same batch copy it; returns the
   * slots whose stored row changed.
   */
  async apply(tx: EntityManager, rows: InventoryRows): Promise<AppliedSlot[]> {
    const exclusive = [...rows.organisations.map((row) => row.organisationOid), ...rows.practitioners.map((row) => row.organisationOid)];
    const shared = rows.slots.map((row) => row.organisationOid);
    if (exclusive.length + shared.length > 0) {
      await tx.query(lockCatalogue, [
        [...exclusive, ...shared],
        [...exclusive.map(() => true), ...shared.map(() => false)],
      ]);
    }
    await this.applyOrganisations(tx, rows.organisations);
    await this.applyPractitioners(tx, rows.practitioners);
    const slots = await this.applySlots(tx, rows.slots);
    await this.applyHeartbeats(tx, rows.heartbeats);
    return slots;
  }

  private async applyOrganisations(tx: EntityManager, batch: readonly OrganisationRow[]): Promise<string[]> {
    const rows = latestPerKey(batch, (row) => row.organisationOid);
    if (rows.length === 0) return [];
    const changed: { organisation_oid: string }[] = await tx.query(
      upsertOrganisations,
      rowsJson(rows, organisationColumns, (row) => [
        row.organisationOid,
        row.fullName,
        row.shortName,
        row.districtId,
        row.districtName,
        row.misVendor,
        row.timeZone,
        row.active,
        row.address,
        row.removed,
        row.sourceVersion,
        row.occurredAt,
      ]),
    );
    const changedOids = changed.map((row) => row.organisation_oid);
    if (changedOids.length > 0) await tx.query(refreshSlotsOfOrganisations, [changedOids]);
    return changedOids;
  }

  private async applyPractitioners(tx: EntityManager, batch: readonly PractitionerRow[]): Promise<string[]> {
    const rows = latestPerKey(batch, (row) => row.resourceId);
    if (rows.length === 0) return [];
    const changed: { resource_id: string }[] = await tx.query(
      upsertPractitioners,
      rowsJson(rows, practitionerColumns, (row) => [
        row.resourceId,
        row.organisationOid,
        row.localResourceId,
        row.federalPractitionerId,
        row.displayName,
        row.specialtyNsiCode,
        row.specialtyMisCode,
        row.specialtyName,
        row.positionNsiCode,
        row.positionMisCode,
        row.positionName,
        row.departmentOid,
        row.departmentName,
        row.room,
        row.active,
        row.removed,
        row.sourceVersion,
        row.occurredAt,
        row.patientSex,
        row.minPatientAgeYears,
        row.maxPatientAgeYears,
        row.attachmentRequired,
      ]),
    );
    const changedIds = changed.map((row) => row.resource_id);
    if (changedIds.length > 0) await tx.query(refreshSlotsOfResources, [changedIds]);
    return changedIds;
  }

  private async applySlots(tx: EntityManager, batch: readonly SlotRow[]): Promise<AppliedSlot[]> {
    const rows = latestPerKey(batch, (row) => row.slotId);
    if (rows.length === 0) return [];
    const changed: { slot_id: string; organisation_oid: string; status: string | null; removed: boolean }[] = await tx.query(
      upsertSlots,
      rowsJson(rows, slotColumns, (row) => [
        row.slotId,
        row.organisationOid,
        row.resourceId,
        row.localSlotId,
        row.localResourceId,
        row.startsAt,
        row.endsAt,
        row.status,
        row.bookingChannels,
        row.room,
        row.removed,
        row.sourceVersion,
        row.occurredAt,
      ]),
    );
    return changed.map((row) => ({ slotId: row.slot_id, organisationOid: row.organisation_oid, status: row.status, removed: row.removed }));
  }

  private async applyHeartbeats(tx: EntityManager, batch: readonly HeartbeatRow[]): Promise<void> {
    for (const row of batch) {
      const reasserted: { organisation_oid: string }[] = await tx.query(upsertHeartbeat, [
        row.organisationOids,
        row.adapterId,
        row.misVendor,
        row.misReachable,
        row.lastSuccessfulSyncAt,
        row.heartbeatIntervalMs,
        row.heartbeatAt,
        row.lastReassertedAt,
      ]);
      if (reasserted.length > 0 && row.lastReassertedAt) {
        await tx.query(removeUnstatedSlots, [reasserted.map((r) => r.organisation_oid), row.lastReassertedAt, row.lastReassertedAt.getTime() * 1000]);
      }
    }
  }
}
