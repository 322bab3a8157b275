import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiProperty } from '@nestjs/swagger';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@medbus/config';
import type { BookingConfig } from '../booking.config';
import type { Caller } from '../appointments/appointment.mapper';
import { holdExpired, holdNotFound, ruleError, slotHeld, slotReserved, slotTaken } from '../appointments/appointments.errors';
import { checkIds } from '../appointments/booking-request.mapper';
import { IdempotencyService } from '../appointments/idempotency.service';
import { Clock } from '../inventory/clock.service';
import { WaitlistService, clearHeld } from '../waitlist/waitlist.service';

export class HoldView {
  @ApiProperty({ type: String, format: 'uuid' })
  holdId!: string;
  @ApiProperty({ type: String })
  slotId!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: string;
}

interface HoldRow {
  hold_id: string;
  slot_id: string;
  patient_id: string | null;
  waitlist_entry_id: string | null;
  expires_at: Date;
  released_at: Date | null;
}

/**
 * Holds keep a slot out of everyone else's reach for a short time (an operator talking to the
 * patient; a waitlist reservation). At most one active hold per slot, by a unique index; an
 * expired hold is released by the sweeper or by the next caller who wants the slot.
 */
@Injectable()
export class HoldsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HoldsService.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: BookingConfig,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(IdempotencyService) private readonly idempotency: IdempotencyService,
    @Inject(WaitlistService) private readonly waitlist: WaitlistService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.logger.warn(`releasing expired holds failed: ${(error as Error).message}`))
        .finally(() => (this.sweeping = undefined));
    }, this.config.BOOKING_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async take(caller: Caller, slotId: string, idempotencyKey?: string): Promise<HoldView> {
    const holdId = await this.idempotency.once(caller.clientId, idempotencyKey, 'hold', { slotId }, async (tx) => {
      const now = this.clock.now();
      await this.releaseExpiredOn(tx, slotId);
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
      const id = randomUUID();
      const expiresAt = new Date(now.getTime() + this.config.BOOKING_HOLD_TTL_MS);
      const inserted: unknown[] = await tx.query(
        `INSERT INTO booking_hold (hold_id, slot_id, client_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [id, slotId, caller.clientId, expiresAt, now],
      );
      if (inserted.length === 0) throw await this.occupiedError(tx, slotId);
      await tx.query(`UPDATE inventory_slot SET held_until = $2 WHERE slot_id = $1`, [slotId, expiresAt]);
      return id;
    });
    return this.get(holdId);
  }

  async get(holdId: string): Promise<HoldView> {
    checkIds({ holdId });
    const rows: HoldRow[] = await this.dataSource.query(`SELECT hold_id, slot_id, expires_at FROM booking_hold WHERE hold_id = $1`, [holdId]);
    if (!rows[0]) throw holdNotFound({ holdId });
    return { holdId: rows[0].hold_id, slotId: rows[0].slot_id, expiresAt: rows[0].expires_at.toISOString() };
  }

  async release(holdId: string): Promise<void> {
    checkIds({ holdId });
    await this.dataSource.transaction(async (tx) => {
      const rows: HoldRow[] = await tx.query(
        `WITH changed AS (UPDATE booking_hold SET released_at = $2, release_reason = 'RELEASED' WHERE hold_id = $1 AND released_at IS NULL RETURNING *) SELECT * FROM changed`,
        [holdId, this.clock.now()],
      );
      const hold = rows[0];
      if (!hold) {
        const known: unknown[] = await tx.query(`SELECT 1 FROM booking_hold WHERE hold_id = $1`, [holdId]);
        if (known.length === 0) throw holdNotFound({ holdId });
        return;
      }
      await clearHeld(tx, hold.slot_id);
      if (hold.waitlist_entry_id) await this.waitlist.offerExpired(tx, { holdId, slotId: hold.slot_id, waitlistEntryId: hold.waitlist_entry_id });
    });
  }

  /**
   * Inside a booking's transaction: takes the caller's hold (or checks that nobody else holds the
   * slot) and marks it used. Returns the waitlist entry the hold reserved the slot for, if any.
   */
  async consume(tx: EntityManager, slotId: string, patientId: string, holdId: string | undefined): Promise<string | undefined> {
    await this.releaseExpiredOn(tx, slotId);
    const rows: HoldRow[] = await tx.query(
      `SELECT hold_id, slot_id, patient_id, waitlist_entry_id, expires_at FROM booking_hold WHERE slot_id = $1 AND released_at IS NULL FOR UPDATE`,
      [slotId],
    );
    const hold = rows[0];
    if (!hold) {
      if (holdId === undefined) return undefined;
      const known: { slot_id: string; release_reason: string | null }[] = await tx.query(
        `SELECT slot_id, release_reason FROM booking_hold WHERE hold_id = $1`,
        [holdId],
      );
      if (!known[0] || known[0].slot_id !== slotId) throw holdNotFound({ holdId, slotId });
      // A lapsed hold on a slot nobody else took still books; a used one does not book twice.
      if (known[0].release_reason === 'USED') throw holdExpired({ holdId, slotId });
      return undefined;
    }
    if (hold.patient_id !== null && hold.patient_id !== patientId) throw slotReserved({ slotId });
    if (hold.hold_id !== holdId && hold.patient_id === null) throw slotHeld({ slotId });
    await tx.query(`UPDATE booking_hold SET released_at = $2, release_reason = 'USED' WHERE hold_id = $1`, [hold.hold_id, this.clock.now()]);
    return hold.waitlist_entry_id ?? undefined;
  }

  /** Releases expired holds, a batch at a time; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const released = await this.dataSource.transaction(async (tx) => {
        const rows: HoldRow[] = await tx.query(
          `WITH changed AS (UPDATE booking_hold h SET released_at = $1, release_reason = 'EXPIRED'
           FROM (SELECT hold_id FROM booking_hold WHERE released_at IS NULL AND expires_at <= $1 ORDER BY expires_at LIMIT 200 FOR UPDATE SKIP LOCKED) e
           WHERE h.hold_id = e.hold_id
           RETURNING h.hold_id, h.slot_id, h.patient_id, h.waitlist_entry_id, h.expires_at) SELECT * FROM changed`,
          [this.clock.now()],
        );
        for (const hold of rows) await this.afterExpiry(tx, hold);
        return rows.length;
      });
      total += released;
      if (released < 200) return total;
    }
  }

  private async releaseExpiredOn(tx: EntityManager, slotId: string): Promise<void> {
    const rows: HoldRow[] = await tx.query(
      `WITH changed AS (UPDATE booking_hold SET released_at = $2, release_reason = 'EXPIRED' WHERE slot_id = $1 AND released_at IS NULL AND expires_at <= $2
       RETURNING hold_id, slot_id, patient_id, waitlist_entry_id, expires_at) SELECT * FROM changed`,
      [slotId, this.clock.now()],
    );
    for (const hold of rows) {
      await clearHeld(tx, hold.slot_id);
      if (hold.waitlist_entry_id) {
        await tx.query(
          `UPDATE booking_waitlist_entry SET status = 'WAITING', offer_hold_id = NULL, updated_at = $3 WHERE entry_id = $1 AND offer_hold_id = $2`,
          [hold.waitlist_entry_id, hold.hold_id, this.clock.now()],
        );
      }
    }
  }

  private async afterExpiry(tx: EntityManager, hold: HoldRow): Promise<void> {
    await clearHeld(tx, hold.slot_id);
    if (hold.waitlist_entry_id) await this.waitlist.offerExpired(tx, { holdId: hold.hold_id, slotId: hold.slot_id, waitlistEntryId: hold.waitlist_entry_id });
  }

  private async occupiedError(tx: EntityManager, slotId: string): Promise<Error> {
    const rows: { patient_id: string | null }[] = await tx.query(`SELECT patient_id FROM booking_hold WHERE slot_id = $1 AND released_at IS NULL`, [slotId]);
    return rows[0]?.patient_id ? slotReserved({ slotId }) : slotHeld({ slotId });
  }
}
