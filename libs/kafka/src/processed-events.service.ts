import type { DataSource, EntityManager } from 'typeorm';

export type ApplyOnceResult<T> = { readonly applied: true; readonly result: T } | { readonly applied: false };

/**
 * Records each handled event id in the same transaction as its effect, so that a redelivered
 * event (after a crash, a rebalance or a replay) changes nothing the second time.
 */
export class ProcessedEvents {
  constructor(private readonly dataSource: DataSource) {}

  async applyOnce<T>(consumerGroup: string, eventId: string, effect: (tx: EntityManager) => Promise<T>): Promise<ApplyOnceResult<T>> {
    return this.dataSource.transaction(async (tx) => {
      const inserted: unknown[] = await tx.query(
        `INSERT INTO medbus_processed_event (consumer_group, event_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [consumerGroup, eventId],
      );
      if (inserted.length === 0) return { applied: false } as const;
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
