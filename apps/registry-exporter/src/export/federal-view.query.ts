import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * The federal view: what the federal registry is to hold, defined once, in SQL, over the exporter's
 * tables with the aliases `o` (fer_organisation), `l` (fer_location) and `s` (fer_slot). The export
 * worker, reconciliation, the export status and the region's federal service all read through these
 * fragments; nothing else decides what is exportable.
 */

/** The channels the federal contract knows (ChannelCode); a channel added later grants nothing there. */
export const federalChannels = ['FRONT_DESK', 'FEDERAL_PORTAL', 'CONTACT_CENTRE', 'PORTAL', 'KIOSK'] as const;

/** Why a location is held back: a data-quality error of its organisation (never carrying the SNILS). */
export const DataQualityCode = {
  practitionerSnilsMissing: 'PRACTITIONER_SNILS_MISSING',
  practitionerSnilsInvalid: 'PRACTITIONER_SNILS_INVALID',
  specialtyUnmapped: 'SPECIALTY_UNMAPPED',
  positionUnmapped: 'POSITION_UNMAPPED',
  organisationUnknown: 'ORGANISATION_UNKNOWN',
  /** The federal side refused the object; the reason is its Reason_Code and Reason. */
  federalRejected: 'FEDERAL_REJECTED',
} as const;
export type DataQualityCode = (typeof DataQualityCode)[keyof typeof DataQualityCode];

/**
 * A location (`l`, with its organisation `o` LEFT JOINed) is exportable: the resource is active and
 * not removed, its organisation known and active, the practitioner's SNILS present with a valid check
 * number, the specialty mapped to NSI 1066, and the position, when it has one, mapped to NSI 1002.
 */
export const exportableLocationSql = `coalesce(l.active AND NOT l.removed AND o.active AND NOT o.removed
  AND fer_snils_valid(l.practitioner_snils) AND l.specialty_nsi_code IS NOT NULL
  AND (l.position_mis_code IS NULL OR l.position_nsi_code IS NOT NULL), false)`;

/** Why an active location (`l`, `o`) is held back, as DataQualityCode values; empty when nothing is wrong with it. */
export const locationProblemsSql = `CASE WHEN l.active AND NOT l.removed THEN array_remove(ARRAY[
    CASE WHEN o.organisation_oid IS NULL OR o.removed THEN '${DataQualityCode.organisationUnknown}' END,
    CASE WHEN l.practitioner_snils IS NULL THEN '${DataQualityCode.practitionerSnilsMissing}'
         WHEN NOT fer_snils_valid(l.practitioner_snils) THEN '${DataQualityCode.practitionerSnilsInvalid}' END,
    CASE WHEN l.specialty_nsi_code IS NULL THEN '${DataQualityCode.specialtyUnmapped}' END,
    CASE WHEN l.position_mis_code IS NOT NULL AND l.position_nsi_code IS NULL THEN '${DataQualityCode.positionUnmapped}' END
  ]::text[], NULL) ELSE '{}'::text[] END`;

/** Channels of a location (`l`): the union of the channels of its future, not removed slots, sorted. */
export const locationChannelsSql = (now: string) => `(SELECT coalesce(jsonb_agg(DISTINCT c ORDER BY c), '[]'::jsonb)
  FROM fer_slot cs CROSS JOIN LATERAL unnest(cs.booking_channels) AS c
  WHERE cs.location_id = l.location_id AND NOT cs.removed AND cs.starts_at > ${now}
    AND c IN (${federalChannels.map((channel) => `'${channel}'`).join(', ')}))`;

/** What is sent of a location (`l`), without its key and Version: the content of a FerLocation. */
export const locationViewSql = (now: string) => `jsonb_build_object(
  'MO_OID', l.organisation_oid,
  'Department_OID', l.department_oid,
  'Doctor_SNILS', l.practitioner_snils,
  'Doctor_Name', l.display_name,
  'Specialty_Code', l.specialty_nsi_code,
  'Position_Code', l.position_nsi_code,
  'Room', l.room,
  'Channels', ${locationChannelsSql(now)})`;

/**
 * A slot (`s`, with its location `l` and organisation `o` LEFT JOINed) is exported: not removed,
 * open to FEDERAL_PORTAL, starting after `now`, of an exportable location, and FREE, HELD or BOOKED
 * (BLOCKED is not offered, so the federal side must not hold it).
 */
