import { kafkaSecurityOf, type KafkaSasl, type KafkaSecurityConfig, type KafkaTls } from '@medbus/config';

/** An event type as the generated contracts describe it: enough to encode, route and register it. */
export interface EventDefinition {
  /** Short record name, also the value of the `event-type` header (`SlotPublished`). */
  readonly name: string;
  /** Avro full name (`ru.medbus.mis.slot.SlotPublished`). */
  readonly fullName: string;
  readonly topic: string;
  /** Registry subject (TopicRecordNameStrategy: `<topic>-<fullName>`). */
  readonly subject: string;
  readonly schema: object;
}

export interface KafkaConnectionOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly schemaRegistryUrl: string;
  /**
   * A run's own bus on shared servers (a test, the benchmark): its topics, registry subjects and
   * consumer groups are prefixed `<namespace>.`, so it never sees or disturbs another run's.
   * Absent in a deployment and the demo, which use the contract's names.
   */
  readonly namespace?: string;
  /** SASL credentials; absent on a broker without authentication. */
  readonly sasl?: KafkaSasl;
  /** TLS to the brokers; absent: plaintext. */
  readonly ssl?: KafkaTls;
}

/**
 * The connection a service's validated configuration describes (`@medbus/config`'s Kafka and registry settings).
 *
 * @throws ConfigError when the KAFKA_SASL_* and KAFKA_SSL* variables do not go together (`kafkaSecurityOf`).
 */
export function kafkaConnectionOf(
  config: { readonly KAFKA_BROKERS: string[]; readonly KAFKA_CLIENT_ID: string; readonly SCHEMA_REGISTRY_URL: string; readonly KAFKA_NAMESPACE?: string } & Partial<KafkaSecurityConfig>,
  clientIdSuffix?: string,
): KafkaConnectionOptions {
  return {
    brokers: config.KAFKA_BROKERS,
    clientId: clientIdSuffix ? `${config.KAFKA_CLIENT_ID}-${clientIdSuffix}` : config.KAFKA_CLIENT_ID,
    schemaRegistryUrl: config.SCHEMA_REGISTRY_URL,
    namespace: config.KAFKA_NAMESPACE,
    ...kafkaSecurityOf(config),
  };
}

/** Lower-case letters, digits and dashes: valid in topic, subject and group names. */
export const namespacePattern = /^[a-z0-9][a-z0-9-]{0,47}$/;

/** A topic or consumer group name as seen inside a namespace. */
export function namespaced(name: string, namespace: string | undefined): string {
  if (namespace === undefined || namespace === '') return name;
  if (!namespacePattern.test(namespace)) throw new Error(`namespace ${JSON.stringify(namespace)} must match ${namespacePattern}`);
  return `${namespace}.${name}`;
}

/** An event type inside a namespace: its topic and its registry subject (TopicRecordNameStrategy) prefixed. */
export function inNamespace(event: EventDefinition, namespace: string | undefined): EventDefinition {
  if (namespace === undefined || namespace === '') return event;
  const topic = namespaced(event.topic, namespace);
  return { ...event, topic, subject: `${topic}-${event.fullName}` };
}

export interface RetryPolicy {
  /** Attempts in all, the first included, before a message is dead-lettered. */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, initialBackoffMs: 200, maxBackoffMs: 5_000 };

/**
 * librdkafka settings every consumer shares. Its defaults prefetch up to 64 MB per consumer
 * (`queued.max.messages.kbytes`) and fetch 50 MB at a time, which alone would exceed a service's
 * 256 MB budget with two consumers; a few MB keep any batch we apply (at most a few thousand
 * messages of ~300 B) fed without the memory.
 */
export const consumerTuning = {
  'queued.max.messages.kbytes': 8_192,
  'fetch.max.bytes': 4 * 1024 * 1024,
  // The per-partition limit under the name the compat layer also sets (it overrides max.partition.fetch.bytes).
  'fetch.message.max.bytes': 1024 * 1024,
} as const;

/**
 * Dead letters of a topic go to `dlq.<topic>` (in a namespace `<ns>.dlq.<topic without ns>`), keeping
 * the original key, value and headers: one `dlq.` prefix a consumer may write without any write
 * access to the topics it reads (0012).
 */
export function deadLetterTopicOf(topic: string, namespace?: string): string {
  const prefix = namespaced('', namespace);
  if (prefix !== '' && topic.startsWith(prefix)) return namespaced(`dlq.${topic.slice(prefix.length)}`, namespace);
  return `dlq.${topic}`;
}
