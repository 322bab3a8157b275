import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import type { BookingConfig } from '../booking.config';
import { ReservationsService } from './reservations.service';

/** Expires lapsed reservations every BOOKING_SWEEP_INTERVAL_MS, so a slot nobody asks for comes back too. */
@Injectable()
export class ReservationExpiryPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReservationExpiryPoller.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;

  constructor(
    @Inject(AppConfig) private readonly config: BookingConfig,
    @Inject(ReservationsService) private readonly reservations: ReservationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.reservations
        .sweep()
        .catch((error: unknown) => this.logger.warn(`expiring lapsed reservations failed: ${(error as Error).message}`))
        .finally(() => (this.sweeping = undefined));
    }, this.config.BOOKING_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }
}
