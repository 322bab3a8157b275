import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { SpanKind, SpanStatusCode, context, trace, type Context } from '@opentelemetry/api';
import { AvroCodec } from './avro-codec.service';
import { kafkaClientOf } from './kafka.client';
import { Headers, injectTraceContext, type StringHeaders } from './kafka-headers.mapper';
import { routedEvent } from './adapter-topics.mapper';
import type { EventDefinition, KafkaConnectionOptions } from './kafka.config';

export interface PublishOptions {
  /** Defaults to a new UUID; keep it stable when re-publishing the same fact (the outbox does). */
  readonly eventId?: string;
  readonly correlationId?: string;
  /** Parent of the producer span; defaults to the active context. */
  readonly parentContext?: Context;
  /** The adapter whose topic a per-adapter event goes to (the booking service's commands); defaults to the publisher's origin. */
  readonly adapterId?: string;
}

export interface EventPublisherSettings {
  /** The MIS adapter this publisher speaks for: its per-adapter events go to that adapter's topics. */
  readonly origin?: string;
  readonly codec?: AvroCodec;
}

export interface OutgoingEvent<T = unknown> extends PublishOptions {
  readonly event: EventDefinition;
  /** Aggregate id: all events of one aggregate land on one partition, in order. */
  readonly key: string;
  readonly value: T;
}

const tracer = trace.getTracer('@medbus/kafka');

/**
 * Publishes Avro events with the standard headers through an idempotent producer
 * (acks=all, so a retried send is never written twice).
 */
export class EventPublisher {
  private readonly producer: KafkaJS.Producer;
  private connected?: Promise<void>;
  private readonly codec: AvroCodec;
  private readonly origin?: string;

  constructor(
    private readonly options: KafkaConnectionOptions,
    settings: EventPublisherSettings = {},
  ) {
    this.codec = settings.codec ?? new AvroCodec(options.schemaRegistryUrl);
    this.origin = settings.origin;
    this.producer = kafkaClientOf(options, options.clientId).producer({ kafkaJS: { idempotent: true, acks: -1 }, 'linger.ms': 5 });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async publish<T>(outgoing: OutgoingEvent<T>): Promise<string> {
    const [eventId] = await this.publishAll([outgoing]);
    return eventId;
  }

  /** Sends the events in order and resolves once every one is acknowledged by the broker. */
  async publishAll(events: readonly OutgoingEvent[]): Promise<string[]> {
    await this.connect();
    const eventIds: string[] = [];
    const spans = [];
    const byTopic = new Map<string, KafkaJS.Message[]>();
    for (const outgoing of events) {
      const event = routedEvent(outgoing.event, outgoing.adapterId ?? this.origin, this.options.namespace);
      const eventId = outgoing.eventId ?? randomUUID();
      eventIds.push(eventId);
      const span = tracer.startSpan(
        `send ${event.topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.destination.name': event.topic,
            'messaging.message.id': eventId,
            'medbus.event_type': event.name,
          },
        },
        outgoing.parentContext ?? context.active(),
      );
      spans.push(span);
      const headers: StringHeaders = {
        [Headers.eventId]: eventId,
        [Headers.eventType]: event.name,
        [Headers.correlationId]: outgoing.correlationId ?? eventId,
      };
      injectTraceContext(headers, trace.setSpan(context.active(), span));
      const value = await this.codec.encode(event, outgoing.value);
      const messages = byTopic.get(event.topic) ?? [];
      messages.push({ key: outgoing.key, value, headers });
      byTopic.set(event.topic, messages);
    }
    try {
      await this.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    } catch (error) {
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
    return eventIds;
  }

  /** Sends raw bytes as they are (dead letters keep the original value). */
  async publishRaw(topic: string, message: KafkaJS.Message): Promise<void> {
    await this.connect();
    await this.producer.send({ topic, messages: [message] });
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    await this.connected.catch(() => undefined);
    await this.producer.disconnect();
    this.connected = undefined;
  }
}
