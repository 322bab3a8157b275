import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTopics, kafkaToolConfigFile } from '@medbus/testing';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

export interface KafkaRawLimit {
  readonly records: number;
  readonly recordBytes: number;
  readonly recordsPerSecond: number;
  readonly mbPerSecond: number;
  readonly avgLatencyMs: number;
  readonly p99LatencyMs: number;
}

/** Kafka's own producer performance tool, acks=all, on this machine's broker. */
export async function kafkaProducerLimit(brokers: string, records: number, recordBytes: number): Promise<KafkaRawLimit> {
  const topic = `bench.raw-${Date.now()}`;
  await createTopics([topic], 1, brokers.split(','));
  const toolConfig = kafkaToolConfigFile();
  const { stdout } = await run(
    'bash',
    [
      join(root, 'tools/stack/kafka-run-class.sh'),
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic', topic,
      '--num-records', String(records),
      '--record-size', String(recordBytes),
      '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${brokers}`, 'acks=all', 'linger.ms=5', 'enable.idempotence=true',
      ...(toolConfig ? ['--producer.config', toolConfig] : []),
    ],
    { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
  );
  // "200000 records sent, 98570.7 records/sec (18.80 MB/sec), 850.21 ms avg latency, 1282.00 ms max latency, 870 ms 50th, 1200 ms 95th, 1260 ms 99th, 1281 ms 99.9th."
  const summary = stdout.trim().split('\n').filter((line) => line.includes('records sent')).pop() ?? '';
  const match = /([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency.* (\d+) ms 99th/.exec(summary);
  if (!match) throw new Error(`cannot read ProducerPerformance output: ${summary || stdout.slice(-500)}`);
  return {
    records,
    recordBytes,
    recordsPerSecond: Number(match[1]),
    mbPerSecond: Number(match[2]),
    avgLatencyMs: Number(match[3]),
    p99LatencyMs: Number(match[4]),
  };
}

export interface PostgresRawLimit {
  readonly rows: number;
  readonly batchSize: number;
  /** Indexes on the table, the primary key included: the real inventory_slot's. */
  readonly indexes: number;
  /** Into an empty table (a rebuild). */
  readonly emptyRowsPerSecond: number;
  /** The same rows again with a newer version onto the populated table (a resync). */
  readonly populatedRowsPerSecond: number;
}

/**
 * The ceiling for projecting slot events: batched version-wins upserts (unnest, one statement per
 * batch, no Kafka, no decoding, no joins) into a copy of the real inventory_slot table with all its
 * indexes, first empty, then populated.
 */
export async function postgresUpsertLimit(databaseUrl: string, inventorySchema: string, rows: number, batchSize: number): Promise<PostgresRawLimit> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const schema = `bench_raw_${Date.now().toString(36)}`;
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    // LIKE copies columns, constraints and indexes but not storage parameters (fillfactor): copied too.
    const { rows: options } = await client.query(
      `SELECT coalesce(array_to_string(c.reloptions, ', '), '') AS options FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = 'inventory_slot'`,
      [inventorySchema],
    );
    const storage = options[0]?.options ? ` WITH (${options[0].options as string})` : '';
    await client.query(`CREATE TABLE ${schema}.inventory_slot (LIKE "${inventorySchema}".inventory_slot INCLUDING ALL)${storage}`);
    const { rows: indexRows } = await client.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND tablename = 'inventory_slot'`, [schema]);
    const upsert = async (version: number): Promise<number> => {
      const started = process.hrtime.bigint();
      for (let offset = 0; offset < rows; offset += batchSize) {
        const columns: unknown[][] = Array.from({ length: 10 }, () => []);
        for (let i = offset; i < Math.min(rows, offset + batchSize); i++) {
          const start = Date.UTC(2026, 10, 24, 8) + Math.floor(i / 6000) * 15 * 60_000;
          const values = [
            `1.2.643.5.1.13.13.12.2.23.${i % 300}:S${i}`,
            `1.2.643.5.1.13.13.12.2.23.${i % 300}`,
            `1.2.643.5.1.13.13.12.2.23.${i % 300}:D${i % 6000}`,
            new Date(start).toISOString(),
            i % 5 === 0 || (version > 1 && i % 10 === 1) ? 'BOOKED' : 'FREE',
            version,
            `d${i % 40}`,
            ['27', '109', '53', '34', '76', '9', '80', '122'][i % 8],
            `S${i}`,
            `D${i % 6000}`,
          ];
          values.forEach((value, k) => columns[k].push(value));
        }
        await client.query(
          `INSERT INTO ${schema}.inventory_slot AS t (slot_id, organisation_oid, resource_id, local_slot_id, local_resource_id, starts_at, ends_at,
              status, booking_channels, room, removed, source_version, occurred_at, district_id, specialty_nsi_code, position_nsi_code, offered)
           SELECT id, org, res, lid, lres, st::timestamptz, st::timestamptz + interval '15 minutes', status, '{CONTACT_CENTRE,PORTAL}', NULL, false, v, now(),
                  d, sp, NULL, true
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[])
             AS x(id, org, res, st, status, v, d, sp, lid, lres)
           ORDER BY id
           ON CONFLICT (slot_id) DO UPDATE SET status = excluded.status, source_version = excluded.source_version, occurred_at = excluded.occurred_at
           WHERE excluded.source_version > t.source_version`,
          columns,
        );
      }
      return Math.round(rows / (Number(process.hrtime.bigint() - started) / 1e9));
    };
    const emptyRowsPerSecond = await upsert(1);
    await client.query(`VACUUM (ANALYZE) ${schema}.inventory_slot`);
    const populatedRowsPerSecond = await upsert(2);
    return { rows, batchSize, indexes: indexRows[0].n as number, emptyRowsPerSecond, populatedRowsPerSecond };
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.end();
  }
}
