import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Headers, injectTraceContext, type StringHeaders } from './kafka-headers.mapper';
import { isPerAdapterTopic, adapterTopicOf } from './adapter-topics.mapper';
import type { EventDefinition } from './kafka.config';

export interface OutboxMessage<T> {
  readonly event: EventDefinition;
  readonly key: string;
  readonly value: T;
  readonly eventId?: string;
  readonly correlationId?: string;
  /** The adapter whose topic a per-adapter event goes to (a booking command: the adapter of record). */
  readonly adapterId?: string;
}

/**
 * Writes an event into the outbox inside the caller's transaction: it is published by the
 * relay if and only if that transaction commits.
 */
export class Outbox {
  async enqueue<T>(tx: EntityManager, message: OutboxMessage<T>): Promise<string> {
    const eventId = message.eventId ?? randomUUID();
    const topic = message.adapterId !== undefined && isPerAdapterTopic(message.event.topic) ? adapterTopicOf(message.event.topic, message.adapterId) : message.event.topic;
    const headers: StringHeaders = injectTraceContext({});
    if (message.correlationId) headers[Headers.correlationId] = message.correlationId;
    await tx.query(
      `INSERT INTO medbus_outbox (event_id, event_type, topic, message_key, payload, headers)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [eventId, message.event.name, topic, message.key, JSON.stringify(message.value), JSON.stringify(headers)],
    );
    return eventId;
  }
}
