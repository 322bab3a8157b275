import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs a read as a named prepared statement. An unnamed statement (what DataSource.query sends) is
 * planned on every call, and with inventory_slot's partial indexes planning a search took 1-2 ms,
 * more than running it (0.3-0.8 ms at 2 M slots). A named one is parsed once per connection, and
 * after five custom plans PostgreSQL keeps a generic plan when it costs no more. The name is the
 * text's hash: each combination of filters is its own statement, a few hundred at most.
 */
export async function queryPrepared<R>(dataSource: DataSource, text: string, values: unknown[]): Promise<R[]> {
  // TypeORM's PostgreSQL driver keeps node-postgres' pool as `master` (typed any) when there is no replication.
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const name = `medbus_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
  const result = await pool.query({ name, text, values });
  return result.rows as R[];
}
