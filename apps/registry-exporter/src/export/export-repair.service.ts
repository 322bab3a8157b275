import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { returnedRows } from './export-tables.service';
import type { LocationView, SlotView } from './federal-view.query';

/** An object's export state as reconciliation compares it with what the federal side holds. */
export interface ExportedState<V> {
  readonly id: string;
  /** The federal view (null: the federal side must not hold it). */
  readonly view: V | null;
  readonly version: number | null;
  /** Something is on its way to the federal side: reconciliation leaves it to the worker. */
  readonly pending: boolean;
  /** A slot's start (epoch ms); null for a location or a slot never seen with times. */
  readonly startsAt: number | null;
}

export type ReconciledObject = 'LOCATION' | 'SLOT';

/** What the federal side holds that we do not know, to be removed there through the worker. */
export interface UnknownHeld {
  readonly id: string;
  readonly version: number;
  /** A slot's location. */
  readonly locationId?: string;
  readonly startsAt?: number;
}

const tables = {
  LOCATION: { table: 'fer_location', key: 'location_id' },
  SLOT: { table: 'fer_slot', key: 'slot_id' },
} as const satisfies Record<ReconciledObject, { table: string; key: string }>;

// Each repair re-checks that the object is still as compared (nothing pending, view as it was): the
// worker may have moved it meanwhile, and then it is the worker's.
const repairMissing = (table: string, key: string) => `UPDATE ${table} SET federal_version = NULL, rejected_version = NULL, change_seq = nextval('fer_change_seq')
  WHERE ${key} = ANY($1::text[]) AND fer_view IS NOT NULL AND pending_op IS NULL RETURNING ${key}`;

// A Version above the held one, so the federal side takes the resend as newer, not as UNCHANGED.
const repairStale = (table: string, key: string) => `UPDATE ${table} t SET federal_version = x.held, rejected_version = NULL,
    export_version = greatest(nextval('fer_export_version'), x.held + 1), change_seq = nextval('fer_change_seq')
  FROM json_to_recordset($1::json) AS x(id text, held bigint)
  WHERE t.${key} = x.id AND t.fer_view IS NOT NULL AND t.pending_op IS NULL RETURNING t.${key}`;

const repairOrphans = (table: string, key: string) => `UPDATE ${table} t SET federal_version = x.held, change_seq = nextval('fer_change_seq')
  FROM json_to_recordset($1::json) AS x(id text, held bigint)
  WHERE t.${key} = x.id AND t.fer_view IS NULL AND t.pending_op IS NULL RETURNING t.${key}`;

// Placeholders for what only the federal side knows: a tombstone older than any MIS event (version -1), held there, so the worker removes it.
const placeLocations = `INSERT INTO fer_location AS t (location_id, organisation_oid, active, removed, source_version, occurred_at, dirty, federal_version, change_seq)
  SELECT x.id, $2, false, true, -1, $3, false, x.held, nextval('fer_change_seq') FROM json_to_recordset($1::json) AS x(id text, held bigint) ORDER BY 1
  ON CONFLICT (location_id) DO UPDATE SET federal_version = excluded.federal_version, change_seq = excluded.change_seq WHERE t.fer_view IS NULL AND t.pending_op IS NULL
  RETURNING t.location_id`;
const placeSlots = `INSERT INTO fer_slot AS t (slot_id, organisation_oid, location_id, starts_at, booking_channels, federal_portal, removed, source_version, occurred_at, dirty, federal_version, change_seq)
  SELECT x.id, $2, x.location_id, x.starts_at, '{}', false, true, -1, $3, false, x.held, nextval('fer_change_seq')
  FROM json_to_recordset($1::json) AS x(id text, held bigint, location_id text, starts_at timestamptz) ORDER BY 1
  ON CONFLICT (slot_id) DO UPDATE SET federal_version = excluded.federal_version, change_seq = excluded.change_seq WHERE t.fer_view IS NULL AND t.pending_op IS NULL
  RETURNING t.slot_id`;

