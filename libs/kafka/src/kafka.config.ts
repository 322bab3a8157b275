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

/** Dead letters of a topic go to `<topic>.dlq`, keeping the original key, value and headers. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}
