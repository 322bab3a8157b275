import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { AllEvents } from '@medbus/contracts';
import { EventPublisher, OutboxRelay, kafkaConnectionOf } from '@medbus/kafka';
import type { BookingConfig } from '../booking.config';

/** Every event the booking service writes to its outbox. */
export const bookingOutboxEvents = [
  AllEvents.BookSlot,
  AllEvents.CancelAppointment,
  AllEvents.AppointmentBooked,
  AllEvents.AppointmentCancelled,
  AllEvents.WaitlistSlotOffered,
  AllEvents.WaitlistOfferExpired,
] as const;

/** Publishes the booking service's outbox (commands to the adapters, appointment and waitlist events). */
@Injectable()
export class BookingOutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BookingOutboxRelay.name);
  private readonly publisher: EventPublisher;
  private readonly relay: OutboxRelay;

  constructor(@InjectDataSource() dataSource: DataSource, @Inject(AppConfig) config: BookingConfig) {
    this.publisher = new EventPublisher(kafkaConnectionOf(config, 'outbox'));
    // A booking waits on this relay: poll the outbox often (an index-only probe when empty).
    this.relay = new OutboxRelay({ dataSource, publisher: this.publisher, events: bookingOutboxEvents, idleDelayMs: 10, logger: this.logger });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.publisher.close();
  }
}