/**
 * Reconciliation's access to the export state (the export module owns the fer_* tables): what an
 * organisation's objects are to be at the federal side, and the repairs that put drift back on the
 * worker's path.
 */
@Injectable()
export class ExportRepairService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every organisation the exporter has heard of, including those whose objects the federal side may hold. */
  async organisations(): Promise<string[]> {
    const rows: { organisation_oid: string }[] = await this.dataSource.query(
      `SELECT organisation_oid FROM fer_organisation UNION SELECT DISTINCT organisation_oid FROM fer_location ORDER BY 1`,
    );
    return rows.map((row) => row.organisation_oid);
  }

  async locationsOf(organisationOid: string): Promise<ExportedState<LocationView>[]> {
    const rows: { location_id: string; fer_view: LocationView | null; export_version: string | null; pending_op: string | null }[] = await this.dataSource.query(
      `SELECT location_id, fer_view, export_version, pending_op FROM fer_location WHERE organisation_oid = $1`,
      [organisationOid],
    );
    return rows.map((row) => ({ id: row.location_id, view: row.fer_view, version: numberOf(row.export_version), pending: row.pending_op !== null, startsAt: null }));
  }

  async slotsOf(organisationOid: string): Promise<ExportedState<SlotView>[]> {
    const rows: { slot_id: string; fer_view: SlotView | null; export_version: string | null; pending_op: string | null; starts_at: Date | null }[] = await this.dataSource.query(
      `SELECT slot_id, fer_view, export_version, pending_op, starts_at FROM fer_slot WHERE organisation_oid = $1`,
      [organisationOid],
    );
    return rows.map((row) => ({
      id: row.slot_id,
      view: row.fer_view,
      version: numberOf(row.export_version),
      pending: row.pending_op !== null,
      startsAt: row.starts_at === null ? null : row.starts_at.getTime(),
    }));
  }

  /** Exportable, taken as exported, absent there: sent again. Returns how many were put back on the worker's path. */
  async resendMissing(object: ReconciledObject, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { table, key } = tables[object];
    return (await returnedRows(this.dataSource, repairMissing(table, key), [ids])).length;
  }

  /** Held there with another version or content: sent again with a Version above the held one. */
  async resendStale(object: ReconciledObject, held: readonly { id: string; version: number }[]): Promise<number> {
    if (held.length === 0) return 0;
    const { table, key } = tables[object];
    // Versions drawn after this stay above what the federal side holds, for these objects and every other.
    await this.dataSource.query(`SELECT setval('fer_export_version', $1) WHERE $1 > (SELECT last_value FROM fer_export_version)`, [Math.max(...held.map((h) => h.version))]);
    return (await returnedRows(this.dataSource, repairStale(table, key), [JSON.stringify(held.map((h) => ({ id: h.id, held: h.version })))])).length;
  }

  /** Held there but not exportable (known here) or unknown here: removed there by the worker. */
  async removeOrphans(object: ReconciledObject, organisationOid: string, known: readonly { id: string; version: number }[], unknown: readonly UnknownHeld[], now: Date): Promise<number> {
    const { table, key } = tables[object];
    let repaired = 0;
    if (known.length > 0) repaired += (await returnedRows(this.dataSource, repairOrphans(table, key), [JSON.stringify(known.map((h) => ({ id: h.id, held: h.version })))])).length;
    if (unknown.length > 0) {
      const rows = unknown.map((h) => ({ id: h.id, held: h.version, location_id: h.locationId ?? null, starts_at: h.startsAt === undefined ? null : new Date(h.startsAt) }));
      repaired += (await returnedRows(this.dataSource, object === 'LOCATION' ? placeLocations : placeSlots, [JSON.stringify(rows), organisationOid, now])).length;
    }
    return repaired;
  }
}

const numberOf = (value: string | null): number | null => (value === null ? null : Number(value));
