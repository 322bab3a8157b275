import type { DataSource } from 'typeorm';
import { ChangeKind, type Change, type Tracked } from '../change-detector.service';
import type { SlotState } from './canonical.mapper';

export type LedgerEntry = [string, Tracked<SlotState>];

/**
 * Which slots an adapter published, with their fingerprints and versions: read one resource or one
 * organisation at a time, as every read of the MIS is, so the adapter's memory does not grow with
 * the region. Saved after Kafka acknowledged a batch: a crash in between publishes that batch again
 * with higher versions, which consumers absorb.
 */
export abstract class SlotLedger {
  abstract ofResource(resourceId: string): Promise<LedgerEntry[]>;

  /** The organisation's slots, less those of `exceptResources`. */
  abstract ofOrganisation(organisationOid: string, exceptResources?: ReadonlySet<string>): Promise<LedgerEntry[]>;

  abstract get(slotId: string): Promise<Tracked<SlotState> | undefined>;

  abstract save(changes: readonly Change<SlotState>[], forgotten?: readonly string[]): Promise<void>;
}

/** The ledger of an adapter without a database (DATABASE_URL unset): it lasts as long as the process. */
export class MemorySlotLedger extends SlotLedger {
  private readonly slots = new Map<string, Tracked<SlotState>>();

  async ofResource(resourceId: string): Promise<LedgerEntry[]> {
    return [...this.slots].filter(([, t]) => t.state.resourceId === resourceId);
  }

  async ofOrganisation(organisationOid: string, exceptResources: ReadonlySet<string> = new Set()): Promise<LedgerEntry[]> {
    return [...this.slots].filter(([, t]) => t.state.organisationOid === organisationOid && !exceptResources.has(t.state.resourceId));
  }

  async get(slotId: string): Promise<Tracked<SlotState> | undefined> {
    return this.slots.get(slotId);
  }

  async save(changes: readonly Change<SlotState>[], forgotten: readonly string[] = []): Promise<void> {
    for (const change of changes) {
      if (change.kind === ChangeKind.removed) this.slots.delete(change.id);
      else this.slots.set(change.id, { fingerprint: change.fingerprint, sourceVersion: change.sourceVersion, state: change.state });
    }
    for (const id of forgotten) this.slots.delete(id);
  }
}

interface Row {
  entity_id: string;
  fingerprint: string;
  source_version: string;
  state: SlotState;
}

const columns = `entity_id, fingerprint, source_version, state`;

/** The ledger in the adapter's Postgres (mis_adapter_published_state, kind `slot`), indexed by resource and organisation. */
export class PostgresSlotLedger extends SlotLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly adapterId: string,
  ) {
    super();
  }

  async ofResource(resourceId: string): Promise<LedgerEntry[]> {
    return this.entries(
      `SELECT ${columns} FROM mis_adapter_published_state WHERE adapter_id = $1 AND kind = 'slot' AND resource_id = $2`,
      [this.adapterId, resourceId],
    );
  }

  async ofOrganisation(organisationOid: string, exceptResources: ReadonlySet<string> = new Set()): Promise<LedgerEntry[]> {
    return this.entries(
      `SELECT ${columns} FROM mis_adapter_published_state
        WHERE adapter_id = $1 AND kind = 'slot' AND organisation_oid = $2 AND NOT (resource_id = ANY($3::text[]))`,
      [this.adapterId, organisationOid, [...exceptResources]],
    );
  }

  async get(slotId: string): Promise<Tracked<SlotState> | undefined> {
    const [entry] = await this.entries(`SELECT ${columns} FROM mis_adapter_published_state WHERE adapter_id = $1 AND kind = 'slot' AND entity_id = $2`, [
      this.adapterId,
      slotId,
    ]);
    return entry?.[1];
  }

  async save(changes: readonly Change<SlotState>[], forgotten: readonly string[] = []): Promise<void> {
    const upserts = changes.filter((c) => c.kind !== ChangeKind.removed);
    const deletions = [...changes.filter((c) => c.kind === ChangeKind.removed).map((c) => c.id), ...forgotten];
    if (upserts.length === 0 && deletions.length === 0) return;
    await this.dataSource.transaction(async (tx) => {
      if (upserts.length > 0) {
        await tx.query(
          `INSERT INTO mis_adapter_published_state (adapter_id, kind, entity_id, fingerprint, source_version, state, resource_id, organisation_oid)
           SELECT $1, 'slot', * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::jsonb[], $6::text[], $7::text[])
           ON CONFLICT (adapter_id, kind, entity_id) DO UPDATE
             SET fingerprint = EXCLUDED.fingerprint, source_version = EXCLUDED.source_version, state = EXCLUDED.state,
                 resource_id = EXCLUDED.resource_id, organisation_oid = EXCLUDED.organisation_oid, updated_at = now()`,
          [
            this.adapterId,
            upserts.map((c) => c.id),
            upserts.map((c) => c.fingerprint),
            upserts.map((c) => String(c.sourceVersion)),
            upserts.map((c) => JSON.stringify(c.state)),
            upserts.map((c) => c.state.resourceId),
            upserts.map((c) => c.state.organisationOid),
          ],
        );
      }
      if (deletions.length > 0) {
        await tx.query(`DELETE FROM mis_adapter_published_state WHERE adapter_id = $1 AND kind = 'slot' AND entity_id = ANY($2::text[])`, [this.adapterId, deletions]);
      }
    });
  }

  private async entries(sql: string, parameters: unknown[]): Promise<LedgerEntry[]> {
    const rows: Row[] = await this.dataSource.query(sql, parameters);
    return rows.map((row) => [row.entity_id, { fingerprint: row.fingerprint, sourceVersion: Number(row.source_version), state: row.state }]);
  }
}
