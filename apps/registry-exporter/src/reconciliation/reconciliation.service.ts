import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppError } from '@medbus/errors';
import { FerLimits, type FerLocation, type FerSlot } from '@medbus/federal-registry';
import { FederalRateLimitedError, ReconciliationNotFoundError } from '../exporter.errors';
import { Clock } from '../export/clock.service';
import { ExportRepairService, type ReconciledObject } from '../export/export-repair.service';
import { ExportWorker } from '../export/export.poller';
import { FederalRegistryClient } from '../export/federal-registry.client';
import { sameLocation, sameSlot } from '../export/federal-view.mapper';
import { FederalViewService } from '../export/federal-view.service';
import { DriftKind, driftOf, type Drift } from './reconciliation.mapper';

export const ReconciliationTrigger = { schedule: 'SCHEDULE', demand: 'DEMAND' } as const;
export type ReconciliationTrigger = (typeof ReconciliationTrigger)[keyof typeof ReconciliationTrigger];

export type ReconciliationStatus = 'REQUESTED' | 'RUNNING' | 'DONE' | 'FAILED';

export interface DriftCount {
  readonly found: number;
  readonly repaired: number;
}

export type DriftCounts = Readonly<Record<'missing' | 'stale' | 'orphaned', DriftCount>>;

export interface ReconciliationRun {
  readonly reconciliationId: string;
  readonly trigger: ReconciliationTrigger;
  readonly requestedBy: string | null;
  readonly status: ReconciliationStatus;
  readonly requestedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly organisationsChecked: number;
  readonly totals: { readonly locations: DriftCounts; readonly slots: DriftCounts };
  /** Organisations where drift was found. */
  readonly organisations: readonly { readonly organisationOid: string; readonly locations: DriftCounts; readonly slots: DriftCounts }[];
}

/** Advisory lock class of reconciliation (single flight across instances); the schema's hash is the second key. */
const reconciliationLockClass = 7_781_401;
const pageSize = FerLimits.maxPageSize;
// A quota spent for the day (hours of Retry_After) is not waited out inside a run: the next run tries again.
const maxRateLimitedWaits = 5;
const kinds = [
  ['missing', DriftKind.missing],
  ['stale', DriftKind.stale],
  ['orphaned', DriftKind.orphaned],
] as const;

// The run requested or running: at most one (a partial unique index), whoever asked.
const requestRun = `INSERT INTO fer_reconciliation (reconciliation_id, trigger, requested_by, status, requested_at)
  VALUES ($1, $2, $3, 'REQUESTED', $4)
  ON CONFLICT ((true)) WHERE status IN ('REQUESTED', 'RUNNING') DO NOTHING
  RETURNING reconciliation_id`;
const activeRun = `SELECT reconciliation_id, status FROM fer_reconciliation WHERE status IN ('REQUESTED', 'RUNNING')`;

