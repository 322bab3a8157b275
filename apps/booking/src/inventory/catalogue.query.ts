import { Inject, Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { AppConfig } from '@medbus/config';
import type { BookingConfig } from '../booking.config';
import { Clock } from './clock.service';
import { freeSlotSql } from './free-slot.query';
import { Freshness, freshnessOf, heartbeatFactsOf, heartbeatSelect, type HeartbeatColumns } from './freshness.mapper';
import { InvalidQueryError } from './inventory.errors';
import { queryPrepared } from './prepared-statement.client';
import { Coding, inventoryFilters, type SqlQuery } from './slots.query';

export const organisationListParams = z
  .object({ district: inventoryFilters.district, specialty: inventoryFilters.specialty, from: inventoryFilters.from, to: inventoryFilters.to, channel: inventoryFilters.channel })
  .strict();
export const specialtyListParams = z
  .object({ district: inventoryFilters.district, organisation: inventoryFilters.organisation, from: inventoryFilters.from, to: inventoryFilters.to, channel: inventoryFilters.channel })
  .strict();
export const practitionerListParams = z.object(inventoryFilters).strict();

export type OrganisationListParams = z.output<typeof organisationListParams>;
export type SpecialtyListParams = z.output<typeof specialtyListParams>;
export type PractitionerListParams = z.output<typeof practitionerListParams>;

/**
 * A list counts at most this many free slots per row, then says "more": a region-wide list counting
 * every free slot read 1.2 M index entries per request at 2 M slots (3.8 s), while the first few
 * dozen, read in start order, also give the nearest one.
 */
export const freeSlotsCountCap = 50;

interface CountFilters {
  readonly from?: Date;
  readonly to?: Date;
  readonly channel?: string;
  readonly specialty?: string;
  readonly district?: string;
  readonly organisation?: string;
}

/**
 * The first free slots of one organisation, resource or specialty, in start order, up to one past
 * the cap: one bounded range of the matching partial index (index-only when the table is vacuumed,
 * as the index carries held_until), whatever the size of the region.
 */
function freeSlotsLateral(
  by: 'organisation_oid' | 'resource_id' | 'specialty_nsi_code',
  outer: string,
  filters: CountFilters,
  bind: (value: unknown) => string,
  now: Date,
): string {
  const where = [`s.${by} = ${outer}`, freeSlotSql('s', bind(now)), `s.starts_at >= ${bind(filters.from ?? now)}`];
  if (filters.to !== undefined) where.push(`s.starts_at < ${bind(filters.to)}`);
  if (filters.channel !== undefined) where.push(`s.booking_channels @> ARRAY[${bind(filters.channel)}]::text[]`);
  if (filters.specialty !== undefined) where.push(`s.specialty_nsi_code = ${bind(filters.specialty)}`);
  if (filters.district !== undefined) where.push(`s.district_id = ${bind(filters.district)}`);
  if (filters.organisation !== undefined) where.push(`s.organisation_oid = ${bind(filters.organisation)}`);
  return `LEFT JOIN LATERAL (
      SELECT count(*)::int AS free_slots, min(f.starts_at) AS nearest_free_at
      FROM (SELECT s.starts_at FROM inventory_slot s WHERE ${where.join(' AND ')} ORDER BY s.starts_at LIMIT ${freeSlotsCountCap + 1}) f
    ) c ON true`;
}

function binder(values: unknown[]): (value: unknown) => string {
  return (value) => `$${values.push(value)}`;
}

export function organisationListSql(params: OrganisationListParams, now: Date): SqlQuery {
  const values: unknown[] = [];
  const bind = binder(values);
  const lateral = freeSlotsLateral('organisation_oid', 'o.organisation_oid', { from: params.from, to: params.to, channel: params.channel, specialty: params.specialty }, bind, now);
  const where = ['o.active', 'NOT o.removed'];
  if (params.district !== undefined) where.push(`o.district_id = ${bind(params.district)}`);
  if (params.specialty !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM inventory_practitioner p
      WHERE p.organisation_oid = o.organisation_oid AND p.specialty_nsi_code = ${bind(params.specialty)} AND p.active AND NOT p.removed)`);
  }
  const text = `SELECT o.organisation_oid, o.short_name, o.full_name, o.district_id, o.district_name, o.address, o.time_zone, o.mis_vendor,
      c.free_slots, c.nearest_free_at, ${heartbeatSelect}
    FROM inventory_organisation o
    ${lateral}
    LEFT JOIN inventory_organisation_heartbeat h ON h.organisation_oid = o.organisation_oid
    WHERE ${where.join(' AND ')}
    ORDER BY o.short_name, o.organisation_oid`;
  return { text, values };
}

/** Specialties counted over their slots (which carry the district and organisation), not summed over practitioners. */
export function specialtyListSql(params: SpecialtyListParams, now: Date): SqlQuery {
  const values: unknown[] = [];
  const bind = binder(values);
  const where = ['p.active', 'NOT p.removed', 'p.specialty_nsi_code IS NOT NULL', 'o.active', 'NOT o.removed'];
  if (params.organisation !== undefined) where.push(`p.organisation_oid = ${bind(params.organisation)}`);
  if (params.district !== undefined) where.push(`o.district_id = ${bind(params.district)}`);
  const lateral = freeSlotsLateral('specialty_nsi_code', 'sp.nsi_code', { from: params.from, to: params.to, channel: params.channel, district: params.district, organisation: params.organisation }, bind, now);
  const text = `SELECT sp.nsi_code, sp.name, sp.practitioners, c.free_slots, c.nearest_free_at
    FROM (
      SELECT p.specialty_nsi_code AS nsi_code, min(p.specialty_name) AS name, count(*)::int AS practitioners
      FROM inventory_practitioner p
      JOIN inventory_organisation o ON o.organisation_oid = p.organisation_oid
      WHERE ${where.join(' AND ')}
      GROUP BY p.specialty_nsi_code
    ) sp
    ${lateral}
    ORDER BY sp.name, sp.nsi_code`;
  return { text, values };
}

export function practitionerListSql(params: PractitionerListParams, now: Date): SqlQuery {
  if (params.organisation === undefined && params.specialty === undefined) {
    throw new InvalidQueryError(['organisation or specialty is required']);
  }
  const values: unknown[] = [];
  const bind = binder(values);
  const lateral = freeSlotsLateral('resource_id', 'p.resource_id', { from: params.from, to: params.to, channel: params.channel }, bind, now);
  const where = ['p.active', 'NOT p.removed', 'o.active', 'NOT o.removed'];
  if (params.organisation !== undefined) where.push(`p.organisation_oid = ${bind(params.organisation)}`);
  if (params.specialty !== undefined) where.push(`p.specialty_nsi_code = ${bind(params.specialty)}`);
  if (params.position !== undefined) where.push(`p.position_nsi_code = ${bind(params.position)}`);
  if (params.district !== undefined) where.push(`o.district_id = ${bind(params.district)}`);
  const text = `SELECT p.resource_id, p.display_name, p.organisation_oid, o.short_name AS organisation_name, o.time_zone,
      p.specialty_nsi_code, p.specialty_name, p.position_nsi_code, p.position_name, p.department_name, p.room,
      c.free_slots, c.nearest_free_at, ${heartbeatSelect}
    FROM inventory_practitioner p
    JOIN inventory_organisation o ON o.organisation_oid = p.organisation_oid
    ${lateral}
    LEFT JOIN inventory_organisation_heartbeat h ON h.organisation_oid = p.organisation_oid
    WHERE ${where.join(' AND ')}
    ORDER BY p.display_name, p.resource_id`;
  return { text, values };
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * One formatter per time zone, kept: building an Intl.DateTimeFormat takes about 0.2 ms, using one a
 * few µs, and a region's organisation list formats 300 dates (52 ms with one formatter each).
 */
function dateFormatOf(timeZone: string): Intl.DateTimeFormat {
  let format = dateFormats.get(timeZone);
  if (format === undefined) {
    const options = { year: 'numeric', month: '2-digit', day: '2-digit' } as const;
    try {
      format = new Intl.DateTimeFormat('en-CA', { ...options, timeZone });
    } catch {
      format = new Intl.DateTimeFormat('en-CA', { ...options, timeZone: 'UTC' });
    }
    dateFormats.set(timeZone, format);
  }
  return format;
}

/** The organisation's calendar date of an instant; UTC when the MIS sent a zone we do not know. */
export function localDateOf(instant: Date, timeZone: string | null): string {
  return dateFormatOf(timeZone ?? 'UTC').format(instant);
}

class FreeSlots {
  @ApiProperty({
    type: Number,
    description: `Free slots in the window (from now by default), for the channel when given, counted up to ${freeSlotsCountCap}: see moreFreeSlots.`,
  })
  freeSlots!: number;

  @ApiProperty({ type: Boolean, description: `There are more than ${freeSlotsCountCap} free slots; freeSlots stopped counting at ${freeSlotsCountCap}.` })
  moreFreeSlots!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nearestFreeAt!: string | null;
}

export class OrganisationView extends FreeSlots {
  @ApiProperty({ type: String })
  organisationOid!: string;

  @ApiProperty({ type: String, nullable: true })
  shortName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  fullName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  districtId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  districtName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  address!: string | null;

  @ApiProperty({ type: String, nullable: true })
  timeZone!: string | null;

  @ApiProperty({ type: String, nullable: true })
  misVendor!: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true, description: "Nearest free slot's date in the organisation's time zone." })
  nearestFreeDate!: string | null;

  @ApiProperty({ type: Freshness })
  freshness!: Freshness;
}

export class SpecialtyView extends FreeSlots {
  @ApiProperty({ type: String, description: 'NSI 1.2.643.5.1.13.13.11.1066 code.' })
  nsiCode!: string;

  @ApiProperty({ type: String, nullable: true })
  name!: string | null;

  @ApiProperty({ type: Number })
  practitioners!: number;
}

export class PractitionerView extends FreeSlots {
  @ApiProperty({ type: String })
  practitionerId!: string;

  @ApiProperty({ type: String, nullable: true })
  displayName!: string | null;

  @ApiProperty({ type: String })
  organisationOid!: string;

  @ApiProperty({ type: String, nullable: true })
  organisationName!: string | null;

  @ApiProperty({ type: Coding })
  specialty!: Coding;

  @ApiProperty({ type: Coding })
  position!: Coding;

  @ApiProperty({ type: String, nullable: true })
  departmentName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  room!: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  nearestFreeDate!: string | null;

  @ApiProperty({ type: Freshness })
  freshness!: Freshness;
}

export class OrganisationList {
  @ApiProperty({ type: OrganisationView, isArray: true })
  items!: OrganisationView[];
}

export class SpecialtyList {
  @ApiProperty({ type: SpecialtyView, isArray: true })
  items!: SpecialtyView[];
}

export class PractitionerList {
  @ApiProperty({ type: PractitionerView, isArray: true })
  items!: PractitionerView[];
}

interface Counted {
  readonly free_slots: number | null;
  readonly nearest_free_at: Date | null;
}

interface OrganisationRow extends Counted, HeartbeatColumns {
  readonly organisation_oid: string;
  readonly short_name: string | null;
  readonly full_name: string | null;
  readonly district_id: string | null;
  readonly district_name: string | null;
  readonly address: string | null;
  readonly time_zone: string | null;
  readonly mis_vendor: string | null;
}

interface SpecialtyRow extends Counted {
  readonly nsi_code: string;
  readonly name: string | null;
  readonly practitioners: number;
}

interface PractitionerRow extends Counted, HeartbeatColumns {
  readonly resource_id: string;
  readonly display_name: string | null;
  readonly organisation_oid: string;
  readonly organisation_name: string | null;
  readonly time_zone: string | null;
  readonly specialty_nsi_code: string | null;
  readonly specialty_name: string | null;
  readonly position_nsi_code: string | null;
  readonly position_name: string | null;
  readonly department_name: string | null;
  readonly room: string | null;
}

/** The lists an operator narrows a search with, each with free-slot counts and the nearest free slot. */
@Injectable()
export class CatalogueQuery {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AppConfig) private readonly config: BookingConfig,
  ) {}

  async organisations(params: OrganisationListParams): Promise<OrganisationList> {
    const now = this.clock.now();
    const { text, values } = organisationListSql(params, now);
    const rows = await queryPrepared<OrganisationRow>(this.dataSource, text, values);
    return {
      items: rows.map((row) => ({
        organisationOid: row.organisation_oid,
        shortName: row.short_name,
        fullName: row.full_name,
        districtId: row.district_id,
        districtName: row.district_name,
        address: row.address,
        timeZone: row.time_zone,
        misVendor: row.mis_vendor,
        ...freeSlotsOf(row),
        nearestFreeDate: row.nearest_free_at && localDateOf(row.nearest_free_at, row.time_zone),
        freshness: freshnessOf(heartbeatFactsOf(row), now, this.config.BOOKING_STALE_AFTER_HEARTBEATS),
      })),
    };
  }

  async specialties(params: SpecialtyListParams): Promise<SpecialtyList> {
    const { text, values } = specialtyListSql(params, this.clock.now());
    const rows = await queryPrepared<SpecialtyRow>(this.dataSource, text, values);
    return { items: rows.map((row) => ({ nsiCode: row.nsi_code, name: row.name, practitioners: row.practitioners, ...freeSlotsOf(row) })) };
  }

  async practitioners(params: PractitionerListParams): Promise<PractitionerList> {
    const now = this.clock.now();
    const { text, values } = practitionerListSql(params, now);
    const rows = await queryPrepared<PractitionerRow>(this.dataSource, text, values);
    return {
      items: rows.map((row) => ({
        practitionerId: row.resource_id,
        displayName: row.display_name,
        organisationOid: row.organisation_oid,
        organisationName: row.organisation_name,
        specialty: { nsiCode: row.specialty_nsi_code, name: row.specialty_name },
        position: { nsiCode: row.position_nsi_code, name: row.position_name },
        departmentName: row.department_name,
        room: row.room,
        ...freeSlotsOf(row),
        nearestFreeDate: row.nearest_free_at && localDateOf(row.nearest_free_at, row.time_zone),
        freshness: freshnessOf(heartbeatFactsOf(row), now, this.config.BOOKING_STALE_AFTER_HEARTBEATS),
      })),
    };
  }
}

function freeSlotsOf(row: Counted): { freeSlots: number; moreFreeSlots: boolean; nearestFreeAt: string | null } {
  const counted = row.free_slots ?? 0;
  return { freeSlots: Math.min(counted, freeSlotsCountCap), moreFreeSlots: counted > freeSlotsCountCap, nearestFreeAt: row.nearest_free_at?.toISOString() ?? null };
}
