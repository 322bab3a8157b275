import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { SpanKind, SpanStatusCode, context, trace, type Link, type Span } from '@opentelemetry/api';
import type { DataSource, EntityManager } from 'typeorm';
import { AvroCodec } from './avro-codec.service';
import { InfrastructureFault, codeOf, consumerSpanAttributes, deadLetterMessage, decodeKnownMessage, decodeMessage, kafkaConsumerOf, type ConsumedEvent, type ConsumerLogger } from './event-consumer.service';
import type { EventPublisher } from './event-publisher.service';
import { OutageBackoff, backoffMs, faultOf } from './fault.mapper';
import { extractTraceContext, headersAsText } from './kafka-headers.mapper';
import { ProcessedEvents } from './processed-events.service';
import { defaultRetryPolicy, namespaced, type EventDefinition, type KafkaConnectionOptions, type RetryPolicy } from './kafka.config';
import { adapterTopicPattern, isPerAdapterTopic, originOf } from './adapter-topics.mapper';

/**
 * A read model, declared once as a value: the events it handles and how a batch of them changes
 * its tables (emmett's `{ canHandle, evolve }`). `apply` runs inside the engine's transaction and
 * gets only events never applied before by this consumer group, in partition order; it must give
 * the same tables whether events come one at a time or many at once (per-key order is kept, events
 * of different keys may come in any order and any grouping).
 */
export interface Projection {
  readonly name: string;
  readonly handles: readonly EventDefinition[];
  apply(tx: EntityManager, events: readonly ConsumedEvent[]): Promise<void>;
  /**
   * The events of a batch this projection will not apply, and why (an adapter speaking for an
   * organisation it does not serve). Runs in the batch's transaction before `apply`, which gets the
   * rest; the engine dead-letters the refused events in that transaction, never retrying them.
   */
  refuse?(tx: EntityManager, events: readonly ConsumedEvent[]): Promise<readonly Refusal[]>;
}

/** An event a projection refuses, with the error its dead letter carries. */
export interface Refusal {
  readonly event: ConsumedEvent;
  readonly error: Error;
}

export interface ProjectionConsumerOptions {
  readonly connection: KafkaConnectionOptions;
  readonly groupId: string;
  readonly projections: readonly Projection[];
  /** Where the projections' tables and the processed-event store live. */
  readonly dataSource: DataSource;
  readonly deadLetters: EventPublisher;
  /** Messages handed over in one batch, at most (default 2,000). */
  readonly maxBatchSize?: number;
  /** Partitions applied at the same time, each in its own transaction (default 1). */
  readonly partitionsConcurrently?: number;
  readonly fromBeginning?: boolean;
  /** Attempts for a single message failing for an unclear reason before it is dead-lettered. */
  readonly retry?: RetryPolicy;
  readonly logger?: ConsumerLogger;
  readonly codec?: AvroCodec;
}

interface Entry {
  readonly message: KafkaJS.KafkaMessage;
  readonly event: ConsumedEvent;
}

/**
 * Steady state brings a few messages per batch: each gets a consumer span of its own continuing its
 * producer's trace (what the trace viewer shows). A resync's large batches get one span linking the
 * first producers' spans instead of thousands of spans.
 */
const perMessageSpansUpTo = 16;
const maxSpanLinks = 128;

const tracer = trace.getTracer('@medbus/kafka');

/** How often a consumer subscribed by pattern looks for new topics, e.g. a newly provisioned adapter's (librdkafka's default: 5 minutes). */
const topicDiscoveryMs = 5_000;

/**
 * The batched event engine. Per fetched batch of one partition: decode, dedupe against the
 * processed-event store in one statement, hand the new events to each projection in one
 * transaction, then store the offset (committed by the client after the transaction only).
 *
 * A batch that fails for a reason in its content is bisected until the message at fault is found;
 * that message is dead-lettered with its reason and the rest applied. A batch that fails because
 * PostgreSQL or the registry is unreachable (or a deadlock aborted it) is not dead-lettered: the
 * partition pauses and the batch is fetched and tried again, without limit.
 */
export class ProjectionConsumer {
  private readonly consumer: KafkaJS.Consumer;
  private readonly codec: AvroCodec;
  private readonly retry: RetryPolicy;
  private readonly logger: ConsumerLogger;
  private readonly handled: ReadonlyMap<string, readonly Projection[]>;
  private readonly topics: readonly (string | RegExp)[];
  private readonly outage = new OutageBackoff();
  private stopping = false;
  /** The projections it applies, for logs and health. */
  readonly name: string;
  /** Totals since start, for health and tests. */
  readonly stats = { batches: 0, applied: 0, duplicates: 0, deadLettered: 0, refused: 0, outages: 0 };

