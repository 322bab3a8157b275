import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../inventory/clock.service';
import { freeSlotSql } from '../inventory/free-slot.query';

export interface DistrictRow {
  readonly id_district: number;
  readonly district_name: string | null;
}

export interface ClinicRow {
  readonly id_lpu: number;
  readonly organisation_oid: string;
  readonly full_name: string | null;
  readonly short_name: string | null;
  readonly address: string | null;
  readonly active: boolean;
  readonly id_district: number | null;
}

/** An organisation as the booking operations need it. */
export interface OrganisationRow {
  readonly id_lpu: number;
  readonly organisation_oid: string;
  readonly time_zone: string | null;
  readonly address: string | null;
}

interface FreeCounts {
  readonly free_slots: number | null;
  readonly nearest_free_at: Date | null;
  readonly last_free_at: Date | null;
}

export interface SpecialtyRow extends FreeCounts {
  /** IdSpesiality: the NSI code, or the MIS's code when the specialty is not mapped to NSI. */
  readonly specialty_key: string;
  readonly nsi_code: string | null;
  readonly name: string | null;
}

export interface DoctorRow extends FreeCounts {
  readonly resource_id: string;
  readonly display_name: string | null;
  readonly position_name: string | null;
}

export interface FreeSlotRow {
  readonly slot_id: string;
  readonly starts_at: Date;
  readonly ends_at: Date | null;
  readonly room: string | null;
  readonly source_version: string | number;
}

export interface ScheduleSlotRow {
  readonly starts_at: Date;
  readonly ends_at: Date | null;
  /** Bookable by this channel now. */
  readonly bookable: boolean;
}

export interface PractitionerRow {
  readonly resource_id: string;
  readonly display_name: string | null;
  readonly position_name: string | null;
  readonly specialty_key: string | null;
  readonly specialty_nsi_code: string | null;
  readonly specialty_name: string | null;
}

/** Most free slots one GetAvaibleAppointments answers (a doctor's 3 weeks hold a few hundred). */
export const maxSlotsPerAnswer = 2_000;

const specialtyKey = 'coalesce(p.specialty_nsi_code, p.specialty_mis_code)';

function freeLateral(resource: string, now: string, channel: string): string {
  return `LEFT JOIN LATERAL (
      SELECT count(*)::int AS free_slots, min(s.starts_at) AS nearest_free_at, max(s.starts_at) AS last_free_at
      FROM inventory_slot s
      WHERE s.resource_id = ${resource} AND ${freeSlotSql('s', now)} AND s.starts_at >= ${now}
        AND s.booking_channels @> ARRAY[${channel}]::text[]
    ) c ON true`;
}

/** The inventory read the HubService way, and the int ids HubService needs (hub-facade-tables.migration.ts). */
@Injectable()
export class HubFacadeQuery {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Hands out ids to organisations and districts seen for the first time, in a stable order. */
  async assignIds(): Promise<void> {
    await this.dataSource.query(`
      INSERT INTO hub_facade_lpu (organisation_oid)
      SELECT o.organisation_oid FROM inventory_organisation o
      WHERE NOT EXISTS (SELECT 1 FROM hub_facade_lpu l WHERE l.organisation_oid = o.organisation_oid)
      ORDER BY o.organisation_oid
      ON CONFLICT DO NOTHING`);
    await this.dataSource.query(`
      INSERT INTO hub_facade_district (id_district, district_id)
      SELECT CASE WHEN d.district_id ~ '^(0|[1-9][0-9]{0,8})$' THEN d.district_id::int ELSE nextval('hub_facade_district_seq')::int END, d.district_id
      FROM (
        SELECT DISTINCT o.district_id FROM inventory_organisation o
        WHERE o.district_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM hub_facade_district h WHERE h.district_id = o.district_id)
        ORDER BY o.district_id
      ) d
      ON CONFLICT DO NOTHING`);
  }

  async districts(): Promise<DistrictRow[]> {
    return this.dataSource.query(`
      SELECT h.id_district, min(o.district_name) AS district_name
      FROM inventory_organisation o JOIN hub_facade_district h ON h.district_id = o.district_id
      WHERE o.active AND NOT o.removed
      GROUP BY h.id_district
      ORDER BY district_name, h.id_district`);
  }

  async clinics(idDistrict: number | undefined): Promise<ClinicRow[]> {
    const values: unknown[] = [];
    const where = ['NOT o.removed'];
    if (idDistrict !== undefined) where.push(`h.id_district = $${values.push(idDistrict)}`);
    return this.dataSource.query(
      `SELECT l.id_lpu, o.organisation_oid, o.full_name, o.short_name, o.address, o.active, h.id_district
       FROM inventory_organisation o
       JOIN hub_facade_lpu l ON l.organisation_oid = o.organisation_oid
       LEFT JOIN hub_facade_district h ON h.district_id = o.district_id
       WHERE ${where.join(' AND ')}
       ORDER BY o.short_name, l.id_lpu`,
      values,
    );
  }

