import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { SpanKind, SpanStatusCode, context, trace, type Attributes } from '@opentelemetry/api';
import { AppError, isRetryable } from '@medbus/errors';
import { AvroCodec, type DecodedEvent } from './avro-codec.service';
import { kafkaClientOf } from './kafka.client';
import { Headers, extractTraceContext, headersAsText, type StringHeaders } from './kafka-headers.mapper';
import { OutageBackoff, backoffMs, faultOf } from './fault.mapper';
import { consumerTuning, deadLetterTopicOf, namespaced, defaultRetryPolicy, type KafkaConnectionOptions, type RetryPolicy } from './kafka.config';
import { originOf } from './adapter-topics.mapper';
import type { EventPublisher } from './event-publisher.service';

/** One decoded event as a handler sees it. */
export interface ConsumedEvent<T = unknown> {
  readonly eventId: string;
  readonly eventType: string;
  readonly correlationId: string;
  readonly fullName: string;
  readonly schemaId: number;
  readonly key: string | null;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: StringHeaders;
  readonly value: T;
  /** The MIS adapter whose topic it came from (only that adapter may write it), or undefined on a shared topic. */
  readonly origin?: string;
}

export interface ConsumerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface EventConsumerOptions {
  readonly connection: KafkaConnectionOptions;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handle: (event: ConsumedEvent) => Promise<void>;
  /** Publishes dead letters; shared with the service's own publisher when it has one. */
  readonly deadLetters: EventPublisher;
  readonly retry?: RetryPolicy;
  /** A new group starts at the earliest offset (default) or only sees new messages. */
  readonly fromBeginning?: boolean;
  /**
   * Partitions whose messages are handled at the same time (default 1). Order within a partition
   * (one aggregate's events) is kept; handlers must tolerate events of different keys in parallel,
   * as they must anyway with several instances in the group.
   */
  readonly partitionsConcurrently?: number;
  readonly logger?: ConsumerLogger;
  readonly codec?: AvroCodec;
}

const tracer = trace.getTracer('@medbus/kafka');

/**
 * Consumes Avro events: decodes, continues the producer's trace, retries a failing handler
 * with exponential backoff, and dead-letters what cannot be decoded or keeps failing,
 * so that one bad message never stops its partition.
 */
export class EventConsumer {
  private readonly consumer: KafkaJS.Consumer;
  private readonly codec: AvroCodec;
  private readonly retry: RetryPolicy;
  private readonly logger: ConsumerLogger;
  private stopping = false;
  private readonly outage = new OutageBackoff();

  constructor(private readonly options: EventConsumerOptions) {
    this.consumer = kafkaConsumerOf(options.connection, options.groupId, options.fromBeginning ?? true);
    this.codec = options.codec ?? new AvroCodec(options.connection.schemaRegistryUrl);
    this.retry = options.retry ?? defaultRetryPolicy;
    this.logger = options.logger ?? console;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics.map((topic) => namespaced(topic, this.options.connection.namespace)) });
    await this.consumer.run({
      partitionsConsumedConcurrently: Math.max(1, this.options.partitionsConcurrently ?? 1),
      eachMessage: (payload) => this.onMessage(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }

  private async onMessage({ topic, partition, message, pause }: KafkaJS.EachMessagePayload): Promise<void> {
    try {
      await this.traced(topic, partition, message);
      this.outage.recovered();
    } catch (error) {
      if (!(error instanceof InfrastructureFault)) throw error;
      // Pause the partition and throw: the client seeks back to this message, which is fetched again
      // once the partition resumes. Nothing is dead-lettered for an outage, however long.
      const wait = this.outage.pauseFor(pause);
      this.logger.warn(`${this.options.groupId}: ${topic}/${partition}@${message.offset} waits ${wait} ms for its dependencies (${this.outage.inARow} in a row): ${error.message}`);
      throw error;
    }
  }

  private async traced(topic: string, partition: number, message: KafkaJS.KafkaMessage): Promise<void> {
    const headers = headersAsText(message.headers);
    const parent = extractTraceContext(headers);
    const span = tracer.startSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...consumerSpanAttributes(topic, partition, this.options.groupId),
          'messaging.kafka.offset': Number(message.offset),
          ...(headers[Headers.eventId] ? { 'messaging.message.id': headers[Headers.eventId] } : {}),
          ...(headers[Headers.eventType] ? { 'medbus.event_type': headers[Headers.eventType] } : {}),
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), () => this.process(topic, partition, message));
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  private async process(topic: string, partition: number, message: KafkaJS.KafkaMessage): Promise<void> {
    let event: ConsumedEvent;
    try {
      event = await decodeMessage(this.codec, topic, partition, message, originOf(topic, this.options.connection.namespace));
    } catch (error) {
      if (faultOf(error) === 'infrastructure') throw new InfrastructureFault(error);
      await this.deadLetter(topic, partition, message, error, 1);
      return;
    }

    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handle(event);
        return;
      } catch (error) {
        const fault = faultOf(error);
        if (fault === 'infrastructure' || this.stopping) throw new InfrastructureFault(error);
        if (fault === 'content' || attempt >= this.retry.maxAttempts || !isRetryable(error)) {
          await this.deadLetter(topic, partition, message, error, attempt);
          return;
        }
        const backoff = backoffMs(attempt, this.retry.initialBackoffMs, this.retry.maxBackoffMs);
        this.logger.warn(
          `${this.options.groupId}: ${event.eventType} ${event.eventId} failed (attempt ${attempt}/${this.retry.maxAttempts}), retrying in ${backoff} ms: ${codeOf(error)}`,
        );
        await sleep(backoff);
      }
    }
  }

  private deadLetter(topic: string, partition: number, message: KafkaJS.KafkaMessage, error: unknown, attempts: number): Promise<void> {
    this.logger.error(`${this.options.groupId}: dead-lettering ${topic}/${partition}@${message.offset} after ${attempts} attempt(s): ${codeOf(error)}`);
    return deadLetterMessage(this.options.deadLetters, this.options.groupId, { topic, partition, message }, error, attempts, this.options.connection.namespace);
  }
}

