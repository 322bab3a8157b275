import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { stackAddresses, uniqueName, waitFor } from '@medbus/testing';
import { CreateKafkaBackboneTables1732406400000 } from './kafka-tables.migration';
import { AddBackboneRetentionIndexes1795910400000 } from './retention.migration';
import { BackboneRetention, type BackboneRetentionOptions } from './retention.poller';

const schema = uniqueName('retention').replace(/[^a-z0-9]/g, '_').slice(0, 60);
const now = new Date('2026-03-02T08:00:00+03:00');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
const day = 24 * 3_600_000;

describe('backbone retention against the real Postgres', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const admin = new Client({ connectionString: stackAddresses().databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    dataSource = new DataSource({
      type: 'postgres',
      url: stackAddresses().databaseUrl,
      extra: { options: `-c search_path=${schema}`, max: 4 },
      migrations: [CreateKafkaBackboneTables1732406400000, AddBackboneRetentionIndexes1795910400000],
      migrationsTableName: 'retention_test_migrations',
    });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    await dataSource?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await dataSource?.destroy();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE medbus_outbox, medbus_processed_event`);
  });

  const retention = (overrides: Partial<BackboneRetentionOptions> = {}) =>
    new BackboneRetention({ dataSource, outboxRetentionMs: day, processedEventRetentionMs: 7 * day, intervalMs: 60_000, batchSize: 2, clock: { now: () => now }, ...overrides });

  async function anOutboxRow(label: string, createdAt: Date, publishedAt: Date | null): Promise<void> {
    await dataSource.query(
      `INSERT INTO medbus_outbox (event_id, event_type, topic, message_key, payload, created_at, published_at)
       VALUES ($1, 'ProbeRecorded', 'test.probe', $2, '{}'::jsonb, $3, $4)`,
      [randomUUID(), label, createdAt, publishedAt],
    );
  }

  async function aProcessedEvent(eventId: string, processedAt: Date, group = 'group-a'): Promise<void> {
    await dataSource.query(`INSERT INTO medbus_processed_event (consumer_group, event_id, processed_at) VALUES ($1, $2, $3)`, [group, eventId, processedAt]);
  }

  const outboxKeys = async () => ((await dataSource.query(`SELECT message_key FROM medbus_outbox ORDER BY message_key`)) as { message_key: string }[]).map((r) => r.message_key);
  const processedIds = async () => ((await dataSource.query(`SELECT event_id FROM medbus_processed_event ORDER BY event_id`)) as { event_id: string }[]).map((r) => r.event_id);

  it('deletes published outbox rows past the window and keeps recent and unpublished ones', async () => {
    for (let i = 0; i < 5; i++) await anOutboxRow(`old-published-${i}`, hoursAgo(50), hoursAgo(49));
    await anOutboxRow('recent-published', hoursAgo(3), hoursAgo(2));
    await anOutboxRow('old-unpublished', hoursAgo(72), null);

    const report = await retention().pruneOnce();

    expect(report.outboxRows).toBe(5);
    expect(await outboxKeys()).toEqual(['old-unpublished', 'recent-published']);
  });

  it('deletes processed-event records past the window, of every consumer group, and keeps recent ones', async () => {
    for (let i = 0; i < 5; i++) await aProcessedEvent(`old-${i}`, hoursAgo(8 * 24), i % 2 === 0 ? 'group-a' : 'group-b');
    await aProcessedEvent('recent', hoursAgo(6 * 24));

    const report = await retention().pruneOnce();

    expect(report.processedEvents).toBe(5);
    expect(await processedIds()).toEqual(['recent']);
  });

  it('lets instances prune the same tables at once, each row deleted once and nothing recent touched', async () => {
    for (let i = 0; i < 40; i++) await anOutboxRow(`old-${String(i).padStart(2, '0')}`, hoursAgo(30), hoursAgo(30));
    for (let i = 0; i < 40; i++) await aProcessedEvent(`old-${i}`, hoursAgo(200));
    await anOutboxRow('recent', hoursAgo(1), hoursAgo(1));
    await aProcessedEvent('recent', hoursAgo(1));

    const reports = await Promise.all([retention().pruneOnce(), retention().pruneOnce(), retention().pruneOnce()]);

    expect(reports.reduce((sum, r) => sum + r.outboxRows, 0)).toBe(40);
    expect(reports.reduce((sum, r) => sum + r.processedEvents, 0)).toBe(40);
    expect(await outboxKeys()).toEqual(['recent']);
    expect(await processedIds()).toEqual(['recent']);
  });

  it('prunes as soon as it starts, then on its interval', async () => {
    await anOutboxRow('old', hoursAgo(30), hoursAgo(30));
    await anOutboxRow('recent', hoursAgo(1), hoursAgo(1));
    const poller = retention();

    poller.start();
    try {
      await waitFor(async () => (await outboxKeys()).length === 1, 'the old outbox row to be deleted');
    } finally {
      await poller.stop();
    }

    expect(await outboxKeys()).toEqual(['recent']);
  });

  it('finds old rows through the retention indexes, not by scanning the tables', async () => {
    const plans = await dataSource.transaction(async (tx) => {
      // The tables here are tiny: forbid the sequential scan a planner would rightly prefer, to see the index is usable.
      await tx.query(`SET LOCAL enable_seqscan = off`);
      const plan = async (sql: string) => JSON.stringify(await tx.query(`EXPLAIN (FORMAT JSON) ${sql}`, [hoursAgo(24), 5_000]));
      return [
        await plan(`SELECT id FROM medbus_outbox WHERE published_at < $1 LIMIT $2`),
        await plan(`SELECT ctid FROM medbus_processed_event WHERE processed_at < $1 LIMIT $2`),
      ];
    });

    expect(plans[0]).toContain('medbus_outbox_published');
    expect(plans[1]).toContain('medbus_processed_event_processed_at');
  });
});
