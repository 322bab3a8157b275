import { Client } from 'pg';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { kafkaSecurityConfigSchema, kafkaSecurityOf, loadConfig, type Env, type KafkaSecurity } from '@medbus/config';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { readStackEnv } from './stack-env.reader';

/** Addresses of the local stack (`npm run stack:up` writes them to `.medbus/stack.env`). */
export function stackAddresses(): { kafkaBrokers: string[]; kafkaSecurity: KafkaSecurity; schemaRegistryUrl: string; databaseUrl: string; zipkinUrl: string; otlpTracesUrl: string } {
  const required = (name: string): string => requiredIn(process.env, name);
  return {
    kafkaBrokers: required('KAFKA_BROKERS').split(','),
    kafkaSecurity: stackKafkaSecurity(),
    schemaRegistryUrl: required('SCHEMA_REGISTRY_URL'),
    databaseUrl: process.env.TEST_DATABASE_URL ?? required('DATABASE_URL'),
    zipkinUrl: required('ZIPKIN_URL'),
    otlpTracesUrl: required('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'),
  };
}

/** The stack's settings (`.medbus/stack.env`) under what the process exports itself: a tool run without them in its environment still finds them. */
export function stackEnv(): Env {
  return { ...readStackEnv(), ...process.env };
}

function requiredIn(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: start the stack with \`npm run stack:up\` (it writes .medbus/stack.env)`);
  return value;
}

/** A connection to the stack's Kafka and registry as the stack's admin principal (tests run in namespaces of their own). */
export function testConnection(clientId = `medbus-test-${randomUUID().slice(0, 8)}`): { brokers: string[]; clientId: string; schemaRegistryUrl: string } & KafkaSecurity {
  const { kafkaBrokers, kafkaSecurity, schemaRegistryUrl } = stackAddresses();
  return { brokers: kafkaBrokers, clientId, schemaRegistryUrl, ...kafkaSecurity };
}

/** The SASL credentials and TLS of the stack's Kafka (`.medbus/stack.env`); `{}` while the broker runs without. */
export function stackKafkaSecurity(env: Env = stackEnv()): KafkaSecurity {
  return kafkaSecurityOf(loadConfig(kafkaSecurityConfigSchema, env));
}

const kafkaSecurityVariables = Object.keys(kafkaSecurityConfigSchema.shape);

/** The stack's KAFKA_SASL_* and KAFKA_SSL* variables, for a service started with an environment of its own. */
export function stackKafkaEnv(env: Env = stackEnv()): Record<string, string> {
  return Object.fromEntries(kafkaSecurityVariables.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
}

/**
 * A client of the stack's Kafka with its credentials. The same settings as `@medbus/kafka`'s
 * kafkaClientOf, which this library cannot import: that library's tests import this one.
 */
export function stackKafka(clientId: string, env: Env = stackEnv()): KafkaJS.Kafka {
  const { sasl, ssl } = stackKafkaSecurity(env);
  return new KafkaJS.Kafka({
    kafkaJS: {
      brokers: requiredIn(env, 'KAFKA_BROKERS').split(','),
      clientId,
      logLevel: KafkaJS.logLevel.NOTHING,
      ...(sasl === undefined ? {} : { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } }),
      ...(ssl === undefined ? {} : { ssl: true }),
    },
    ...(ssl?.caFile === undefined ? {} : { 'ssl.ca.location': ssl.caFile }),
  });
}

/**
 * A client properties file for Kafka's Java tools (`--command-config`, `--producer.config`) with the
 * stack's credentials, readable by its owner only; undefined when the broker needs none.
 */
export function kafkaToolConfigFile(env: Env = stackEnv()): string | undefined {
  const { sasl, ssl } = stackKafkaSecurity(env);
  if (sasl === undefined && ssl === undefined) return undefined;
  const lines = [`security.protocol=${sasl ? (ssl ? 'SASL_SSL' : 'SASL_PLAINTEXT') : 'SSL'}`];
  if (sasl) {
    const loginModule = sasl.mechanism === 'plain' ? 'org.apache.kafka.common.security.plain.PlainLoginModule' : 'org.apache.kafka.common.security.scram.ScramLoginModule';
    const quoted = (text: string) => JSON.stringify(text);
    lines.push(`sasl.mechanism=${sasl.mechanism.toUpperCase()}`, `sasl.jaas.config=${loginModule} required username=${quoted(sasl.username)} password=${quoted(sasl.password)};`);
  }
  if (ssl?.caFile) lines.push('ssl.truststore.type=PEM', `ssl.truststore.location=${ssl.caFile}`);
  const text = `${lines.join('\n')}\n`;
  const file = join(tmpdir(), `medbus-kafka-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.properties`);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** A unique name per test run, so tests never see each other's topics, groups or subjects. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
}

const MIGRATION_LOCK = 7_781_001;

/**
 * A service's tables in a schema of the test's own: the schema created, a data source whose
 * search_path is it, and the migrations run. Drop it with {@link dropSchemas}.
 */
export async function schemaDataSource(
  schema: string,
  options: { readonly migrations: DataSourceOptions['migrations']; readonly migrationsTableName: string; readonly max?: number },
): Promise<DataSource> {
  const admin = new Client({ connectionString: stackAddresses().databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  const dataSource = new DataSource({
    type: 'postgres',
    url: stackAddresses().databaseUrl,
    extra: { options: `-c search_path=${schema}`, max: options.max ?? 4 },
    migrations: options.migrations,
    migrationsTableName: options.migrationsTableName,
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/**
 * Drops test schemas on a connection of its own, without the services' statement timeout: call it
 * after the app that used them has closed, so the drop waits for no transaction of theirs.
 */
export async function dropSchemas(...schemas: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: stackAddresses().databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

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
  const kafka = stackKafka(uniqueName('collector'));
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
  const admin = stackKafka(uniqueName('admin'), { ...stackEnv(), KAFKA_BROKERS: brokers.join(',') }).admin();
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
  const toolConfig = kafkaToolConfigFile();
  if (toolConfig) args.push('--command-config', toolConfig);
  args.push('--to-datetime', since.toISOString(), '--execute', ...topics.flatMap((topic) => ['--topic', topic]));
  await promisify(execFile)('bash', args, { cwd: root, timeout: 120_000 });
}
