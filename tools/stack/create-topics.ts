import { KafkaJS } from '@confluentinc/kafka-javascript';
import { Topics } from '@medbus/contracts';
import { deadLetterTopicOf } from '@medbus/kafka';

/**
 * Creates medbus's topics (and their dead-letter topics) when missing. A consumer subscribed to a
 * topic that does not exist yet only notices it at its next metadata refresh, minutes later, so
 * the topics exist before any service starts.
 */
async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const partitions = Number(process.env.MEDBUS_TOPIC_PARTITIONS ?? 3);
  const admin = new KafkaJS.Kafka({ kafkaJS: { brokers, clientId: 'medbus-topics', logLevel: KafkaJS.logLevel.NOTHING } }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = Object.values(Topics).flatMap((topic) => [topic, deadLetterTopicOf(topic)]);
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
    }
    process.stdout.write(`[topics] ${wanted.length - missing.length} present, ${missing.length} created${missing.length ? `: ${missing.join(', ')}` : ''}\n`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[topics] failed: ${(error as Error).message}\n`);
  process.exit(1);
});