  constructor(private readonly options: ProjectionConsumerOptions) {
    const handled = new Map<string, Projection[]>();
    const topics = new Map<string, string | RegExp>();
    for (const projection of options.projections) {
      for (const event of projection.handles) {
        handled.set(event.name, [...(handled.get(event.name) ?? []), projection]);
        // Every adapter's copy of a per-adapter topic, including those of adapters provisioned later.
        const topic = isPerAdapterTopic(event.topic) ? adapterTopicPattern(event.topic, options.connection.namespace) : namespaced(event.topic, options.connection.namespace);
        topics.set(String(topic), topic);
      }
    }
    this.handled = handled;
    this.topics = [...topics.values()];
    this.name = options.projections.map((projection) => projection.name).join('+');
    // Offsets are stored once their batch's transaction committed; the client commits stored offsets every second.
    this.consumer = kafkaConsumerOf(options.connection, options.groupId, options.fromBeginning ?? true, {
      autoCommitInterval: 1_000,
      rdkafka: { 'js.consumer.max.batch.size': options.maxBatchSize ?? 2_000, 'topic.metadata.refresh.interval.ms': topicDiscoveryMs },
    });
    this.codec = options.codec ?? new AvroCodec(options.connection.schemaRegistryUrl);
    this.retry = options.retry ?? defaultRetryPolicy;
    this.logger = options.logger ?? console;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.topics] });
    await this.consumer.run({
      partitionsConsumedConcurrently: Math.max(1, this.options.partitionsConcurrently ?? 1),
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }

  private async onBatch({ batch, resolveOffset, pause, isStale }: KafkaJS.EachBatchPayload): Promise<void> {
    const startTime = Date.now();
    const span = this.batchSpan(batch);
    try {
      await context.with(trace.setSpan(context.active(), span), () =>
        this.applyMessages(batch.topic, batch.partition, batch.messages, (offset) => {
          if (!isStale()) resolveOffset(offset);
        }),
      );
      this.outage.recovered();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      if (!(error instanceof InfrastructureFault)) throw error;
      // Returning with offsets unresolved makes the client seek back to the first message not applied;
      // it is fetched again once the partition resumes.
      this.stats.outages++;
      const wait = this.outage.pauseFor(pause);
      this.logger.warn(
        `${this.options.groupId}: ${batch.topic}/${batch.partition} waits ${wait} ms for its dependencies (${this.outage.inARow} in a row), nothing dead-lettered: ${error.message}`,
      );
    } finally {
      span.end();
      if (batch.messages.length > 1 && batch.messages.length <= perMessageSpansUpTo) this.messageSpans(batch, startTime);
    }
  }

  /** Applies a batch, bisecting around content faults; calls `applied` with the last offset of each committed part. */
  private async applyMessages(topic: string, partition: number, messages: readonly KafkaJS.KafkaMessage[], applied: (offset: string) => void): Promise<void> {
    if (messages.length === 0) return;
    this.stats.batches++;
    const entries: Entry[] = [];
    const origin = originOf(topic, this.options.connection.namespace);
    for (const message of messages) {
      let event: ConsumedEvent;
      try {
        event = decodeKnownMessage(this.codec, topic, partition, message, origin) ?? (await decodeMessage(this.codec, topic, partition, message, origin));
      } catch (error) {
        if (faultOf(error) === 'infrastructure') throw new InfrastructureFault(error);
        await this.deadLetter(topic, partition, message, error, 1);
        continue;
      }
      // A topic also carries event types another consumer handles.
      if (this.handled.has(event.eventType)) entries.push({ message, event });
    }
    await this.applyEntries(entries);
    applied(messages[messages.length - 1].offset);
  }

  private async applyEntries(entries: readonly Entry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.transaction(entries);
      return;
    } catch (error) {
      if (error instanceof InfrastructureFault) throw error;
      if (faultOf(error) === 'infrastructure' || this.stopping) throw new InfrastructureFault(error);
      if (entries.length === 1) return this.applyAlone(entries[0], error);
    }
    // Something in here cannot be applied: halve until it is found. Order is kept (left half first).
    const middle = Math.ceil(entries.length / 2);
    await this.applyEntries(entries.slice(0, middle));
    await this.applyEntries(entries.slice(middle));
  }

  /** One message that failed alone: dead-lettered at once if its content is at fault, after a few tries if unclear. */
  private async applyAlone(entry: Entry, firstError: unknown): Promise<void> {
    let error = firstError;
    for (let attempt = 1; ; attempt++) {
      const fault = faultOf(error);
      if (error instanceof InfrastructureFault) throw error;
      if (fault === 'infrastructure' || this.stopping) throw new InfrastructureFault(error);
      // An unclear error while the database is down is the database's, not the message's.
      if (fault === 'unknown' && !(await this.databaseAnswers())) throw new InfrastructureFault(error);
      if (fault === 'content' || attempt >= this.retry.maxAttempts) {
        await this.deadLetter(entry.event.topic, entry.event.partition, entry.message, error, attempt);
        return;
      }
      await sleep(backoffMs(attempt, this.retry.initialBackoffMs, this.retry.maxBackoffMs));
      try {
        await this.transaction([entry]);
        return;
      } catch (next) {
        error = next;
      }
    }
  }

  private async transaction(entries: readonly Entry[]): Promise<void> {
    const { fresh, refused } = await this.options.dataSource.transaction(async (tx) => {
      const fresh = await this.markProcessed(tx, entries);
      const refusals = new Map<ConsumedEvent, Error>();
      for (const projection of this.options.projections) {
        let events = fresh.filter((event) => this.handled.get(event.eventType)?.includes(projection));
        if (events.length > 0 && projection.refuse) {
          const refused = await projection.refuse(tx, events);
          for (const { event, error } of refused) if (!refusals.has(event)) refusals.set(event, error);
          if (refused.length > 0) events = events.filter((event) => !refusals.has(event));
        }
        if (events.length > 0) await projection.apply(tx, events);
      }
      // Written before the commit that marks them processed: a refused event is never lost, at worst dead-lettered twice.
      if (refusals.size > 0) {
        const messages = new Map(entries.map((entry) => [entry.event, entry.message]));
        for (const [event, error] of refusals) await this.deadLetter(event.topic, event.partition, messages.get(event) as KafkaJS.KafkaMessage, error, 1, false);
      }
      return { fresh: fresh.length, refused: refusals.size };
    });
    // Counted once committed: a transaction rolled back (and retried, or halved) counts nothing.
    this.stats.applied += fresh - refused;
    this.stats.refused += refused;
    this.stats.deadLettered += refused;
    this.stats.duplicates += entries.length - fresh;
  }

  /** Records the batch's event ids in one statement; returns the events not seen before, in order. */
  private async markProcessed(tx: EntityManager, entries: readonly Entry[]): Promise<ConsumedEvent[]> {
    const fresh = await ProcessedEvents.recordNew(tx, this.options.groupId, entries.map((entry) => entry.event.eventId));
    const events: ConsumedEvent[] = [];
    for (const { event } of entries) {
      // The same event twice in one batch is applied once.
      if (fresh.delete(event.eventId)) events.push(event);
    }
    return events;
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.options.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async deadLetter(topic: string, partition: number, message: KafkaJS.KafkaMessage, error: unknown, attempts: number, count = true): Promise<void> {
    this.logger.error(`${this.options.groupId}: dead-lettering ${topic}/${partition}@${message.offset} after ${attempts} attempt(s): ${codeOf(error)}`);
    try {
      await deadLetterMessage(this.options.deadLetters, this.options.groupId, { topic, partition, message }, error, attempts, this.options.connection.namespace);
    } catch (publishError) {
      throw new InfrastructureFault(publishError);
    }
    if (count) this.stats.deadLettered++;
  }

  private batchSpan(batch: KafkaJS.Batch): Span {
    const attributes = { ...consumerSpanAttributes(batch.topic, batch.partition, this.options.groupId), 'messaging.batch.message_count': batch.messages.length };
    // One message (steady state): its span continues the producer's trace, as a per-message consumer would.
    if (batch.messages.length === 1) {
      return tracer.startSpan(`process ${batch.topic}`, { kind: SpanKind.CONSUMER, attributes }, extractTraceContext(headersAsText(batch.messages[0].headers)));
    }
    const links: Link[] = [];
    for (const message of batch.messages.slice(0, maxSpanLinks)) {
      const parent = trace.getSpanContext(extractTraceContext(headersAsText(message.headers)));
      if (parent) links.push({ context: parent });
    }
    return tracer.startSpan(`process ${batch.topic}`, { kind: SpanKind.CONSUMER, attributes, links });
  }

  private messageSpans(batch: KafkaJS.Batch, startTime: number): void {
    const shared = consumerSpanAttributes(batch.topic, batch.partition, this.options.groupId);
    for (const message of batch.messages) {
      const attributes = { ...shared, 'messaging.kafka.offset': Number(message.offset) };
      tracer.startSpan(`process ${batch.topic}`, { kind: SpanKind.CONSUMER, attributes, startTime }, extractTraceContext(headersAsText(message.headers))).end();
    }
  }
}
