import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { returnedRows } from './export-tables.service';
import { DataQualityCode, exportableLocationSql, exportedSlotSql, locationProblemsSql, locationViewSql, slotViewSql } from './federal-view.query';

/**
 * A changed view gets a new Version (from the sequence) and a new place in the order of change; an
 * unchanged one keeps both, so re-deriving is idempotent and a resend is UNCHANGED at the federal
 * side. A view that changes clears an earlier refusal (it is worth sending again).
 */
const versionedViewUpdate = (table: 'fer_location' | 'fer_slot', key: string, returning: string) => `UPDATE ${table} t SET
    dirty = false,
    fer_view = d.view,
    export_version = CASE WHEN d.view IS NOT NULL AND d.view IS DISTINCT FROM d.old_view THEN nextval('fer_export_version') ELSE t.export_version END,
    change_seq = CASE WHEN d.view IS DISTINCT FROM d.old_view THEN nextval('fer_change_seq') ELSE t.change_seq END,
    rejected_version = CASE WHEN d.view IS DISTINCT FROM d.old_view THEN NULL ELSE t.rejected_version END
  FROM derived d WHERE t.${key} = d.${key}
  RETURNING ${returning}`;

// Picked and locked by one statement, derived by the next: in READ COMMITTED the second statement's
// snapshot holds every batch that marked these rows before the lock (with what it changed, committed
// together); a batch marking them later waits for the lock and marks them dirty again. Rows a
// projection batch holds are skipped, not waited for: they stay dirty for the next pass.
const pickLocations = `SELECT location_id FROM fer_location WHERE dirty ORDER BY location_id LIMIT $1 FOR UPDATE SKIP LOCKED`;
const stageLocations = `WITH derived AS (
    SELECT l.location_id, l.fer_view AS old_view,
      CASE WHEN ${exportableLocationSql} THEN ${locationViewSql('$1::timestamptz')} END AS view,
      ${locationProblemsSql} AS problems
    FROM fer_location l
    LEFT JOIN fer_organisation o ON o.organisation_oid = l.organisation_oid
    WHERE l.location_id = ANY($2::text[])
  )
  ${versionedViewUpdate('fer_location', 'location_id', `t.location_id, t.organisation_oid, d.problems, (d.view IS NULL) <> (d.old_view IS NULL) AS flipped, d.view IS DISTINCT FROM d.old_view AS changed`)}`;

const pickSlots = `SELECT slot_id FROM fer_slot WHERE dirty ORDER BY slot_id LIMIT $1 FOR UPDATE SKIP LOCKED`;
// A visit that has begun is history: its view is frozen (the federal side's copy neither updated nor removed).
const stageSlots = `WITH derived AS (
    SELECT s.slot_id, s.fer_view AS old_view,
      CASE WHEN s.starts_at <= $1::timestamptz THEN s.fer_view WHEN ${exportedSlotSql('$1::timestamptz')} THEN ${slotViewSql} END AS view
    FROM fer_slot s
    LEFT JOIN fer_location l ON l.location_id = s.location_id
    LEFT JOIN fer_organisation o ON o.organisation_oid = l.organisation_oid
    WHERE s.slot_id = ANY($2::text[])
  )
  ${versionedViewUpdate('fer_slot', 'slot_id', `t.slot_id, d.view IS DISTINCT FROM d.old_view AS changed`)}`;

// A location that became exportable or stopped being so decides anew for its future slots. Dirty ones
// too: another pass (reconciliation's) may be deriving them from before this change.
const markSlotsOfLocations = `UPDATE fer_slot SET dirty = true WHERE slot_id IN (
  SELECT slot_id FROM fer_slot WHERE location_id = ANY($1::text[]) AND (starts_at > $2::timestamptz OR starts_at IS NULL) ORDER BY slot_id FOR UPDATE)`;

const markLocationsOfOrganisation = `UPDATE fer_location SET dirty = true WHERE location_id IN (
  SELECT location_id FROM fer_location WHERE organisation_oid = $1 ORDER BY location_id FOR UPDATE)`;

