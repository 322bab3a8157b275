import { Topics } from '@medbus/contracts';
import { EventConsumer, adapterTopicOf, type ConsumedEvent, type ConsumerLogger, type EventPublisher, type KafkaConnectionOptions } from '@medbus/kafka';
import { toBookingCommand } from './booking-command.mapper';
import type { CommandExecutor } from './command-executor.service';

export interface BookingCommandConsumerOptions {
  readonly connection: KafkaConnectionOptions;
  /** The adapter whose command topic it reads. */
  readonly adapterId: string;
  readonly groupId: string;
  readonly deadLetters: EventPublisher;
  readonly logger?: ConsumerLogger;
  /** Partitions of the command topic carried out at once; commands of one appointment share a partition and stay in order. */
  readonly partitionsConcurrently?: number;
}

/**
 * `booking.command.<adapter id>`: BookSlot and CancelAppointment the booking service routed to this
 * adapter, the one registered for their organisations (0012). Decoding, retry and dead letters are
 * libs/kafka's: a command that does not decode or breaks its schema is dead-lettered at once.
 */
export class BookingCommandConsumer {
  private readonly consumer: EventConsumer;

  constructor(
    private readonly service: CommandExecutor,
    options: BookingCommandConsumerOptions,
  ) {
    this.consumer = new EventConsumer({
      connection: options.connection,
      groupId: options.groupId,
      topics: [adapterTopicOf(Topics.bookingCommand, options.adapterId)],
      handle: (event) => this.handle(event),
      deadLetters: options.deadLetters,
      // A partition without a committed offset is read from its start: with "latest", an adapter restarted
      // before its group had committed there skipped every command sent until it was assigned the partition
      // (bookings left PENDING; the booking e2e's kill -9 test caught it). The topic is this adapter's alone
      // (0012), a command already carried out is answered from its stored outcome, and a BookSlot past its
      // deadline is refused without calling the MIS, so reading old commands again books nothing.
      fromBeginning: true,
      // A database outage outlasts the default five attempts; the MIS's own outages are waited out by the service.
      retry: { maxAttempts: 20, initialBackoffMs: 200, maxBackoffMs: 5_000 },
      logger: options.logger,
      partitionsConcurrently: options.partitionsConcurrently,
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  async stop(): Promise<void> {
    // The consumer marks itself stopping first, so the command in progress is given back, not dead-lettered.
    const stopped = this.consumer.stop();
    this.service.stop();
    await stopped;
  }

  private async handle(event: ConsumedEvent): Promise<void> {
    await this.service.execute(toBookingCommand(event.eventType, event.value), event.correlationId);
  }
}
