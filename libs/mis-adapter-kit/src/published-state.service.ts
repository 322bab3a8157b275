import type { DataSource } from 'typeorm';
import { ChangeKind, type Change, type Tracked } from './change-detector.service';

interface Row {
  entity_id: string;
  fingerprint: string;
  source_version: string;
  state: unknown;
}

/**
 * What an adapter last published, per entity kind (`slot`, `resource`, …), kept in Postgres
 * (table of CreateMisAdapterPublishedState1764000000000) so that after a restart the adapter
 * still knows which slots it offered: one taken while it was down becomes SlotChanged, not
 * silence. Saved after Kafka acknowledged a batch and before the in-memory detector commits;
 * a crash in between publishes that batch again with higher versions, which consumers absorb.
 */
export class PublishedStateStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly adapterId: string,
  ) {}

  async load<S>(kind: string): Promise<Array<[string, Tracked<S>]>> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT entity_id, fingerprint, source_version, state FROM mis_adapter_published_state WHERE adapter_id = $1 AND kind = $2`,
      [this.adapterId, kind],
    );
    return rows.map((row) => [row.entity_id, { fingerprint: row.fingerprint, sourceVersion: Number(row.source_version), state: row.state as S }]);
  }

  async save<S>(kind: string, changes: readonly Change<S>[], forgotten: readonly string[] = []): Promise<void> {
    const upserts = changes.filter((c) => c.kind !== ChangeKind.removed);
    const deletions = [...changes.filter((c) => c.kind === ChangeKind.removed).map((c) => c.id), ...forgotten];
    if (upserts.length === 0 && deletions.length === 0) return;
    await this.dataSource.transaction(async (tx) => {
      if (upserts.length > 0) {
        await tx.query(
          `INSERT INTO mis_adapter_published_state (adapter_id, kind, entity_id, fingerprint, source_version, state)
           SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::bigint[], $6::jsonb[])
           ON CONFLICT (adapter_id, kind, entity_id) DO UPDATE
             SET fingerprint = EXCLUDED.fingerprint, source_version = EXCLUDED.source_version, state = EXCLUDED.state, updated_at = now()`,
          [
            this.adapterId,
            kind,
            upserts.map((c) => c.id),
            upserts.map((c) => c.fingerprint),
            upserts.map((c) => String(c.sourceVersion)),
            upserts.map((c) => JSON.stringify(c.state)),
          ],
        );
      }
      if (deletions.length > 0) {
        await tx.query(`DELETE FROM mis_adapter_published_state WHERE adapter_id = $1 AND kind = $2 AND entity_id = ANY($3::text[])`, [
          this.adapterId,
          kind,
          deletions,
        ]);
      }
    });
  }
}
