import { kafkaSecurityConfigSchema, kafkaSecurityOf, loadConfig } from '@medbus/config';
import { Topics } from '@medbus/contracts';
import { adapterTopicsOf, ensureTopics, isPerAdapterTopic } from '@medbus/kafka';

/**
 * Creates medbus's topics (and their dead-letter topics) when missing, in KAFKA_NAMESPACE when set
 * (a test region's or the benchmark's own bus), before any service starts: the shared ones and each
 * adapter's own (MEDBUS_ADAPTER_IDS, comma-separated; default the demo's `hubservice-demo`).
 */
async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const partitions = Number(process.env.MEDBUS_TOPIC_PARTITIONS ?? 3);
  const namespace = process.env.KAFKA_NAMESPACE || undefined;
  const security = kafkaSecurityOf(loadConfig(kafkaSecurityConfigSchema));
  const adapterIds = (process.env.MEDBUS_ADAPTER_IDS ?? 'hubservice-demo').split(',').map((id) => id.trim()).filter(Boolean);
  const topics = [...Object.values(Topics).filter((topic) => !isPerAdapterTopic(topic)), ...adapterIds.flatMap((id) => adapterTopicsOf(id))];
  const { present, created } = await ensureTopics({ brokers, namespace, ...security }, topics, partitions);
  process.stdout.write(`[topics]${namespace ? ` namespace ${namespace}:` : ''} ${present.length} present, ${created.length} created${created.length ? `: ${created.join(', ')}` : ''}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[topics] failed: ${(error as Error).message}\n`);
  process.exit(1);
});