// The held-back reasons of the staged locations: codes fixed are cleared, new ones added; FEDERAL_REJECTED
// goes when the location changed (its refusal was of an older version).
const syncLocationProblems = `WITH x AS (
    SELECT * FROM json_to_recordset($1::json) AS x(object_id text, organisation_oid text, codes text[], changed boolean)
  ), cleared AS (
    DELETE FROM fer_data_quality_error e USING x
    WHERE e.object_id = x.object_id AND CASE WHEN e.code = '${DataQualityCode.federalRejected}' THEN x.changed ELSE NOT (e.code = ANY(x.codes)) END
  )
  INSERT INTO fer_data_quality_error AS e (organisation_oid, object_type, object_id, code, reason, first_seen_at, last_seen_at)
  SELECT x.organisation_oid, 'LOCATION', x.object_id, c, NULL, $2, $2 FROM x CROSS JOIN LATERAL unnest(x.codes) AS c
  ON CONFLICT (object_id, code) DO UPDATE SET organisation_oid = excluded.organisation_oid, last_seen_at = excluded.last_seen_at`;

const clearSlotRefusals = `DELETE FROM fer_data_quality_error WHERE object_id = ANY($1::text[]) AND code = '${DataQualityCode.federalRejected}'`;

// A location's Channels aggregate its future slots (about 330 each in the reference region): 5,000
// locations in one statement took 23 s at 2 M slots, past the statement timeout, every pass; 250 take about 1.4 s.
const locationBatchSize = 250;
const slotBatchSize = 5_000;

/**
 * How much one call derives at most (whole batches, so it may pass a limit by one): the export worker
 * sends between bounded stages, so a region's initial load is exported while it is still being consumed
 * instead of after every one of its 2 M slots was derived.
 */
export interface StageLimits {
  readonly maxLocations?: number;
  readonly maxSlots?: number;
}

export interface StageReport {
  readonly locations: number;
  readonly slots: number;
}

/**
 * Derives the federal view of what changed (rows marked dirty by the projection), at export time:
 * locations first (a slot needs its location's verdict), then slots, a bounded number per
 * statement, each in its own short transaction.
 */
@Injectable()
export class FederalViewService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async stage(now: Date, limits: StageLimits = {}): Promise<StageReport> {
    const maxLocations = limits.maxLocations ?? Number.POSITIVE_INFINITY;
    const maxSlots = limits.maxSlots ?? Number.POSITIVE_INFINITY;
    let locations = 0;
    let slots = 0;
    while (locations < maxLocations) {
      const staged = await this.stageLocations(now, locationBatchSize);
      locations += staged;
      if (staged < locationBatchSize) break;
    }
    while (slots < maxSlots) {
      const staged = await this.stageSlots(now, slotBatchSize);
      slots += staged;
      if (staged < slotBatchSize) break;
    }
    return { locations, slots };
  }

  /** Marks an organisation's locations to be derived again (reconciliation: Channels shrink as slots pass). */
  async restage(organisationOid: string): Promise<void> {
    await this.dataSource.query(markLocationsOfOrganisation, [organisationOid]);
  }

  private async stageLocations(now: Date, batchSize: number): Promise<number> {
    const staged = await this.dataSource.transaction(async (tx) => {
      const picked: { location_id: string }[] = await tx.query(pickLocations, [batchSize]);
      if (picked.length === 0) return [];
      const ids = picked.map((row) => row.location_id);
      const rows = await returnedRows<{ location_id: string; organisation_oid: string; problems: string[]; flipped: boolean; changed: boolean }>(tx, stageLocations, [now, ids]);
      if (rows.length > 0) {
        const problems = rows.map((row) => ({ object_id: row.location_id, organisation_oid: row.organisation_oid, codes: row.problems, changed: row.changed }));
        await tx.query(syncLocationProblems, [JSON.stringify(problems), now]);
      }
      return rows;
    });
    // Outside the staging transaction: it waits for slot rows a projection batch holds, which may in turn wait for these locations.
    const flipped = staged.filter((row) => row.flipped).map((row) => row.location_id);
    if (flipped.length > 0) await this.dataSource.query(markSlotsOfLocations, [flipped, now]);
    return staged.length;
  }

  private async stageSlots(now: Date, batchSize: number): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const picked: { slot_id: string }[] = await tx.query(pickSlots, [batchSize]);
      if (picked.length === 0) return 0;
      const rows = await returnedRows<{ slot_id: string; changed: boolean }>(tx, stageSlots, [now, picked.map((row) => row.slot_id)]);
      const changed = rows.filter((row) => row.changed).map((row) => row.slot_id);
      if (changed.length > 0) await tx.query(clearSlotRefusals, [changed]);
      return rows.length;
    });
  }
}