/**
 * Reconciliation with the federal side: per organisation, every page of GetLocations and GetSlots
 * compared with the federal view; missing and stale objects are put back on the worker's path (a
 * stale one with a Version above the held one), orphans removed there by the worker. Each run is
 * recorded with what it found and repaired, per kind and organisation. One run at a time across
 * instances (the request's single-flight index and an advisory lock).
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(FederalRegistryClient) private readonly federal: FederalRegistryClient,
    @Inject(ExportRepairService) private readonly repair: ExportRepairService,
    @Inject(FederalViewService) private readonly views: FederalViewService,
    @Inject(ExportWorker) private readonly worker: ExportWorker,
  ) {}

  /** Asks for a run; while one is requested or running, that one is the answer (created: false). */
  async request(trigger: ReconciliationTrigger, requestedBy: string | null): Promise<{ reconciliationId: string; created: boolean }> {
    for (;;) {
      const created: { reconciliation_id: string }[] = await this.dataSource.query(requestRun, [randomUUID(), trigger, requestedBy, this.clock.now()]);
      if (created.length > 0) return { reconciliationId: created[0].reconciliation_id, created: true };
      const [active]: { reconciliation_id: string }[] = await this.dataSource.query(activeRun);
      // The active one finished between the two statements: ask again.
      if (active) return { reconciliationId: active.reconciliation_id, created: false };
    }
  }

  /** When the last scheduled run was asked for (null: never). */
  async lastScheduledAt(): Promise<Date | null> {
    const [row]: { at: Date | null }[] = await this.dataSource.query(`SELECT max(requested_at) AS at FROM fer_reconciliation WHERE trigger = $1`, [ReconciliationTrigger.schedule]);
    return row?.at ?? null;
  }

  /** Runs the requested (or interrupted) run to its end, if this instance gets the lock; returns its id. */
  async runPending(): Promise<string | undefined> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }]: { locked: boolean }[] = await lock.query(`SELECT pg_try_advisory_lock($1, hashtext(current_schema())) AS locked`, [reconciliationLockClass]);
      if (!locked) return undefined;
      try {
        const [active]: { reconciliation_id: string }[] = await this.dataSource.query(activeRun);
        if (!active) return undefined;
        await this.execute(active.reconciliation_id);
        return active.reconciliation_id;
      } finally {
        await lock.query(`SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, [reconciliationLockClass]);
      }
    } finally {
      await lock.release();
    }
  }

  async get(reconciliationId: string): Promise<ReconciliationRun> {
    const [run]: {
      reconciliation_id: string;
      trigger: ReconciliationTrigger;
      requested_by: string | null;
      status: ReconciliationStatus;
      requested_at: Date;
      started_at: Date | null;
      finished_at: Date | null;
      error_code: string | null;
      error_message: string | null;
      organisations_checked: number;
    }[] = await this.dataSource.query(`SELECT * FROM fer_reconciliation WHERE reconciliation_id = $1`, [reconciliationId]);
    if (!run) throw new ReconciliationNotFoundError(reconciliationId);
    const counts: { organisation_oid: string; object_type: ReconciledObject; kind: DriftKind; found: number; repaired: number }[] = await this.dataSource.query(
      `SELECT organisation_oid, object_type, kind, found, repaired FROM fer_reconciliation_count WHERE reconciliation_id = $1 ORDER BY organisation_oid`,
      [reconciliationId],
    );
    const empty = (): Record<'missing' | 'stale' | 'orphaned', DriftCount> => ({ missing: { found: 0, repaired: 0 }, stale: { found: 0, repaired: 0 }, orphaned: { found: 0, repaired: 0 } });
    const totals = { locations: empty(), slots: empty() };
    const perOrganisation = new Map<string, { locations: ReturnType<typeof empty>; slots: ReturnType<typeof empty> }>();
    for (const row of counts) {
      const name = kinds.find(([, kind]) => kind === row.kind)?.[0];
      if (name === undefined) continue;
      const organisation = perOrganisation.get(row.organisation_oid) ?? { locations: empty(), slots: empty() };
      perOrganisation.set(row.organisation_oid, organisation);
      const group = row.object_type === 'LOCATION' ? 'locations' : 'slots';
      organisation[group][name] = { found: row.found, repaired: row.repaired };
      totals[group][name] = { found: totals[group][name].found + row.found, repaired: totals[group][name].repaired + row.repaired };
    }
    return {
      reconciliationId: run.reconciliation_id,
      trigger: run.trigger,
      requestedBy: run.requested_by,
      status: run.status,
      requestedAt: run.requested_at.toISOString(),
      startedAt: run.started_at?.toISOString() ?? null,
      finishedAt: run.finished_at?.toISOString() ?? null,
      error: run.error_code === null ? null : { code: run.error_code, message: run.error_message ?? '' },
      organisationsChecked: run.organisations_checked,
      totals,
      organisations: [...perOrganisation].map(([organisationOid, organisation]) => ({ organisationOid, ...organisation })),
    };
  }

  private async execute(reconciliationId: string): Promise<void> {
    await this.dataSource.query(`UPDATE fer_reconciliation SET status = 'RUNNING', started_at = $2 WHERE reconciliation_id = $1`, [reconciliationId, this.clock.now()]);
    // A run interrupted by a crash starts again from the beginning.
    await this.dataSource.query(`DELETE FROM fer_reconciliation_count WHERE reconciliation_id = $1`, [reconciliationId]);
    try {
      const organisations = await this.repair.organisations();
      // The federal view as of now: Channels shrink as slots pass, which no event announces.
      for (const organisationOid of organisations) await this.views.restage(organisationOid);
      await this.views.stage(this.clock.now());
      let checked = 0;
      for (const organisationOid of organisations) {
        await this.reconcileOrganisation(reconciliationId, organisationOid);
        checked++;
        await this.dataSource.query(`UPDATE fer_reconciliation SET organisations_checked = $2 WHERE reconciliation_id = $1`, [reconciliationId, checked]);
      }
      await this.dataSource.query(`UPDATE fer_reconciliation SET status = 'DONE', finished_at = $2 WHERE reconciliation_id = $1`, [reconciliationId, this.clock.now()]);
      this.logger.log(`reconciliation ${reconciliationId} compared ${checked} organisation(s)`);
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'EXPORT.RECONCILIATION_FAILED';
      await this.dataSource.query(`UPDATE fer_reconciliation SET status = 'FAILED', finished_at = $2, error_code = $3, error_message = $4 WHERE reconciliation_id = $1`, [
        reconciliationId,
        this.clock.now(),
        code,
        (error as Error).message.slice(0, 500),
      ]);
      this.logger.warn(`reconciliation ${reconciliationId} failed: ${code}`);
    } finally {
      this.worker.wake();
    }
  }

  private async reconcileOrganisation(reconciliationId: string, organisationOid: string): Promise<void> {
    const now = this.clock.now().getTime();
    const heldLocations = (await this.allPages((page) => this.federal.getLocations(organisationOid, page, pageSize), (answer) => answer.Location)).map((location: FerLocation) => ({
      id: location.Location_Id,
      version: location.Version,
      location,
    }));
    const locationDrift = driftOf(await this.repair.locationsOf(organisationOid), heldLocations, (held, view) => sameLocation(held.location, view), now);
    await this.record(reconciliationId, organisationOid, 'LOCATION', locationDrift);

    const heldSlots = (await this.allPages((page) => this.federal.getSlots(organisationOid, page, pageSize), (answer) => answer.Slot)).map((slot: FerSlot) => ({
      id: slot.Slot_Id,
      version: slot.Version,
      startsAt: Date.parse(slot.Visit_Start),
      locationId: slot.Location_Id,
      slot,
    }));
    const slotDrift = driftOf(await this.repair.slotsOf(organisationOid), heldSlots, (held, view) => sameSlot(held.slot, view), now);
    await this.record(reconciliationId, organisationOid, 'SLOT', slotDrift);
  }

  private async record(reconciliationId: string, organisationOid: string, object: ReconciledObject, drift: Drift): Promise<void> {
    const repaired = {
      missing: await this.repair.resendMissing(object, drift.missing),
      stale: await this.repair.resendStale(object, drift.stale),
      orphaned: await this.repair.removeOrphans(object, organisationOid, drift.orphaned, drift.unknown, this.clock.now()),
    };
    const found = { missing: drift.missing.length, stale: drift.stale.length, orphaned: drift.orphaned.length + drift.unknown.length };
    for (const [name, kind] of kinds) {
      if (found[name] === 0) continue;
      await this.dataSource.query(
        `INSERT INTO fer_reconciliation_count (reconciliation_id, organisation_oid, object_type, kind, found, repaired) VALUES ($1, $2, $3, $4, $5, $6)`,
        [reconciliationId, organisationOid, object, kind, found[name], repaired[name]],
      );
    }
  }

  /** Every page (from 1) until the federal side's Total is read or a page comes back empty. */
  private async allPages<A extends { Total: number }, T>(page: (n: number) => Promise<A>, items: (answer: A) => readonly T[]): Promise<T[]> {
    const all: T[] = [];
    for (let n = 1; ; n++) {
      const answer = await this.waitingOutLimits(() => page(n));
      const got = items(answer);
      all.push(...got);
      if (got.length === 0 || all.length >= answer.Total) return all;
    }
  }

  /** The federal side's rate limit (shared with the export worker) is waited out, as it asks; any other failure ends the run. */
  private async waitingOutLimits<A>(call: () => Promise<A>): Promise<A> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof FederalRateLimitedError) || attempt >= maxRateLimitedWaits) throw error;
        await sleep(error.retryAfterMs);
      }
    }
  }
}
