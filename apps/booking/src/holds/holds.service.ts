import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiProperty } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import type { BookingConfig } from '../booking.config';
import { holdNotFound, reservationError, ruleError, slotTaken } from '../booking.errors';
import { checkIds, type Caller } from '../booking-request.mapper';
import { IdempotencyService } from '../idempotency.service';
import { Clock } from '../inventory/clock.service';
import { ReservationsService } from '../reservations/reservations.service';

export class HoldView {
  @ApiProperty({ type: String, format: 'uuid' })
  holdId!: string;
  @ApiProperty({ type: String })
  slotId!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: string;
}

/**
 * The operator's side of a reservation: a hold keeps a free slot out of everyone else's reach for
 * BOOKING_HOLD_TTL_MS while the operator talks to the patient. The lifecycle (and its expiry)
 * belongs to {@link ReservationsService}.
 */
@Injectable()
export class HoldsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: BookingConfig,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(IdempotencyService) private readonly idempotency: IdempotencyService,
    @Inject(ReservationsService) private readonly reservations: ReservationsService,
  ) {}

  async take(caller: Caller, slotId: string, idempotencyKey?: string): Promise<HoldView> {
    const holdId = await this.idempotency.once(caller.clientId, idempotencyKey, 'hold', { slotId }, async (tx) => {
      const now = this.clock.now();
      const slots: { status: string | null; offered: boolean; removed: boolean; starts_at: Date | null }[] = await tx.query(
        `SELECT status, offered, removed, starts_at FROM inventory_slot WHERE slot_id = $1`,
        [slotId],
      );
      const slot = slots[0];
      if (!slot || slot.removed || !slot.offered || !slot.starts_at) throw ruleError('SLOT_NOT_FOUND', { slotId });
      if (slot.starts_at <= now) throw ruleError('SLOT_IN_PAST', { slotId });
      if (slot.status !== 'FREE') throw slotTaken({ slotId });
      const booked: unknown[] = await tx.query(
        `SELECT 1 FROM booking_appointment WHERE slot_id = $1 AND status IN ('PENDING', 'CONFIRMED', 'CANCELLING')`,
        [slotId],
      );
      if (booked.length > 0) throw slotTaken({ slotId });
      const taken = await this.reservations.take(tx, { slotId, clientId: caller.clientId, ttlMs: this.config.BOOKING_HOLD_TTL_MS });
      if (typeof taken === 'string') throw reservationError(taken, { slotId });
      return taken.reservationId;
    });
    return this.get(holdId);
  }

  async get(holdId: string): Promise<HoldView> {
    checkIds({ holdId });
    const hold = await this.reservations.get(holdId);
    if (!hold) throw holdNotFound({ holdId });
    return { holdId: hold.reservationId, slotId: hold.slotId, expiresAt: hold.expiresAt.toISOString() };
  }

  async release(holdId: string): Promise<void> {
    checkIds({ holdId });
    const known = await this.dataSource.transaction((tx) => this.reservations.release(tx, holdId));
    if (!known) throw holdNotFound({ holdId });
  }
}
