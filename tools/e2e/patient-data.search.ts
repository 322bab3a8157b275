import { Client } from 'pg';
import { namespaced } from '@medbus/kafka';
import { stackAddresses, stackKafka, uniqueName } from '@medbus/testing';
import { eventually } from './region.process';

/**
 * Where an end-to-end test looks for patients' data that must not be there (issues 9 and 11): the
 * run's Kafka namespace, a schema's tables, a folder of files, a service's traces in Zipkin.
 */

/** A seeded value and one form of it to search for. */
export interface Needle {
  readonly value: string;
  readonly form: string;
}

/** The forms a value may take on the way: as written, digits only, percent-encoded in a URL. */
export function formsOf(value: string): string[] {
  const digits = value.replace(/\D/g, '');
  return [...new Set([value, encodeURIComponent(value), ...(digits.length >= 10 ? [digits, digits.slice(1)] : [])])];
}

/** Every seeded value found in `text`, with a little context, for the failure message. */
export function leaksIn(where: string, text: string, needles: readonly Needle[]): string[] {
  return needles.flatMap(({ value, form }) => {
    const at = text.indexOf(form);
    return at < 0 ? [] : [`${where}: ${JSON.stringify(value)} as ${JSON.stringify(form)} in …${text.slice(Math.max(0, at - 80), at + form.length + 40)}…`];
  });
}

/** Every record of every topic of the run's namespace, as text: keys, values (Avro strings are UTF-8) and headers. */
export async function namespaceMessages(namespace: string): Promise<{ topics: string[]; count: number; text: string }> {
  const kafka = stackKafka(uniqueName('pd-reader'));
  const admin = kafka.admin();
  await admin.connect();
  const prefix = namespaced('', namespace);
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) if (Number(p.high) > Number(p.low)) ends.set(`${topic}/${p.partition}`, Number(p.high));
  }
  await admin.disconnect();
  const seen = new Map<string, number>();
  const parts: string[] = [];
  const consumer = kafka.consumer({ kafkaJS: { groupId: uniqueName('pd-reader'), fromBeginning: true } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers = Object.entries(message.headers ?? {}).map(([name, value]) => `${name}=${[value].flat().map((v) => v?.toString() ?? '').join(',')}`);
        parts.push(`${topic} ${message.key?.toString() ?? ''} ${message.value?.toString('utf8') ?? ''} ${headers.join(' ')}`);
        seen.set(`${topic}/${partition}`, Number(message.offset));
      },
    });
    await eventually(async () => [...ends].every(([partition, end]) => (seen.get(partition) ?? -1) >= end - 1), 'every message of the namespace read', 60_000, 250);
  } finally {
    await consumer.disconnect();
  }
  return { topics, count: parts.length, text: parts.join('\n') };
}

/** Every row of every table of a schema, as text. */
export async function tablesAsText(databaseUrl: string, schema: string): Promise<{ tables: string[]; text: string }> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const tables = (await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, [schema])).rows.map(
      (row) => row.table_name,
    );
    const parts: string[] = [];
    for (const table of tables) {
      const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table}" t`);
      parts.push(...rows.rows.map((row) => `${table} ${row.row}`));
    }
    return { tables, text: parts.join('\n') };
  } finally {
    await db.end();
  }
}

/** Every trace of a service in Zipkin since `since` (epoch ms), as its JSON text. */
export async function zipkinTraces(serviceName: string, since: number): Promise<string> {
  const lookback = Date.now() - since + 60_000;
  const response = await fetch(`${stackAddresses().zipkinUrl}/api/v2/traces?serviceName=${serviceName}&lookback=${lookback}&endTs=${Date.now()}&limit=100000`);
  if (!response.ok) throw new Error(`Zipkin answered ${response.status}`);
  return response.text();
}

