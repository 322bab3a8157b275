import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import type { BookingConfig } from '../booking.config';
import { Clock } from '../inventory/clock.service';
import { ReservationsService } from '../reservations/reservations.service';
import { BookingErrorCode } from '../booking.errors';
import { outcomeChannel } from './outcome-waiter.service';

/**
 * Ends bookings no adapter ever answered. The adapter never books after a command's deadline, so a
 * booking still PENDING BOOKING_PENDING_GRACE_MS after it (the adapter gone, its topic lost) is
 * refused here and its slot freed; should a confirmation still arrive (a lost call the adapter later
 * finds booked), the outcome consumer cancels that booking at the MIS.
 */
@Injectable()
export class PendingExpiryPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PendingExpiryPoller.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: BookingConfig,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ReservationsService) private readonly reservations: ReservationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.expire()
        .catch((error: unknown) => this.logger.warn(`ending unanswered bookings failed: ${(error as Error).message}`))
        .finally(() => (this.running = undefined));
    }, this.config.BOOKING_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Refuses the PENDING bookings past deadline and grace, a batch at a time; returns how many. */
  async expire(): Promise<number> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - this.config.BOOKING_PENDING_GRACE_MS);
    return this.dataSource.transaction(async (tx) => {
      const rows: { appointment_id: string; slot_id: string }[] = await tx.query(
        `WITH changed AS (
           UPDATE booking_appointment a SET status = 'REJECTED', rejection_code = $3, rejection_message = $4, updated_at = $1
           FROM (SELECT appointment_id FROM booking_appointment WHERE status = 'PENDING' AND deadline < $2
                 ORDER BY deadline LIMIT 100 FOR UPDATE SKIP LOCKED) e
           WHERE a.appointment_id = e.appointment_id
           RETURNING a.appointment_id, a.slot_id)
         SELECT * FROM changed`,
        [now, before, BookingErrorCode.deadlineExceeded, 'no MIS adapter answered the booking by its deadline; nothing was booked here'],
      );
      for (const row of rows) {
        await this.reservations.clearHeld(tx, row.slot_id);
        await tx.query(`SELECT pg_notify($1, $2)`, [outcomeChannel, row.appointment_id]);
      }
      if (rows.length > 0) this.logger.warn(`${rows.length} booking(s) no adapter answered by the deadline were refused`);
      return rows.length;
    });
  }
}
