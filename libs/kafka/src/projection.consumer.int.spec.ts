import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { ValidationError } from '@medbus/errors';
import { aTestEventType, collectTopic, createTopics, stackAddresses, startTcpProxy, testConnection, testDataSource, uniqueName, viaProxy, waitFor, type TcpProxy } from '@medbus/testing';
import type { ConsumedEvent } from './event-consumer.service';
import { EventPublisher, type OutgoingEvent } from './event-publisher.service';
import { Headers } from './kafka-headers.mapper';
import { deadLetterTopicOf, type EventDefinition } from './kafka.config';
import { CreateKafkaBackboneTables1732406400000 } from './kafka-tables.migration';
import { ProjectionConsumer, type Projection } from './projection.consumer';
import { adapterTopicOf } from './adapter-topics.mapper';

interface CounterSet {
  counterId: string;
  value: number;
  note: string | null;
}

const quietLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A projection of the tests' own: the last value of each counter, version-wins by value, one statement per batch. */
function counterProjection(event: EventDefinition, table: string, batches: number[]): Projection {
  return {
    name: 'counters',
    handles: [event],
    async apply(tx: EntityManager, events: readonly ConsumedEvent[]) {
      batches.push(events.length);
      const values = events.map((e) => e.value as CounterSet);
      const poison = values.find((v) => v.note === 'poison');
      if (poison) throw new ValidationError('TEST.POISON', `counter ${poison.counterId} is poison`);
      await tx.query(
        `INSERT INTO ${table} (counter_id, value, applied)
         SELECT id, v, 1 FROM unnest($1::text[], $2::int[]) AS x(id, v)
         ON CONFLICT (counter_id) DO UPDATE SET value = greatest(${table}.value, excluded.value), applied = ${table}.applied + 1`,
        [values.map((v) => v.counterId), values.map((v) => v.value)],
      );
    },
  };
}

