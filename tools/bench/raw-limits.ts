import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

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
  readonly rowsPerSecond: number;
}

/** Batched upserts of slot-sized rows into an indexed table: the ceiling for projecting slot events. */
export async function postgresUpsertLimit(databaseUrl: string, rows: number, batchSize: number): Promise<PostgresRawLimit> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS bench_raw_slot`);
    await client.query(`
      CREATE TABLE bench_raw_slot (
        slot_id text PRIMARY KEY, organisation_oid text NOT NULL, resource_id text NOT NULL,
        start_at timestamptz NOT NULL, end_at timestamptz NOT NULL, status text NOT NULL,
        source_version bigint NOT NULL)`);
    await client.query(`CREATE INDEX ON bench_raw_slot (start_at) WHERE status = 'FREE'`);
    await client.query(`CREATE INDEX ON bench_raw_slot (organisation_oid, start_at)`);
    const started = process.hrtime.bigint();
    for (let offset = 0; offset < rows; offset += batchSize) {
      const ids: string[] = [];
      const orgs: string[] = [];
      const resources: string[] = [];
      const starts: string[] = [];
      for (let i = offset; i < Math.min(rows, offset + batchSize); i++) {
        ids.push(`1.2.643.5.1.13.13.12.2.23.${i % 300}:${i}`);
        orgs.push(`1.2.643.5.1.13.13.12.2.23.${i % 300}`);
        resources.push(`r${i % 6000}`);
        starts.push(new Date(Date.UTC(2026, 10, 24, 8) + (i % 20_000) * 60_000).toISOString());
      }
      await client.query(
        `INSERT INTO bench_raw_slot (slot_id, organisation_oid, resource_id, start_at, end_at, status, source_version)
         SELECT id, org, res, st::timestamptz, st::timestamptz + interval '15 minutes', 'FREE', 1
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(id, org, res, st)
         ON CONFLICT (slot_id) DO UPDATE SET status = excluded.status, source_version = excluded.source_version
         WHERE bench_raw_slot.source_version < excluded.source_version`,
        [ids, orgs, resources, starts],
      );
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rows, batchSize, rowsPerSecond: Math.round(rows / seconds) };
  } finally {
    await client.query(`DROP TABLE IF EXISTS bench_raw_slot`).catch(() => undefined);
    await client.end();
  }
}
