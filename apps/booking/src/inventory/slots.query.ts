import { Inject, Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { AppConfig } from '@medbus/config';
import { BookingChannel, SlotStatus } from '@medbus/contracts';
import type { BookingConfig } from '../booking.config';
import { Clock } from './clock.service';
import { freeSlotSql, shownStatusSql } from './free-slot.query';
import { Freshness, freshnessOf, heartbeatFactsOf, heartbeatSelect, type HeartbeatColumns } from './freshness.mapper';
import { InvalidCursorError, InvalidQueryError } from './inventory.errors';
import { queryPrepared } from './prepared-statement.client';

// ---- query parameters -------------------------------------------------------------------------

const id = () => z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const instant = () =>
  z
    .string()
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-03-02T08:00:00+03:00' })
    .transform((value) => new Date(value));

/** Filters every inventory endpoint shares: where, what, when and through which channel. */
export const inventoryFilters = {
  district: id().optional(),
  organisation: id().optional(),
  specialty: id().optional(),
  position: id().optional(),
  from: instant().optional(),
  to: instant().optional(),
  channel: z.enum(Object.values(BookingChannel) as [BookingChannel, ...BookingChannel[]]).optional(),
};

export const slotSearchParams = z
  .object({
    ...inventoryFilters,
    practitioner: id().optional(),
    freeOnly: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
    limit: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 200, 'must be between 1 and 200')
      .default('50'),
    cursor: z.string().max(1_000).optional(),
  })
  .strict();

export type SlotSearchParams = z.output<typeof slotSearchParams>;

/** Parses query parameters or throws InvalidQueryError naming every problem. */
export function parseQuery<S extends z.ZodTypeAny>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success) throw new InvalidQueryError([...new Set(result.error.issues.map(describeIssue))]);
  const parsed: z.output<S> = result.data;
  const window = parsed as { from?: Date; to?: Date };
  if (window.from && window.to && window.from >= window.to) throw new InvalidQueryError(['from must be before to']);
  return parsed;
}

function describeIssue(issue: z.ZodIssue): string {
  if (issue.code === z.ZodIssueCode.unrecognized_keys) return `unknown parameter ${issue.keys.join(', ')}`;
  const name = issue.path.join('.');
  if (issue.code === z.ZodIssueCode.invalid_type) return `${name} must be given once, as text`;
  if (issue.code === z.ZodIssueCode.invalid_enum_value) return `${name} must be one of ${issue.options.join(', ')}`;
  return `${name} ${issue.message}`;
}

// ---- keyset cursor ----------------------------------------------------------------------------

export interface SlotCursor {
  readonly startsAt: Date;
  readonly slotId: string;
}

/** Opaque to clients: the (starts_at, slot_id) of the last slot of a page. */
export function encodeCursor(cursor: SlotCursor): string {
  return Buffer.from(JSON.stringify([cursor.startsAt.getTime(), cursor.slotId])).toString('base64url');
}

const maxCursorMillis = Date.UTC(9999, 11, 31);

export function decodeCursor(text: string): SlotCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidCursorError({ cause });
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw new InvalidCursorError();
  const [millis, slotId]: unknown[] = decoded;
  // Years 1970-9999: a Date and a PostgreSQL timestamptz both hold them.
  if (typeof millis !== 'number' || !Number.isSafeInteger(millis) || millis < 0 || millis > maxCursorMillis) throw new InvalidCursorError();
  if (typeof slotId !== 'string' || slotId === '' || slotId.length > 300 || slotId.includes('\u0000')) throw new InvalidCursorError();
  return { startsAt: new Date(millis), slotId };
}

// ---- SQL --------------------------------------------------------------------------------------

export interface SqlQuery {
  readonly text: string;
  readonly values: unknown[];
}

/**
 * One index range per search: the most selective equality filter picks a partial index on
 * (filter, starts_at, slot_id), and the keyset condition continues it where the last page ended.
 * The page is cut from inventory_slot alone, before any join: a join under the LIMIT made the scan
 * read on past every slot whose organisation or practitioner row was missing.
 * Names are joined to the page afterwards, and a missing one is null rather than a lost slot.
 */
