import { KafkaJS } from '@confluentinc/kafka-javascript';
import { kafkaClientOf } from './kafka.client';
import { deadLetterTopicOf, namespaced, type KafkaConnectionOptions } from './kafka.config';

/** Brokers and credentials of an admin client, and the namespace its topics are in. */
export type TopicsConnection = Pick<KafkaConnectionOptions, 'sasl' | 'ssl' | 'namespace'> & { readonly brokers: readonly string[] };

/**
 * Creates topics (and their dead-letter topics) in a namespace when missing. A consumer subscribed
 * to a topic that does not exist yet only notices it at its next metadata refresh, minutes later,
 * so a run creates its topics before any of its services start. Returns the names created.
 */
export async function ensureTopics(
  connection: TopicsConnection,
  topics: readonly string[],
  partitions: number,
): Promise<{ present: string[]; created: string[] }> {
  const admin = kafkaClientOf(connection, 'medbus-topics', KafkaJS.logLevel.NOTHING).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = topics.flatMap((topic) => [topic, deadLetterTopicOf(topic)]).map((topic) => namespaced(topic, connection.namespace));
    const created = wanted.filter((topic) => !existing.has(topic));
    if (created.length > 0) {
      await admin.createTopics({ topics: created.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
    }
    return { present: wanted.filter((topic) => existing.has(topic)), created };
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every topic of a namespace (a finished test region's or benchmark's bus). */
export async function deleteNamespaceTopics(connection: TopicsConnection, namespace: string): Promise<string[]> {
  const prefix = namespaced('', namespace);
  if (prefix === '') throw new Error('deleting a namespace needs one: the contract topics are never deleted');
  const admin = kafkaClientOf(connection, 'medbus-topics', KafkaJS.logLevel.NOTHING).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    return topics;
  } finally {
    await admin.disconnect();
  }
}
