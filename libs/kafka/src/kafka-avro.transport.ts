import { Catch, type ArgumentsHost, type INestApplication, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import { EventConsumer, type ConsumedEvent, type ConsumerLogger } from './event-consumer.service';
import { EventPublisher } from './event-publisher.service';
import { ProcessedEvents, type ApplyOnceResult } from './processed-events.service';
import type { EventDefinition, KafkaConnectionOptions, RetryPolicy } from './kafka.config';

export interface KafkaAvroTransportOptions {
  readonly connection: KafkaConnectionOptions;
  readonly groupId: string;
  /** The event types handlers may name in `@EventPattern` (the generated contracts). */
  readonly events: readonly EventDefinition[];
  /**
   * Of those, the ones this transport consumes (default all). Several transports on one app split
   * the handlers between consumer groups, so that e.g. a backlog of one kind of event never delays
   * another kind behind it.
   */
  readonly consumes?: readonly EventDefinition[];
  /** Enables `KafkaEventContext.applyOnce` (the processed-event store lives in this database). */
  readonly dataSource?: DataSource;
  readonly retry?: RetryPolicy;
  readonly fromBeginning?: boolean;
  /** See EventConsumerOptions.partitionsConcurrently. */
  readonly partitionsConcurrently?: number;
}

/** What `@Ctx()` gives a handler bound through the Kafka Avro transport. */
export class KafkaEventContext extends BaseRpcContext<[ConsumedEvent]> {
  constructor(
    readonly event: ConsumedEvent,
    private readonly groupId: string,
    private readonly processedEvents?: ProcessedEvents,
  ) {
    super([event]);
  }

  /** Runs the effect in a transaction that also records this event as handled; a redelivery is a no-op. */
  applyOnce<T>(effect: (tx: EntityManager) => Promise<T>): Promise<ApplyOnceResult<T>> {
    if (!this.processedEvents) throw new Error('applyOnce needs the transport to be given a dataSource');
    return this.processedEvents.applyOnce(this.groupId, this.event.eventId, effect);
  }
}

/**
 * Keeps a handler's original error, so the consumer can tell a retryable failure from one
 * to dead-letter at once (Nest's default RPC filter would replace it with a generic one).
 */
@Catch()
export class KafkaHandlerErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Binds `@EventPattern('<EventName>')` handlers to Avro events on Kafka: one consumer group per
 * transport, subscribing to the topics of the events that have handlers. Not Nest's built-in
 * request/reply Kafka transport: values are Avro through the registry, with our headers.
 */
export class KafkaAvroTransport extends Server implements CustomTransportStrategy {
  private consumer?: EventConsumer;
  private publisher?: EventPublisher;

  private readonly consumedNames: ReadonlySet<string>;

  constructor(private readonly options: KafkaAvroTransportOptions) {
    super();
    this.consumedNames = new Set((options.consumes ?? options.events).map((event) => event.name));
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const known = new Map(this.options.events.map((event) => [event.name, event]));
      const topics = new Set<string>();
      for (const pattern of this.messageHandlers.keys()) {
        const event = known.get(pattern);
        if (!event) throw new Error(`@EventPattern('${pattern}') names no known event type`);
        if (this.consumedNames.has(event.name)) topics.add(event.topic);
      }
      this.publisher = new EventPublisher(this.options.connection);
      const processed = this.options.dataSource ? new ProcessedEvents(this.options.dataSource) : undefined;
      this.consumer = new EventConsumer({
        connection: this.options.connection,
        groupId: this.options.groupId,
        topics: [...topics],
        deadLetters: this.publisher,
        retry: this.options.retry,
        fromBeginning: this.options.fromBeginning,
        partitionsConcurrently: this.options.partitionsConcurrently,
        logger: this.logger as ConsumerLogger,
        handle: (event) => this.dispatch(event, processed),
      });
      await this.consumer.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    await this.publisher?.close();
  }

  on(): never {
    throw new Error('KafkaAvroTransport does not emit server events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async dispatch(event: ConsumedEvent, processed?: ProcessedEvents): Promise<void> {
    const handler: MessageHandler | null = this.getHandlerByPattern(event.eventType);
    // A topic carries event types this transport leaves to another (or that no handler wants).
    if (!handler || !this.consumedNames.has(event.eventType)) return;
    const result: unknown = await handler(event.value, new KafkaEventContext(event, this.options.groupId, processed));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }
}

/**
 * Connects the transport to a Nest app, with the filter that keeps handler errors intact
 * (initialisation is deferred so the filter exists before the handlers are wrapped).
 */
export function connectKafkaAvroTransport(app: INestApplication, options: KafkaAvroTransportOptions): KafkaAvroTransport {
  const strategy = new KafkaAvroTransport(options);
  const microservice = app.connectMicroservice({ strategy }, { inheritAppConfig: false, deferInitialization: true });
  microservice.useGlobalFilters(new KafkaHandlerErrorFilter());
  return strategy;
}
