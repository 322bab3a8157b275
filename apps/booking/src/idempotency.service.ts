import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { idempotencyKeyReused, invalidRequest } from './booking.errors';

/** Signals that a concurrent request with the same key won; its result is replayed. */
class ConcurrentReplay extends Error {}

const keyPattern = /^[\x21-\x7e]{8,128}$/;

/**
 * Idempotency keys of mutating calls, per API client: the first request's effect and its key are
 * committed together; a repeat with the same key and body gets the same resource back, a repeat
 * with another body is refused.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in a transaction that also records the key, or returns the resource id recorded for
   * the key by an earlier (or concurrent) request.
   */
  async once(
    clientId: string,
    key: string | undefined,
    operation: string,
    request: unknown,
    work: (tx: EntityManager) => Promise<string>,
  ): Promise<string> {
    if (key === undefined) return this.dataSource.transaction(work);
    if (!keyPattern.test(key)) throw invalidRequest(['Idempotency-Key must be 8 to 128 printable ASCII characters']);
    const hash = createHash('sha256').update(JSON.stringify([operation, request])).digest('hex');
    const earlier = await this.recorded(clientId, key, operation, hash);
    if (earlier) return earlier;
    try {
      return await this.dataSource.transaction(async (tx) => {
        const resourceId = await work(tx);
        const inserted: unknown[] = await tx.query(
          `INSERT INTO booking_idempotency (client_id, idempotency_key, operation, request_hash, resource_id)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1`,
          [clientId, key, operation, hash, resourceId],
        );
        if (inserted.length === 0) throw new ConcurrentReplay();
        return resourceId;
      });
    } catch (error) {
      if (!(error instanceof ConcurrentReplay)) throw error;
      const winner = await this.recorded(clientId, key, operation, hash);
      if (!winner) throw error;
      return winner;
    }
  }

  private async recorded(clientId: string, key: string, operation: string, hash: string): Promise<string | undefined> {
    const rows: { operation: string; request_hash: string; resource_id: string }[] = await this.dataSource.query(
      `SELECT operation, request_hash, resource_id FROM booking_idempotency WHERE client_id = $1 AND idempotency_key = $2`,
      [clientId, key],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.operation !== operation || row.request_hash !== hash) throw idempotencyKeyReused({ idempotencyKey: key });
    return row.resource_id;
  }
}
