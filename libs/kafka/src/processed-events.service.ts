import type { DataSource, EntityManager } from 'typeorm';

export type ApplyOnceResult<T> = { readonly applied: true; readonly result: T } | { readonly applied: false };

/**
 * The processed-event store: each handled event id is recorded in the same transaction as its
 * effect, so that a redelivered event (after a crash, a rebalance or a replay) changes nothing the
 * second time. The batched engine records a whole batch with one statement.
 */
export class ProcessedEvents {
  constructor(private readonly dataSource: DataSource) {}

  /** Records the ids inside the caller's transaction; returns those not recorded before. */
  static async recordNew(tx: EntityManager, consumerGroup: string, eventIds: readonly string[]): Promise<Set<string>> {
    const inserted: { event_id: string }[] = await tx.query(
      `INSERT INTO medbus_processed_event (consumer_group, event_id)
       SELECT $1, id FROM unnest($2::text[]) AS id
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumerGroup, [...new Set(eventIds)]],
    );
    return new Set(inserted.map((row) => row.event_id));
  }

  async applyOnce<T>(consumerGroup: string, eventId: string, effect: (tx: EntityManager) => Promise<T>): Promise<ApplyOnceResult<T>> {
    return this.dataSource.transaction(async (tx) => {
      const fresh = await ProcessedEvents.recordNew(tx, consumerGroup, [eventId]);
      if (!fresh.has(eventId)) return { applied: false } as const;
      return { applied: true, result: await effect(tx) } as const;
    });
  }

  async wasProcessed(consumerGroup: string, eventId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM medbus_processed_event WHERE consumer_group = $1 AND event_id = $2`,
      [consumerGroup, eventId],
    );
    return rows.length > 0;
  }
}