export const exportedSlotSql = (now: string) => `(NOT s.removed AND s.federal_portal AND s.starts_at > ${now}
  AND s.status IN ('FREE', 'HELD', 'BOOKED') AND ${exportableLocationSql})`;

/** What is sent of a slot (`s`), without its key and Version; times in epoch milliseconds (formatted with the clinic's offset when sent). */
export const slotViewSql = `jsonb_build_object(
  'Location_Id', s.location_id,
  'MO_OID', s.organisation_oid,
  'Visit_Start', (extract(epoch FROM s.starts_at) * 1000)::bigint,
  'Visit_End', (extract(epoch FROM s.ends_at) * 1000)::bigint,
  'Room', s.room,
  'Status', CASE WHEN s.status = 'FREE' THEN 'FREE' ELSE 'BUSY' END)`;

/** A location's view as stored in fer_view (federal names; null where the wire has the element absent). */
export interface LocationView {
  readonly MO_OID: string;
  readonly Department_OID: string | null;
  readonly Doctor_SNILS: string;
  readonly Doctor_Name: string | null;
  readonly Specialty_Code: string;
  readonly Position_Code: string | null;
  readonly Room: string | null;
  readonly Channels: readonly string[];
}

/** A slot's view as stored in fer_view. */
export interface SlotView {
  readonly Location_Id: string;
  readonly MO_OID: string;
  readonly Visit_Start: number;
  readonly Visit_End: number;
  readonly Room: string | null;
  readonly Status: 'FREE' | 'BUSY';
}

export interface FederalOrganisation {
  readonly organisationOid: string;
  readonly fullName: string | null;
  readonly shortName: string | null;
  readonly address: string | null;
  readonly timeZone: string | null;
  readonly districtId: string | null;
  readonly districtName: string | null;
}

export interface FederalSpecialty {
  readonly specialtyCode: string;
  readonly specialtyName: string | null;
  readonly positionCode: string | null;
  readonly positionName: string | null;
  /** Exportable locations of the organisation with this specialty and position. */
  readonly locations: number;
}

/** An exportable location. `practitionerSnils` is the practitioner's personal data: answer it to the federal side only, never log it. */
export interface FederalResource {
  readonly locationId: string;
  readonly organisationOid: string;
  readonly localResourceId: string | null;
  readonly displayName: string | null;
  readonly practitionerSnils: string;
  readonly specialtyCode: string;
  readonly specialtyName: string | null;
  readonly positionCode: string | null;
  readonly positionName: string | null;
  readonly departmentOid: string | null;
  readonly departmentName: string | null;
  readonly room: string | null;
}

export interface FederalSlot {
  readonly slotId: string;
  readonly locationId: string;
  readonly organisationOid: string;
  readonly localSlotId: string | null;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly room: string | null;
  /** The federal status: FREE, or BUSY for a held or booked slot. */
  readonly status: 'FREE' | 'BUSY';
}

const fromLocations = `FROM fer_location l LEFT JOIN fer_organisation o ON o.organisation_oid = l.organisation_oid`;

/**
 * The federal view as the region's federal service (ErWebService) answers it: organisations,
 * specialties, resources and slots that are exportable, read from the exporter's tables with the
 * fragments above, so the federal side is offered exactly what the exporter sends it.
 */