/** What every consumer span says (OpenTelemetry's messaging conventions). */
export function consumerSpanAttributes(topic: string, partition: number, groupId: string): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': topic,
    'messaging.consumer.group.name': groupId,
    'messaging.destination.partition.id': String(partition),
  };
}

/**
 * A consumer in the group (inside the connection's namespace) with the settings every medbus
 * consumer shares: offsets committed by the client once stored, bounded prefetch, and a session
 * timeout that hands a killed member's partitions on within 10 s (librdkafka's 45 s default kept
 * bookings waiting for a restarted instance). `extra`: librdkafka settings of the caller's own.
 */
export function kafkaConsumerOf(
  connection: KafkaConnectionOptions,
  groupId: string,
  fromBeginning: boolean,
  extra: { readonly autoCommitInterval?: number; readonly rdkafka?: Readonly<Record<string, string | number>> } = {},
): KafkaJS.Consumer {
  return kafkaClientOf(connection, connection.clientId).consumer({
    kafkaJS: {
      groupId: namespaced(groupId, connection.namespace),
      fromBeginning,
      autoCommit: true,
      ...(extra.autoCommitInterval === undefined ? {} : { autoCommitInterval: extra.autoCommitInterval }),
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
    },
    ...extra.rdkafka,
    ...consumerTuning,
  });
}

/** A dependency is down: the message was not applied and must be tried again later, never dead-lettered. */
export class InfrastructureFault extends Error {
  constructor(readonly original: unknown) {
    super(`infrastructure unavailable: ${original instanceof Error ? original.message : String(original)}`, { cause: original });
    this.name = 'InfrastructureFault';
  }
}

/** Decodes a fetched message into what handlers see; throws DecodingError (content) or UnavailableError (registry down). */
export async function decodeMessage(codec: AvroCodec, topic: string, partition: number, message: KafkaJS.KafkaMessage, origin?: string): Promise<ConsumedEvent> {
  return consumedEventOf(topic, partition, message, codec.decodeKnown(message.value) ?? (await codec.decode(message.value)), origin);
}

/** The same, without waiting, when the writer's schema is known already; undefined when the registry must be asked. */
export function decodeKnownMessage(codec: AvroCodec, topic: string, partition: number, message: KafkaJS.KafkaMessage, origin?: string): ConsumedEvent | undefined {
  const decoded = codec.decodeKnown(message.value);
  return decoded && consumedEventOf(topic, partition, message, decoded, origin);
}

function consumedEventOf(topic: string, partition: number, message: KafkaJS.KafkaMessage, decoded: DecodedEvent, origin: string | undefined): ConsumedEvent {
  const headers = headersAsText(message.headers);
  const eventType = headers[Headers.eventType] ?? decoded.fullName.split('.').pop() ?? decoded.fullName;
  const eventId = headers[Headers.eventId] ?? `${topic}/${partition}/${message.offset}`;
  return {
    eventId,
    eventType,
    correlationId: headers[Headers.correlationId] ?? eventId,
    fullName: decoded.fullName,
    schemaId: decoded.schemaId,
    key: message.key ? message.key.toString('utf8') : null,
    topic,
    partition,
    offset: message.offset,
    headers,
    value: decoded.value,
    origin,
  };
}

/** Sends a message that cannot be applied to `dlq.<topic>` (in the namespace) with its original bytes and why. */
export async function deadLetterMessage(
  publisher: EventPublisher,
  groupId: string,
  origin: { readonly topic: string; readonly partition: number; readonly message: KafkaJS.KafkaMessage },
  error: unknown,
  attempts: number,
  namespace?: string,
): Promise<void> {
  const { topic, partition, message } = origin;
  const reason = error instanceof Error ? error.message : String(error);
  await publisher.publishRaw(deadLetterTopicOf(topic, namespace), {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [Headers.deadLetterReason]: reason.slice(0, 2_000),
      [Headers.deadLetterCode]: codeOf(error),
      [Headers.deadLetterTopic]: topic,
      [Headers.deadLetterPartition]: String(partition),
      [Headers.deadLetterOffset]: message.offset,
      [Headers.deadLetterGroup]: groupId,
      [Headers.deadLetterAttempts]: String(attempts),
      [Headers.deadLetterAt]: new Date().toISOString(),
    },
  });
}

export function codeOf(error: unknown): string {
  return error instanceof AppError ? error.code : 'COMMON.UNHANDLED';
}
