import { randomUUID } from 'node:crypto';
import * as avro from 'avsc';
import type { DataSource } from 'typeorm';
import { ConflictError, UnavailableError } from '@medbus/errors';
import { aTestEventType, collectTopic, createTopics, testConnection, testDataSource, uniqueName, waitFor } from '@medbus/testing';
import { AvroCodec } from './avro-codec.service';
import { EventConsumer, type ConsumedEvent } from './event-consumer.service';
import { EventPublisher } from './event-publisher.service';
import { Headers } from './kafka-headers.mapper';
import { deadLetterTopicOf, type EventDefinition } from './kafka.config';
import { Outbox } from './outbox.service';
import { OutboxRelay } from './outbox.relay';
import { ProcessedEvents } from './processed-events.service';
import { CreateKafkaBackboneTables1732406400000 } from './kafka-tables.migration';

interface ProbeRecorded {
  probeId: string;
  count: number;
  note: string | null;
}

function probeEvent(topic: string): EventDefinition {
  return aTestEventType(topic, 'ProbeRecorded', [
    { name: 'probeId', type: 'string' },
    { name: 'count', type: 'int' },
    { name: 'note', type: ['null', 'string'], default: null },
  ]);
}

const aProbe = (overrides: Partial<ProbeRecorded> = {}): ProbeRecorded => ({ probeId: randomUUID(), count: 7, note: 'ок', ...overrides });

const quietLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('the Kafka backbone against the real Kafka, registry and Postgres', () => {
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

  async function startConsumer(topic: string, handle: (event: ConsumedEvent) => Promise<void>, groupId = uniqueName('group')): Promise<EventConsumer> {
    const consumer = new EventConsumer({
      connection: testConnection(),
      groupId,
      topics: [topic],
      handle,
      deadLetters: publisher,
      retry: { maxAttempts: 3, initialBackoffMs: 20, maxBackoffMs: 100 },
      logger: quietLogger,
    });
    await consumer.start();
    closers.push(() => consumer.stop());
    return consumer;
  }

  it('round-trips an Avro event with the standard headers', async () => {
    const topic = uniqueName('test.probe');
    const event = probeEvent(topic);
    await createTopics([topic]);
    const received: ConsumedEvent[] = [];
    await startConsumer(topic, async (e) => void received.push(e));

    const probe = aProbe();
    const eventId = await publisher.publish({ event, key: probe.probeId, value: probe, correlationId: 'corr-1' });

    const [got] = await waitFor(async () => received.length > 0 && received, 'the event to arrive');
    expect(got).toMatchObject({ eventId, eventType: 'ProbeRecorded', correlationId: 'corr-1', key: probe.probeId, fullName: 'ru.medbus.test.ProbeRecorded', value: probe });
  });

  it('writes values any Confluent-format Avro client can read with only the registry URL', async () => {
    const topic = uniqueName('test.probe');
    const event = probeEvent(topic);
    await createTopics([topic]);
    const collected = await collectTopic(topic);
    closers.push(collected.stop);
    const probe = aProbe({ note: null });
    await publisher.publish({ event, key: probe.probeId, value: probe });

    const [record] = await waitFor(async () => collected.records.length > 0 && collected.records, 'the raw record');
    const bytes = record.value as Buffer;
    expect(bytes.readUInt8(0)).toBe(0);
    const schemaId = bytes.readUInt32BE(1);
    const response = await fetch(`${testConnection().schemaRegistryUrl}/schemas/ids/${schemaId}`);
    expect(response.status).toBe(200);
    const { schema } = (await response.json()) as { schema: string };
    const writerType = avro.Type.forSchema(JSON.parse(schema));
    expect(writerType.fromBuffer(bytes.subarray(5))).toEqual(probe);
  });

  it('dead-letters an undecodable message with its original bytes and reason, and keeps consuming', async () => {
    const topic = uniqueName('test.probe');
    const event = probeEvent(topic);
    await createTopics([topic, deadLetterTopicOf(topic)]);
    const dead = await collectTopic(deadLetterTopicOf(topic));
    closers.push(dead.stop);
    const received: ProbeRecorded[] = [];
    await startConsumer(topic, async (e) => void received.push(e.value as ProbeRecorded));

    const garbage = Buffer.from('<not avro at all/>');
    await publisher.publishRaw(topic, { key: 'bad', value: garbage, headers: { [Headers.eventId]: 'bad-1' } });
    const good = aProbe();
    await publisher.publish({ event, key: good.probeId, value: good });

    await waitFor(async () => received.length > 0, 'the good event after the bad one');
    expect(received).toEqual([good]);
    const [letter] = await waitFor(async () => dead.records.length > 0 && dead.records, 'the dead letter');
    expect(letter.value).toEqual(garbage);
    expect(letter.key).toBe('bad');
    expect(letter.headers).toMatchObject({
      [Headers.eventId]: 'bad-1',
      [Headers.deadLetterCode]: 'KAFKA.DECODING_FAILED',
      [Headers.deadLetterTopic]: topic,
      [Headers.deadLetterAttempts]: '1',
    });
    expect(letter.headers[Headers.deadLetterReason]).toContain('wire format');
  });

  it('retries a transient failure with backoff and dead-letters a permanent one at once', async () => {
    const topic = uniqueName('test.probe');
    const event = probeEvent(topic);
    await createTopics([topic, deadLetterTopicOf(topic)]);
    const dead = await collectTopic(deadLetterTopicOf(topic));
    closers.push(dead.stop);
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    await startConsumer(topic, async (e) => {
      const probe = e.value as ProbeRecorded;
      const attempt = (attempts.get(probe.probeId) ?? 0) + 1;
      attempts.set(probe.probeId, attempt);
      if (probe.note === 'flaky' && attempt < 3) throw new UnavailableError('TEST.MIS_DOWN', 'the MIS does not answer');
      if (probe.note === 'refused') throw new ConflictError('TEST.SLOT_TAKEN', 'slot is taken');
      handled.push(probe.probeId);
    });

    const flaky = aProbe({ note: 'flaky' });
    const refused = aProbe({ note: 'refused' });
    const after = aProbe();
    for (const probe of [flaky, refused, after]) await publisher.publish({ event, key: 'one-partition', value: probe });

    await waitFor(async () => handled.includes(after.probeId), 'the event after the refused one');
    expect(handled).toEqual([flaky.probeId, after.probeId]);
    expect(attempts.get(flaky.probeId)).toBe(3);
    expect(attempts.get(refused.probeId)).toBe(1);
    const [letter] = await waitFor(async () => dead.records.length > 0 && dead.records, 'the dead letter');
    expect(letter.headers).toMatchObject({ [Headers.deadLetterCode]: 'TEST.SLOT_TAKEN', [Headers.deadLetterAttempts]: '1' });
    expect(letter.headers[Headers.deadLetterReason]).toBe('slot is taken');
    expect(dead.records).toHaveLength(1);
  });

  it('applies a redelivered event once', async () => {
    const topic = uniqueName('test.probe');
    const event = probeEvent(topic);
    const groupId = uniqueName('group');
    await createTopics([topic]);
    await dataSource.query(`CREATE TABLE IF NOT EXISTS test_probe_effect (probe_id text, event_id text)`);
    const processed = new ProcessedEvents(dataSource);
    const seen: string[] = [];
    await startConsumer(
      topic,
      async (e) => {
        seen.push(e.eventId);
        await processed.applyOnce(groupId, e.eventId, (tx) =>
          tx.query(`INSERT INTO test_probe_effect (probe_id, event_id) VALUES ($1, $2)`, [(e.value as ProbeRecorded).probeId, e.eventId]),
        );
      },
      groupId,
    );

    const probe = aProbe();
    const eventId = randomUUID();
    await publisher.publish({ event, key: probe.probeId, value: probe, eventId });
    await publisher.publish({ event, key: probe.probeId, value: probe, eventId });

    await waitFor(async () => seen.length === 2, 'both deliveries');
    const effects: unknown[] = await dataSource.query(`SELECT * FROM test_probe_effect WHERE probe_id = $1`, [probe.probeId]);
    expect(effects).toEqual([{ probe_id: probe.probeId, event_id: eventId }]);
    expect(await processed.wasProcessed(groupId, eventId)).toBe(true);
  });

  describe('the transactional outbox', () => {
    it('never publishes a row written in a rolled-back transaction', async () => {
      const topic = uniqueName('test.probe');
      const event = probeEvent(topic);
      await createTopics([topic]);
      const outbox = new Outbox();
      const probe = aProbe();
      await expect(
        dataSource.transaction(async (tx) => {
          await outbox.enqueue(tx, { event, key: probe.probeId, value: probe });
          throw new Error('the business change failed');
        }),
      ).rejects.toThrow('the business change failed');
      const committed = aProbe();
      await dataSource.transaction((tx) => outbox.enqueue(tx, { event, key: committed.probeId, value: committed }));

      const collected = await collectTopic(topic);
      closers.push(collected.stop);
      const relay = new OutboxRelay({ dataSource, publisher, events: [event], idleDelayMs: 20, logger: quietLogger });
      relay.start();
      closers.push(() => relay.stop());

      await waitFor(async () => collected.records.length > 0, 'the committed row to be published');
      const codec = new AvroCodec(testConnection().schemaRegistryUrl);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const values = await Promise.all(collected.records.map(async (r) => (await codec.decode(r.value)).value));
      expect(values).toEqual([committed]);
      const rows: unknown[] = await dataSource.query(`SELECT 1 FROM medbus_outbox WHERE topic = $1`, [topic]);
      expect(rows).toHaveLength(1);
    });

    it('publishes a committed row exactly once across a relay restart', async () => {
      const topic = uniqueName('test.probe');
      const event = probeEvent(topic);
      await createTopics([topic]);
      const outbox = new Outbox();
      const first = aProbe();
      const firstId = await dataSource.transaction((tx) => outbox.enqueue(tx, { event, key: first.probeId, value: first }));
      const collected = await collectTopic(topic);
      closers.push(collected.stop);

      const relay = new OutboxRelay({ dataSource, publisher, events: [event], idleDelayMs: 20, logger: quietLogger });
      relay.start();
      await waitFor(async () => collected.records.length === 1, 'the first row');
      await relay.stop();

      const second = aProbe();
      const secondId = await dataSource.transaction((tx) => outbox.enqueue(tx, { event, key: second.probeId, value: second }));
      const restarted = new OutboxRelay({ dataSource, publisher: new EventPublisher(testConnection()), events: [event], idleDelayMs: 20, logger: quietLogger });
      restarted.start();
      closers.push(() => restarted.stop());
      await waitFor(async () => collected.records.length >= 2, 'the second row');
      await new Promise((resolve) => setTimeout(resolve, 500));

      expect(collected.records.map((r) => r.headers[Headers.eventId])).toEqual([firstId, secondId]);
      const unpublished: unknown[] = await dataSource.query(`SELECT 1 FROM medbus_outbox WHERE topic = $1 AND published_at IS NULL`, [topic]);
      expect(unpublished).toHaveLength(0);
    });
  });
});