@Injectable()
export class FederalViewQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Active organisations with at least one exportable location (one, when `organisationOid` is given). */
  async organisations(organisationOid?: string): Promise<FederalOrganisation[]> {
    const rows: { organisation_oid: string; full_name: string | null; short_name: string | null; address: string | null; time_zone: string | null; district_id: string | null; district_name: string | null }[] =
      await this.dataSource.query(
        `SELECT o.organisation_oid, o.full_name, o.short_name, o.address, o.time_zone, o.district_id, o.district_name
         FROM fer_organisation o
         WHERE o.active AND NOT o.removed AND ($1::text IS NULL OR o.organisation_oid = $1)
           AND EXISTS (SELECT 1 FROM fer_location l WHERE l.organisation_oid = o.organisation_oid AND ${exportableLocationSql})
         ORDER BY o.organisation_oid`,
        [organisationOid ?? null],
      );
    return rows.map((row) => ({
      organisationOid: row.organisation_oid,
      fullName: row.full_name,
      shortName: row.short_name,
      address: row.address,
      timeZone: row.time_zone,
      districtId: row.district_id,
      districtName: row.district_name,
    }));
  }

  /** The specialty and position pairs of an organisation's exportable locations. */
  async specialties(organisationOid: string): Promise<FederalSpecialty[]> {
    const rows: { specialty_code: string; specialty_name: string | null; position_code: string | null; position_name: string | null; locations: string }[] = await this.dataSource.query(
      `SELECT l.specialty_nsi_code AS specialty_code, min(l.specialty_name) AS specialty_name,
              l.position_nsi_code AS position_code, min(l.position_name) AS position_name, count(*) AS locations
       ${fromLocations}
       WHERE l.organisation_oid = $1 AND ${exportableLocationSql}
       GROUP BY l.specialty_nsi_code, l.position_nsi_code
       ORDER BY l.specialty_nsi_code, l.position_nsi_code NULLS FIRST`,
      [organisationOid],
    );
    return rows.map((row) => ({
      specialtyCode: row.specialty_code,
      specialtyName: row.specialty_name,
      positionCode: row.position_code,
      positionName: row.position_name,
      locations: Number(row.locations),
    }));
  }

  /** An organisation's exportable locations, of one specialty and position when given. */
  async resources(organisationOid: string, specialtyCode?: string, positionCode?: string): Promise<FederalResource[]> {
    const rows: {
      location_id: string;
      organisation_oid: string;
      local_resource_id: string | null;
      display_name: string | null;
      practitioner_snils: string;
      specialty_nsi_code: string;
      specialty_name: string | null;
      position_nsi_code: string | null;
      position_name: string | null;
      department_oid: string | null;
      department_name: string | null;
      room: string | null;
    }[] = await this.dataSource.query(
      `SELECT l.location_id, l.organisation_oid, l.local_resource_id, l.display_name, l.practitioner_snils, l.specialty_nsi_code, l.specialty_name,
              l.position_nsi_code, l.position_name, l.department_oid, l.department_name, l.room
       ${fromLocations}
       WHERE l.organisation_oid = $1 AND ${exportableLocationSql}
         AND ($2::text IS NULL OR l.specialty_nsi_code = $2) AND ($3::text IS NULL OR l.position_nsi_code = $3)
       ORDER BY l.location_id`,
      [organisationOid, specialtyCode ?? null, positionCode ?? null],
    );
    return rows.map((row) => ({
      locationId: row.location_id,
      organisationOid: row.organisation_oid,
      localResourceId: row.local_resource_id,
      displayName: row.display_name,
      practitionerSnils: row.practitioner_snils,
      specialtyCode: row.specialty_nsi_code,
      specialtyName: row.specialty_name,
      positionCode: row.position_nsi_code,
      positionName: row.position_name,
      departmentOid: row.department_oid,
      departmentName: row.department_name,
      room: row.room,
    }));
  }

  /** A location's exported slots starting in [from, to), after `now`, by start time. */
  async slots(locationId: string, from: Date, to: Date, now: Date = new Date()): Promise<FederalSlot[]> {
    const rows: { slot_id: string; location_id: string; organisation_oid: string; local_slot_id: string | null; starts_at: Date; ends_at: Date; room: string | null; status: string }[] =
      await this.dataSource.query(
        `SELECT s.slot_id, s.location_id, s.organisation_oid, s.local_slot_id, s.starts_at, s.ends_at, s.room, s.status
         FROM fer_slot s JOIN fer_location l ON l.location_id = s.location_id LEFT JOIN fer_organisation o ON o.organisation_oid = l.organisation_oid
         WHERE s.location_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 AND ${exportedSlotSql('$4::timestamptz')}
         ORDER BY s.starts_at, s.slot_id`,
        [locationId, from, to, now],
      );
    return rows.map((row) => ({
      slotId: row.slot_id,
      locationId: row.location_id,
      organisationOid: row.organisation_oid,
      localSlotId: row.local_slot_id,
      startsAt: row.starts_at,
      endsAt: row.ends_at,
      room: row.room,
      status: row.status === 'FREE' ? 'FREE' : 'BUSY',
    }));
  }
}
