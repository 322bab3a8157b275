import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { HeartbeatRow, OrganisationRow, PractitionerRow, SlotRow } from './inventory.mapper';

// Advisory lock namespaces: an organisation event takes its key exclusively; a resource event takes
// its organisation shared and itself exclusively; a slot event takes both of its keys shared. So a
// slot never copies a resource or organisation that is mid-change, and an organisation and one of its
// resources never re-copy into the same slots at once. Always organisation first, then resource.
const organisationLock = 1;
const resourceLock = 2;

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

/** `SET a = excluded.a, ...` for every column but the key. */
function updateAll(columns: readonly (readonly [string, string])[]): string {
  return columns
    .slice(1)
    .map(([name]) => `${name} = excluded.${name}`)
    .join(', ');
}

/** The source's version wins: an event not newer than what is stored changes nothing (redelivery, reordering). */
function versionedUpsert(table: string, columns: readonly (readonly [string, string])[]): string {
  const names = columns.map(([name]) => name);
  const values = columns.map(([, type], i) => `$${i + 1}::${type}`);
  return `INSERT INTO ${table} AS t (${names.join(', ')}) VALUES (${values.join(', ')})
    ON CONFLICT (${names[0]}) DO UPDATE SET ${updateAll(columns)}
    WHERE excluded.source_version > t.source_version
    RETURNING 1`;
}

const upsertOrganisation = versionedUpsert('inventory_organisation', organisationColumns);
const upsertPractitioner = versionedUpsert('inventory_practitioner', practitionerColumns);

const upsertSlot = (() => {
  const names = slotColumns.map(([name]) => name);
  const values = slotColumns.map(([, type], i) => `$${i + 1}::${type}`);
  const all = [...slotColumns, ...copiedToSlots.map((name) => [name, ''] as const)];
  return `WITH x (${names.join(', ')}) AS (VALUES (${values.join(', ')})),
    src AS (
      SELECT x.*, o.district_id, p.specialty_nsi_code, p.position_nsi_code, ${offered} AS offered
      FROM x
      LEFT JOIN inventory_organisation o ON o.organisation_oid = x.organisation_oid
      LEFT JOIN inventory_practitioner p ON p.resource_id = x.resource_id
    )
    INSERT INTO inventory_slot AS t (${[...names, ...copiedToSlots].join(', ')})
    SELECT * FROM src
    ON CONFLICT (slot_id) DO UPDATE SET ${updateAll(all)}
    WHERE excluded.source_version > t.source_version
    RETURNING 1`;
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
      WHERE x.${column} = $1
    ) d
    WHERE s.slot_id = d.slot_id
      AND (${copiedToSlots.map((name) => `s.${name}`).join(', ')}) IS DISTINCT FROM (${copiedToSlots.map((name) => `d.${name}`).join(', ')})`;
}

const refreshSlotsOfOrganisation = refreshSlotsBy('organisation_oid');
const refreshSlotsOfResource = refreshSlotsBy('resource_id');

const upsertHeartbeat = `INSERT INTO inventory_organisation_heartbeat AS t
    (organisation_oid, adapter_id, mis_vendor, mis_reachable, last_successful_sync_at, heartbeat_interval_ms, heartbeat_at)
  SELECT oid, $2::text, $3::text, $4::boolean, $5::timestamptz, $6::bigint, $7::timestamptz FROM unnest($1::text[]) AS oid
  ON CONFLICT (organisation_oid) DO UPDATE SET adapter_id = excluded.adapter_id, mis_vendor = excluded.mis_vendor,
    mis_reachable = excluded.mis_reachable, last_successful_sync_at = excluded.last_successful_sync_at,
    heartbeat_interval_ms = excluded.heartbeat_interval_ms, heartbeat_at = excluded.heartbeat_at
  WHERE (excluded.heartbeat_at, excluded.adapter_id) > (t.heartbeat_at, t.adapter_id)
  RETURNING 1`;

/**
 * Projects MIS events into the inventory. Each method runs inside the consumer's transaction
 * (the one that records the event as handled) and returns whether anything changed.
 */
@Injectable()
export class InventoryService {
  async applyOrganisation(tx: EntityManager, row: OrganisationRow): Promise<boolean> {
    await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [organisationLock, row.organisationOid]);
    const applied = await this.changed(tx, upsertOrganisation, [
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
    ]);
    if (applied) await tx.query(refreshSlotsOfOrganisation, [row.organisationOid]);
    return applied;
  }

  async applyPractitioner(tx: EntityManager, row: PractitionerRow): Promise<boolean> {
    // Shared on the organisation first: an organisation change re-copying into the same slots at the
    // same time would not see this row (nor this one that), and both would write offered = false.
    await tx.query(`SELECT pg_advisory_xact_lock_shared($1, hashtext($2)), pg_advisory_xact_lock($3, hashtext($4))`, [
      organisationLock,
      row.organisationOid,
      resourceLock,
      row.resourceId,
    ]);
    const applied = await this.changed(tx, upsertPractitioner, [
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
    ]);
    if (applied) await tx.query(refreshSlotsOfResource, [row.resourceId]);
    return applied;
  }

  async applySlot(tx: EntityManager, row: SlotRow): Promise<boolean> {
    await tx.query(`SELECT pg_advisory_xact_lock_shared($1, hashtext($2)), pg_advisory_xact_lock_shared($3, hashtext($4))`, [
      organisationLock,
      row.organisationOid,
      resourceLock,
      row.resourceId,
    ]);
    return this.changed(tx, upsertSlot, [
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
    ]);
  }

  async applyHeartbeat(tx: EntityManager, row: HeartbeatRow): Promise<boolean> {
    return this.changed(tx, upsertHeartbeat, [
      row.organisationOids,
      row.adapterId,
      row.misVendor,
      row.misReachable,
      row.lastSuccessfulSyncAt,
      row.heartbeatIntervalMs,
      row.heartbeatAt,
    ]);
  }

  private async changed(tx: EntityManager, sql: string, parameters: readonly unknown[]): Promise<boolean> {
    const rows: unknown[] = await tx.query(sql, [...parameters]);
    return rows.length > 0;
  }
}
