import { KafkaJS } from '@confluentinc/kafka-javascript';
import { deadLetterTopicOf, namespaced } from './kafka.config';

/**
 * Creates topics (and their dead-letter topics) in a namespace when missing. A consumer subscribed
 * to a topic that does not exist yet only notices it at its next metadata refresh, minutes later,
 * so a run creates its topics before any of its services start. Returns the names created.
 */
export async function ensureTopics(
  connection: { readonly brokers: readonly string[]; readonly namespace?: string },
  topics: readonly string[],
  partitions: number,
): Promise<{ present: string[]; created: string[] }> {
  const admin = new KafkaJS.Kafka({ kafkaJS: { brokers: [...connection.brokers], clientId: 'medbus-topics', logLevel: KafkaJS.logLevel.NOTHING } }).admin();
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
export async function deleteNamespaceTopics(connection: { readonly brokers: readonly string[] }, namespace: string): Promise<string[]> {
  const prefix = namespaced('', namespace);
  if (prefix === '') throw new Error('deleting a namespace needs one: the contract topics are never deleted');
  const admin = new KafkaJS.Kafka({ kafkaJS: { brokers: [...connection.brokers], clientId: 'medbus-topics', logLevel: KafkaJS.logLevel.NOTHING } }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    return topics;
  } finally {
    await admin.disconnect();
  }
}