describe('the batched projection engine against the real Kafka, registry and Postgres', () => {
  let publisher: EventPublisher;
  let dataSource: DataSource;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    publisher = new EventPublisher(testConnection());
    dataSource = await testDataSource([CreateKafkaBackboneTables1732406400000]);
  });

  afterEach(async () => {
    while (closers.length) await closers.pop()?.();
  });

  afterAll(async () => {
    await publisher.close();
    await dataSource.destroy();
  });

  async function aTopicWithTable(): Promise<{ topic: string; event: EventDefinition; table: string }> {
    const topic = uniqueName('test.counter');
    await createTopics([topic, deadLetterTopicOf(topic)]);
    const table = `test_counter_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await dataSource.query(`CREATE TABLE ${table} (counter_id text PRIMARY KEY, value int NOT NULL, applied int NOT NULL)`);
    closers.push(() => dataSource.query(`DROP TABLE IF EXISTS ${table}`));
    const event = aTestEventType(topic, 'CounterSet', [
      { name: 'counterId', type: 'string' },
      { name: 'value', type: 'int' },
      { name: 'note', type: ['null', 'string'], default: null },
    ]);
    return { topic, event, table };
  }

  const counters = (event: EventDefinition, n: number, note: (i: number) => string | null = () => null): OutgoingEvent[] =>
    Array.from({ length: n }, (_, i) => ({ event, key: `c${i % 7}`, value: { counterId: `c${i}`, value: i, note: note(i) } satisfies CounterSet }));

  async function startEngine(options: { event: EventDefinition; table: string; batches: number[]; groupId?: string; dataSource?: DataSource; schemaRegistryUrl?: string }): Promise<ProjectionConsumer> {
    const connection = testConnection();
    const consumer = new ProjectionConsumer({
      connection: { ...connection, schemaRegistryUrl: options.schemaRegistryUrl ?? connection.schemaRegistryUrl },
      groupId: options.groupId ?? uniqueName('group'),
      projections: [counterProjection(options.event, options.table, options.batches)],
      dataSource: options.dataSource ?? dataSource,
      deadLetters: publisher,
      retry: { maxAttempts: 2, initialBackoffMs: 20, maxBackoffMs: 50 },
      logger: quietLogger,
    });
    await consumer.start();
    closers.push(() => consumer.stop());
    return consumer;
  }

  const rowsOf = (table: string): Promise<{ counter_id: string; value: number; applied: number }[]> =>
    dataSource.query(`SELECT counter_id, value, applied FROM ${table} ORDER BY value`);

  it('applies what is waiting in few transactions, each event once, a redelivered event id not again', async () => {
    const { event, table } = await aTopicWithTable();
    const events = counters(event, 300).map((e) => ({ ...e, eventId: randomUUID() }));
    // Event 10 delivered again later in the same batch, and once more in a later one.
    await publisher.publishAll([...events.slice(0, 150), events[10], ...events.slice(150)]);

    const batches: number[] = [];
    const consumer = await startEngine({ event, table, batches });
    await waitFor(async () => (await rowsOf(table)).length === 300, 'all 300 counters');
    await publisher.publish(events[10]);
    // Barrier: a later marker applied means the redelivery before it was seen too.
    await publisher.publish({ event, key: events[10].key, value: { counterId: 'marker', value: 10_000, note: null } });
    await waitFor(async () => (await rowsOf(table)).some((row) => row.counter_id === 'marker'), 'the marker');

    const rows = await rowsOf(table);
    expect(rows.filter((row) => row.applied !== 1)).toEqual([]);
    expect(consumer.stats.duplicates).toBe(2);
    expect(batches.length).toBeLessThan(30);
  });

  it('dead-letters the poison message of a batch with its reason and applies the rest', async () => {
    const { topic, event, table } = await aTopicWithTable();
    const dead = await collectTopic(deadLetterTopicOf(topic));
    closers.push(dead.stop);
    await publisher.publishAll(counters(event, 200, (i) => (i === 123 ? 'poison' : null)));

    const batches: number[] = [];
    await startEngine({ event, table, batches });
    await waitFor(async () => (await rowsOf(table)).length === 199, 'the 199 good counters');

    const [letter] = await waitFor(async () => dead.records.length > 0 && dead.records, 'the dead letter');
    expect(letter.headers).toMatchObject({ [Headers.deadLetterCode]: 'TEST.POISON', [Headers.deadLetterTopic]: topic });
    expect(letter.headers[Headers.deadLetterReason]).toBe('counter c123 is poison');
    expect(dead.records).toHaveLength(1);
    expect((await rowsOf(table)).map((row) => row.counter_id)).not.toContain('c123');
    // Found by halving, not by applying 200 messages one at a time.
    expect(batches.filter((size) => size === 1).length).toBeLessThan(20);
  });

  it("reads every adapter's copy of a per-adapter topic, one provisioned after it started too, and dead-letters what a projection refuses", async () => {
    const namespace = uniqueName('it').toLowerCase();
    const connection = { ...testConnection(), namespace };
    const adapterPublisher = (adapterId: string) => new EventPublisher(connection, { origin: adapterId });
    const early = adapterPublisher('vendor-early');
    const late = adapterPublisher('vendor-late');
    closers.push(() => early.close(), () => late.close());
    const earlyTopic = adapterTopicOf('mis.slot', 'vendor-early', namespace);
    await createTopics([earlyTopic, deadLetterTopicOf(earlyTopic, namespace)]);
    const event = aTestEventType('mis.slot', 'CounterSet', [
      { name: 'counterId', type: 'string' },
      { name: 'value', type: 'int' },
      { name: 'note', type: ['null', 'string'], default: null },
    ]);
    const seen: { counterId: string; origin?: string }[] = [];
    const consumer = new ProjectionConsumer({
      connection,
      groupId: uniqueName('group'),
      projections: [
        {
          name: 'origins',
          handles: [event],
          async refuse(_tx, events) {
            return events.filter((e) => (e.value as CounterSet).note === 'foreign').map((e) => ({ event: e, error: new ValidationError('TEST.FOREIGN', 'not yours') }));
          },
          async apply(_tx, events) {
            for (const e of events) seen.push({ counterId: (e.value as CounterSet).counterId, origin: e.origin });
          },
        },
      ],
      dataSource,
      deadLetters: publisher,
      logger: quietLogger,
    });
    await consumer.start();
    closers.push(() => consumer.stop());
    const dead = await collectTopic(deadLetterTopicOf(earlyTopic, namespace));
    closers.push(dead.stop);

    await early.publishAll([
      { event, key: 'a', value: { counterId: 'a', value: 1, note: null } },
      { event, key: 'b', value: { counterId: 'b', value: 2, note: 'foreign' } },
    ]);
    await waitFor(async () => seen.some((s) => s.counterId === 'a'), "the first adapter's event");
    await createTopics([adapterTopicOf('mis.slot', 'vendor-late', namespace)]);
    await late.publish({ event, key: 'c', value: { counterId: 'c', value: 3, note: null } });
    await waitFor(async () => seen.some((s) => s.counterId === 'c'), 'the event of the adapter provisioned later (a metadata refresh away)', 30_000);

    expect(seen).toEqual([
      { counterId: 'a', origin: 'vendor-early' },
      { counterId: 'c', origin: 'vendor-late' },
    ]);
    const [letter] = await waitFor(async () => dead.records.length > 0 && dead.records, 'the refused event as a dead letter');
    expect(letter).toMatchObject({ key: 'b', headers: { [Headers.deadLetterCode]: 'TEST.FOREIGN' } });
    expect(consumer.stats).toMatchObject({ refused: 1, deadLettered: 1, applied: 2 });
  });

  describe('while a dependency is unreachable', () => {
    let proxy: TcpProxy;

    afterEach(async () => {
      await proxy?.close();
    });

    async function deadLettersAfterMarker(topic: string, event: EventDefinition, table: string): Promise<string[]> {
      const dead = await collectTopic(deadLetterTopicOf(topic));
      closers.push(dead.stop);
      // Barrier: a poison marker after the outage's events reaches the dead-letter topic; anything else there came before it.
      await publisher.publish({ event, key: 'marker', value: { counterId: 'marker', value: 0, note: 'poison' } });
      await waitFor(async () => dead.records.some((record) => record.key === 'marker'), 'the marker in the dead-letter topic', 60_000);
      expect(await rowsOf(table)).toHaveLength(100);
      return dead.records.map((record) => record.key as string);
    }

    it('waits out PostgreSQL going away, dead-letters nothing, and applies everything once it is back', async () => {
      const { topic, event, table } = await aTopicWithTable();
      const database = new URL(stackAddresses().databaseUrl);
      proxy = await startTcpProxy(database.hostname, Number(database.port || 5432));
      const proxied = new DataSource({ type: 'postgres', url: viaProxy(stackAddresses().databaseUrl, proxy), extra: { connectionTimeoutMillis: 1_000, max: 3 } });
      await proxied.initialize();
      closers.push(() => proxied.destroy());

      const batches: number[] = [];
      const consumer = await startEngine({ event, table, batches, dataSource: proxied });
      proxy.cut();
      await publisher.publishAll(counters(event, 100));
      await waitFor(async () => consumer.stats.outages >= 3, 'the engine to meet the outage three times', 60_000);
      expect(await rowsOf(table)).toEqual([]);
      proxy.restore();

      await waitFor(async () => (await rowsOf(table)).length === 100, 'the counters after the outage', 60_000);
      expect(await deadLettersAfterMarker(topic, event, table)).toEqual(['marker']);
      expect((await rowsOf(table)).filter((row) => row.applied !== 1)).toEqual([]);
    });

    it('waits out the schema registry going away and dead-letters nothing', async () => {
      const { topic, event, table } = await aTopicWithTable();
      const registry = new URL(stackAddresses().schemaRegistryUrl);
      proxy = await startTcpProxy(registry.hostname, Number(registry.port));
      const batches: number[] = [];
      const consumer = await startEngine({ event, table, batches, schemaRegistryUrl: viaProxy(stackAddresses().schemaRegistryUrl, proxy) });
      proxy.cut();
      await publisher.publishAll(counters(event, 100));
      await waitFor(async () => consumer.stats.outages >= 2, 'the engine to meet the outage twice', 60_000);
      proxy.restore();

      await waitFor(async () => (await rowsOf(table)).length === 100, 'the counters after the outage', 60_000);
      expect(await deadLettersAfterMarker(topic, event, table)).toEqual(['marker']);
    });
  });
});
