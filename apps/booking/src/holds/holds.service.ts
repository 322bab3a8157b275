import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiProperty } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import type { BookingConfig } from '../booking.config';
import { clientLimitReached, holdNotFound, reservationError, ruleError, slotClosedToChannel, slotTaken } from '../booking.errors';
import { reaches } from '../clients/access.mapper';
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
      const slots: { status: string | null; offered: boolean; removed: boolean; starts_at: Date | null; booking_channels: string[] | null }[] = await tx.query(
        `SELECT status, offered, removed, starts_at, booking_channels FROM inventory_slot WHERE slot_id = $1`,
        [slotId],
      );
      const slot = slots[0];
      if (!slot || slot.removed || !slot.offered || !slot.starts_at) throw ruleError('SLOT_NOT_FOUND', { slotId });
      if (slot.starts_at <= now) throw ruleError('SLOT_IN_PAST', { slotId });
      if (!(slot.booking_channels ?? []).includes(caller.channel)) throw slotClosedToChannel({ slotId, channel: caller.channel });
      if (slot.status !== 'FREE') throw slotTaken({ slotId });
      // Serialises one client's holds, so the cap holds under concurrent requests.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('booking_hold:' || $1))`, [caller.clientId]);
      const open: { open: number }[] = await tx.query(
        `SELECT count(*)::int AS open FROM booking_hold WHERE client_id = $1 AND released_at IS NULL AND patient_id IS NULL AND expires_at > $2`,
        [caller.clientId, now],
      );
      if (open[0].open >= this.config.BOOKING_MAX_OPEN_HOLDS_PER_CLIENT) throw clientLimitReached({ limit: this.config.BOOKING_MAX_OPEN_HOLDS_PER_CLIENT });
      const booked: unknown[] = await tx.query(
        `SELECT 1 FROM booking_appointment WHERE slot_id = $1 AND status IN ('PENDING', 'CONFIRMED', 'CANCELLING')`,
        [slotId],
      );
      if (booked.length > 0) throw slotTaken({ slotId });
      const taken = await this.reservations.take(tx, { slotId, clientId: caller.clientId, ttlMs: this.config.BOOKING_HOLD_TTL_MS });
      if (typeof taken === 'string') throw reservationError(taken, { slotId });
      return taken.reservationId;
    });
    return this.get(caller, holdId);
  }

  /** A hold the caller may read (another client's is "not found"). */
  async get(caller: Caller, holdId: string): Promise<HoldView> {
    checkIds({ holdId });
    const hold = await this.reservations.get(holdId);
    if (!hold || !reaches(caller, hold.clientId, 'read')) throw holdNotFound({ holdId });
    return { holdId: hold.reservationId, slotId: hold.slotId, expiresAt: hold.expiresAt.toISOString() };
  }

  async release(caller: Caller, holdId: string): Promise<void> {
    checkIds({ holdId });
    const hold = await this.reservations.get(holdId);
    // A waitlist offer is released through its waitlist entry, not as a hold.
    if (!hold || hold.waitlistEntryId !== null || !reaches(caller, hold.clientId, 'write')) throw holdNotFound({ holdId });
    const known = await this.dataSource.transaction((tx) => this.reservations.release(tx, holdId));
    if (!known) throw holdNotFound({ holdId });
  }
}
