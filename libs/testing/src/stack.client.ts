import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { DataSource, type DataSourceOptions } from 'typeorm';

/** Addresses of the local stack (`npm run stack:up` writes them to `.medbus/stack.env`). */
export function stackAddresses(): { kafkaBrokers: string[]; schemaRegistryUrl: string; databaseUrl: string; zipkinUrl: string; otlpTracesUrl: string } {
  const required = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: start the stack with \`npm run stack:up\` (it writes .medbus/stack.env)`);
    return value;
  };
  return {
    kafkaBrokers: required('KAFKA_BROKERS').split(','),
    schemaRegistryUrl: required('SCHEMA_REGISTRY_URL'),
    databaseUrl: process.env.TEST_DATABASE_URL ?? required('DATABASE_URL'),
    zipkinUrl: required('ZIPKIN_URL'),
    otlpTracesUrl: required('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'),
  };
}

export function testConnection(clientId = `medbus-test-${randomUUID().slice(0, 8)}`): { brokers: string[]; clientId: string; schemaRegistryUrl: string } {
  const { kafkaBrokers, schemaRegistryUrl } = stackAddresses();
  return { brokers: kafkaBrokers, clientId, schemaRegistryUrl };
}

/** A unique name per test run, so tests never see each other's topics, groups or subjects. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
}

const MIGRATION_LOCK = 7_781_001;

/** A DataSource on the test database with the given migrations run (serialised across test workers). */
export async function testDataSource(migrations: DataSourceOptions['migrations']): Promise<DataSource> {
  const dataSource = new DataSource({ type: 'postgres', url: stackAddresses().databaseUrl, migrations, migrationsTableName: 'medbus_test_migrations' });
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations();
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
  return dataSource;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export interface RawRecord {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  offset: string;
}

/** Reads a topic from the beginning with a throw-away group, collecting raw records as they arrive. */
export async function collectTopic(topic: string): Promise<{ records: RawRecord[]; stop: () => Promise<void> }> {
  const { brokers } = testConnection();
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers, clientId: uniqueName('collector'), logLevel: KafkaJS.logLevel.NOTHING } });
  const consumer = kafka.consumer({ kafkaJS: { groupId: uniqueName('collector'), fromBeginning: true } });
  const records: RawRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        const first = Array.isArray(value) ? value[0] : value;
        if (first !== undefined) headers[name] = first.toString();
      }
      records.push({ key: message.key?.toString() ?? null, value: message.value, headers, offset: message.offset });
    },
  });
  return { records, stop: () => consumer.disconnect() };
}

/** Creates topics up front, so consumers that join before the first publish see everything. */
export async function createTopics(topics: string[], partitions = 1, brokers = stackAddresses().kafkaBrokers): Promise<void> {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers, clientId: uniqueName('admin'), logLevel: KafkaJS.logLevel.NOTHING } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
  } finally {
    await admin.disconnect();
  }
}

export interface TestField {
  readonly name: string;
  readonly type: unknown;
  readonly default?: unknown;
}

/** An event type of the tests' own, on its own topic, shaped like a generated contract. */
export function aTestEventType(topic: string, name: string, fields: readonly TestField[]) {
  const namespace = 'ru.medbus.test';
  const fullName = `${namespace}.${name}`;
  return {
    name,
    fullName,
    topic,
    subject: `${topic}-${fullName}`,
    schema: { type: 'record', name, namespace, doc: `${name}, a test event.`, fields: fields.map((f) => ({ doc: f.name, ...f })) },
  };
}

/**
 * Positions a consumer group, before it first joins, at `since` on the given topics: a new group
 * would otherwise replay every event the shared topics hold (the demo's, other tests').
 */
export async function startGroupAt(groupId: string, topics: string[], since: Date, brokers = stackAddresses().kafkaBrokers): Promise<void> {
  await createTopics(topics, 3, brokers).catch(() => undefined);
  const root = join(__dirname, '..', '..', '..');
  const args = [join(root, 'tools/stack/kafka-run-class.sh'), 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand'];
  args.push('--bootstrap-server', brokers.join(','), '--group', groupId, '--reset-offsets');
  args.push('--to-datetime', since.toISOString(), '--execute', ...topics.flatMap((topic) => ['--topic', topic]));
  await promisify(execFile)('bash', args, { cwd: root, timeout: 120_000 });
}