  async organisation(idLpu: number): Promise<OrganisationRow | undefined> {
    const rows: OrganisationRow[] = await this.dataSource.query(
      `SELECT l.id_lpu, o.organisation_oid, o.time_zone, o.address
       FROM hub_facade_lpu l JOIN inventory_organisation o ON o.organisation_oid = l.organisation_oid
       WHERE l.id_lpu = $1 AND NOT o.removed`,
      [idLpu],
    );
    return rows[0];
  }

  async specialties(organisationOid: string, channel: string, now: Date): Promise<SpecialtyRow[]> {
    return this.dataSource.query(
      `SELECT ${specialtyKey} AS specialty_key, min(p.specialty_nsi_code) AS nsi_code, min(p.specialty_name) AS name,
         sum(c.free_slots)::int AS free_slots, min(c.nearest_free_at) AS nearest_free_at, max(c.last_free_at) AS last_free_at
       FROM inventory_practitioner p
       ${freeLateral('p.resource_id', '$2', '$3')}
       WHERE p.organisation_oid = $1 AND p.active AND NOT p.removed AND ${specialtyKey} IS NOT NULL
       GROUP BY ${specialtyKey}
       ORDER BY name, specialty_key`,
      [organisationOid, now, channel],
    );
  }

  async doctors(organisationOid: string, specialty: string, channel: string, now: Date): Promise<DoctorRow[]> {
    return this.dataSource.query(
      `SELECT p.resource_id, p.display_name, p.position_name, c.free_slots, c.nearest_free_at, c.last_free_at
       FROM inventory_practitioner p
       ${freeLateral('p.resource_id', '$3', '$4')}
       WHERE p.organisation_oid = $1 AND p.active AND NOT p.removed AND ${specialtyKey} = $2
       ORDER BY p.display_name, p.resource_id`,
      [organisationOid, specialty, now, channel],
    );
  }

  /** Whether a resource of the organisation exists (IdDoc of another clinic does not). */
  async hasPractitioner(organisationOid: string, resourceId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM inventory_practitioner WHERE resource_id = $1 AND organisation_oid = $2 AND NOT removed`,
      [resourceId, organisationOid],
    );
    return rows.length > 0;
  }

  async freeSlots(resourceId: string, window: { from: Date; to?: Date }, channel: string): Promise<FreeSlotRow[]> {
    const values: unknown[] = [resourceId, window.from, channel, this.clock.now()];
    const to = window.to === undefined ? '' : `AND s.starts_at < $${values.push(window.to)}`;
    return this.dataSource.query(
      `SELECT s.slot_id, s.starts_at, s.ends_at, coalesce(s.room, p.room) AS room, s.source_version
       FROM inventory_slot s JOIN inventory_practitioner p ON p.resource_id = s.resource_id
       WHERE s.resource_id = $1 AND ${freeSlotSql('s', '$4')} AND s.starts_at >= $2 ${to}
         AND s.booking_channels @> ARRAY[$3]::text[]
       ORDER BY s.starts_at, s.slot_id
       LIMIT ${maxSlotsPerAnswer}`,
      values,
    );
  }

  /** Every slot of a resource in the window, free or not, for its working days. */
  async scheduleSlots(resourceId: string, window: { from: Date; to?: Date }, channel: string): Promise<ScheduleSlotRow[]> {
    const values: unknown[] = [resourceId, window.from, channel, this.clock.now()];
    const to = window.to === undefined ? '' : `AND s.starts_at < $${values.push(window.to)}`;
    return this.dataSource.query(
      `SELECT s.starts_at, s.ends_at, (${freeSlotSql('s', '$4')} AND s.booking_channels @> ARRAY[$3]::text[]) AS bookable
       FROM inventory_slot s
       WHERE s.resource_id = $1 AND NOT s.removed AND s.starts_at >= $2 ${to}
       ORDER BY s.starts_at
       LIMIT ${maxSlotsPerAnswer * 5}`,
      values,
    );
  }

  async practitioners(resourceIds: readonly string[]): Promise<PractitionerRow[]> {
    if (resourceIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT p.resource_id, p.display_name, p.position_name, ${specialtyKey} AS specialty_key, p.specialty_nsi_code, p.specialty_name
       FROM inventory_practitioner p WHERE p.resource_id = ANY($1::text[])`,
      [[...new Set(resourceIds)]],
    );
  }

  /** The practitioner a slot belongs to, for SetAppointment's `Type`. */
  async practitionerOfSlot(slotId: string): Promise<PractitionerRow | undefined> {
    const rows: PractitionerRow[] = await this.dataSource.query(
      `SELECT p.resource_id, p.display_name, p.position_name, ${specialtyKey} AS specialty_key, p.specialty_nsi_code, p.specialty_name
       FROM inventory_slot s JOIN inventory_practitioner p ON p.resource_id = s.resource_id WHERE s.slot_id = $1`,
      [slotId],
    );
    return rows[0];
  }
}