export function slotSearchSql(params: SlotSearchParams, now: Date): SqlQuery {
  const values: unknown[] = [];
  const bind = (value: unknown): string => `$${values.push(value)}`;
  const at = bind(now);
  const where = [params.freeOnly ? freeSlotSql('s', at) : 's.offered'];
  if (params.organisation !== undefined) where.push(`s.organisation_oid = ${bind(params.organisation)}`);
  if (params.practitioner !== undefined) where.push(`s.resource_id = ${bind(params.practitioner)}`);
  if (params.district !== undefined) where.push(`s.district_id = ${bind(params.district)}`);
  if (params.specialty !== undefined) where.push(`s.specialty_nsi_code = ${bind(params.specialty)}`);
  if (params.position !== undefined) where.push(`s.position_nsi_code = ${bind(params.position)}`);
  if (params.channel !== undefined) where.push(`s.booking_channels @> ARRAY[${bind(params.channel)}]::text[]`);
  where.push(`s.starts_at >= ${bind(params.from ?? now)}`);
  if (params.to !== undefined) where.push(`s.starts_at < ${bind(params.to)}`);
  if (params.cursor !== undefined) {
    const cursor = decodeCursor(params.cursor);
    where.push(`(s.starts_at, s.slot_id) > (${bind(cursor.startsAt)}::timestamptz, ${bind(cursor.slotId)}::text)`);
  }
  const text = `SELECT s.slot_id, s.organisation_oid, o.short_name AS organisation_name, s.district_id, s.resource_id,
      p.display_name AS practitioner_name, p.specialty_nsi_code, p.specialty_name, p.position_nsi_code, p.position_name,
      s.starts_at, s.ends_at, ${shownStatusSql('s', at)} AS status, s.booking_channels, coalesce(s.room, p.room) AS room, ${heartbeatSelect}
    FROM (
      SELECT s.slot_id, s.organisation_oid, s.district_id, s.resource_id, s.starts_at, s.ends_at, s.status, s.held_until, s.booking_channels, s.room
      FROM inventory_slot s
      WHERE ${where.join(' AND ')}
      ORDER BY s.starts_at, s.slot_id
      LIMIT ${bind(params.limit + 1)}
    ) s
    LEFT JOIN inventory_organisation o ON o.organisation_oid = s.organisation_oid
    LEFT JOIN inventory_practitioner p ON p.resource_id = s.resource_id
    LEFT JOIN inventory_organisation_heartbeat h ON h.organisation_oid = s.organisation_oid
    ORDER BY s.starts_at, s.slot_id`;
  return { text, values };
}

interface SlotSearchRow extends HeartbeatColumns {
  readonly slot_id: string;
  readonly organisation_oid: string;
  readonly organisation_name: string | null;
  readonly district_id: string | null;
  readonly resource_id: string;
  readonly practitioner_name: string | null;
  readonly specialty_nsi_code: string | null;
  readonly specialty_name: string | null;
  readonly position_nsi_code: string | null;
  readonly position_name: string | null;
  readonly starts_at: Date;
  readonly ends_at: Date;
  readonly status: SlotStatus;
  readonly booking_channels: BookingChannel[];
  readonly room: string | null;
}

// ---- results ----------------------------------------------------------------------------------

export class Coding {
  @ApiProperty({ type: String, nullable: true, description: 'Code in the national NSI dictionary; null when the MIS code is not mapped yet.' })
  nsiCode!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Name as the MIS displays it.' })
  name!: string | null;
}

export class SlotView {
  @ApiProperty({ type: String, example: '1.2.643.5.1.13.13.12.2.23.1:100234' })
  slotId!: string;

  @ApiProperty({ type: String })
  organisationOid!: string;

  @ApiProperty({ type: String, nullable: true })
  organisationName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  districtId!: string | null;

  @ApiProperty({ type: String, description: 'Resource id, `<organisationOid>:<localResourceId>`.' })
  practitionerId!: string;

  @ApiProperty({ type: String, nullable: true })
  practitionerName!: string | null;

  @ApiProperty({ type: Coding })
  specialty!: Coding;

  @ApiProperty({ type: Coding })
  position!: Coding;

  @ApiProperty({ type: String, format: 'date-time' })
  startsAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  endsAt!: string;

  @ApiProperty({ enum: Object.values(SlotStatus), type: String })
  status!: SlotStatus;

  @ApiProperty({ enum: Object.values(BookingChannel), type: String, isArray: true })
  bookingChannels!: BookingChannel[];

  @ApiProperty({ type: String, nullable: true })
  room!: string | null;

  @ApiProperty({ type: Freshness, description: "Freshness of the organisation's data." })
  freshness!: Freshness;
}

export class SlotPage {
  @ApiProperty({ type: SlotView, isArray: true })
  items!: SlotView[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

@Injectable()
export class SlotsQuery {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AppConfig) private readonly config: BookingConfig,
  ) {}

  async search(params: SlotSearchParams): Promise<SlotPage> {
    const now = this.clock.now();
    const { text, values } = slotSearchSql(params, now);
    const rows = await queryPrepared<SlotSearchRow>(this.dataSource, text, values);
    const page = rows.slice(0, params.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => this.viewOf(row, now)),
      nextCursor: rows.length > params.limit && last ? encodeCursor({ startsAt: last.starts_at, slotId: last.slot_id }) : null,
    };
  }

  private viewOf(row: SlotSearchRow, now: Date): SlotView {
    return {
      slotId: row.slot_id,
      organisationOid: row.organisation_oid,
      organisationName: row.organisation_name,
      districtId: row.district_id,
      practitionerId: row.resource_id,
      practitionerName: row.practitioner_name,
      specialty: { nsiCode: row.specialty_nsi_code, name: row.specialty_name },
      position: { nsiCode: row.position_nsi_code, name: row.position_name },
      startsAt: row.starts_at.toISOString(),
      endsAt: row.ends_at.toISOString(),
      status: row.status,
      bookingChannels: row.booking_channels,
      room: row.room,
      freshness: freshnessOf(heartbeatFactsOf(row), now, this.config.BOOKING_STALE_AFTER_HEARTBEATS),
    };
  }
}
