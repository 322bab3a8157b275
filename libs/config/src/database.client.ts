import type { DataSourceOptions } from 'typeorm';

// pg and typeorm are loaded when first used, not when @medbus/config is: a service's instrument.ts reads
// its config before OpenTelemetry hooks the database driver, and a driver loaded earlier is never traced.

const sqlIdentifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** Creates a service's Postgres schema when it is missing (the schema name is a checked identifier, never input). */
export async function ensureDatabaseSchema(databaseUrl: string, schema: string): Promise<void> {
  if (!sqlIdentifier.test(schema)) throw new Error('a database schema must be a lower-case SQL identifier');
  const { Client } = await import('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await client.end();
  }
}

/**
 * Runs a service's migrations under an advisory lock (its own key per service), so instances starting
 * together do not race to create tables; on connections of their own without the statement timeout
 * (an index on a full table takes longer than a request may). Two connections: one holds the lock while
 * the migrations run on the other (with one, runMigrations waits for ever).
 */
export async function runMigrationsLocked(options: DataSourceOptions, lockKey: number): Promise<void> {
  const { DataSource } = await import('typeorm');
  const extra = (options as { extra?: { options?: string } }).extra;
  const dataSource = await new DataSource({
    ...options,
    extra: { ...extra, options: `${extra?.options ?? ''} -c statement_timeout=0`, max: 2 },
  } as DataSourceOptions).initialize();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [lockKey]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => undefined);
    await runner.release();
    await dataSource.destroy();
  }
}
