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
  'max.partition.fetch.bytes': 1024 * 1024,
} as const;

/** Dead letters of a topic go to `<topic>.dlq`, keeping the original key, value and headers. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}
