import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { reaches, type Caller } from '../clients/access.mapper';
import { Clock } from '../inventory/clock.service';

/** A slot kept out of everyone else's reach for a while: an operator's hold, or a waitlist offer bound to one patient. */
export interface Reservation {
  readonly reservationId: string;
  readonly slotId: string;
  readonly patientId: string | null;
  readonly waitlistEntryId: string | null;
  readonly expiresAt: Date;
  /** The API client that took it (a waitlist offer: the client that put the patient on the waitlist). */
  readonly clientId: string;
}

export type ReservationEnd = 'USED' | 'EXPIRED' | 'RELEASED';

/** Told, inside the transaction that ended it, about every waitlist-bound reservation that ends (the waitlist listens). */
export type WaitlistReservationListener = (tx: EntityManager, reservation: Reservation, end: ReservationEnd) => Promise<void>;

export type ReservationRefusal = 'HOLD_NOT_FOUND' | 'HOLD_EXPIRED' | 'SLOT_HELD' | 'SLOT_RESERVED';

interface ReservationRow {
  hold_id: string;
  slot_id: string;
  patient_id: string | null;
  waitlist_entry_id: string | null;
  expires_at: Date;
  client_id: string;
}

const columns = 'hold_id, slot_id, patient_id, waitlist_entry_id, expires_at, client_id';
const sweepBatch = 200;

/**
 * Owns booking_hold and inventory_slot.held_until: the one lifecycle of a reservation (take,
 * consume by a booking, release by its client, expire). At most one active reservation per slot,
 * by a unique index; a lapsed one still occupies it until expired, by the sweeper or by the next
 * caller who wants the slot, both through {@link expire}.
 */
@Injectable()
export class ReservationsService {
  private listener?: WaitlistReservationListener;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** The waitlist registers here; reservations never import the waitlist. */
  onWaitlistReservationEnded(listener: WaitlistReservationListener): void {
    this.listener = listener;
  }

  /** Takes the slot unless someone else holds it; a lapsed reservation on it is expired first. */
  async take(
    tx: EntityManager,
    request: { slotId: string; clientId: string; ttlMs: number; patientId?: string; waitlistEntryId?: string },
  ): Promise<Reservation | 'SLOT_HELD' | 'SLOT_RESERVED'> {
    await this.expire(tx, { slotId: request.slotId });
    const now = this.clock.now();
    const rows: ReservationRow[] = await tx.query(
      `INSERT INTO booking_hold (hold_id, slot_id, client_id, patient_id, waitlist_entry_id, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ${columns}`,
      [randomUUID(), request.slotId, request.clientId, request.patientId ?? null, request.waitlistEntryId ?? null, new Date(now.getTime() + request.ttlMs), now],
    );
    if (!rows[0]) {
      const occupant: { patient_id: string | null }[] = await tx.query(`SELECT patient_id FROM booking_hold WHERE slot_id = $1 AND released_at IS NULL`, [
        request.slotId,
      ]);
      return occupant[0]?.patient_id ? 'SLOT_RESERVED' : 'SLOT_HELD';
    }
    await this.holdSlot(tx, request.slotId, rows[0].expires_at);
    return reservationOf(rows[0]);
  }

  async get(reservationId: string): Promise<Reservation | undefined> {
    const rows: ReservationRow[] = await this.dataSource.query(`SELECT ${columns} FROM booking_hold WHERE hold_id = $1`, [reservationId]);
    return rows[0] ? reservationOf(rows[0]) : undefined;
  }

  /**
   * Inside a booking's transaction: uses the caller's reservation (or checks that nobody else
   * reserved the slot). Returns the used reservation, if there was one, or why the booking may not
   * have the slot. The booking then holds the slot itself ({@link holdSlot}) once its row is written.
   */
  async consume(
    tx: EntityManager,
    booking: { slotId: string; patientId: string; reservationId: string | undefined; caller: Caller },
  ): Promise<{ used: Reservation | undefined } | { refused: ReservationRefusal }> {
    await this.expire(tx, { slotId: booking.slotId });
    const rows: ReservationRow[] = await tx.query(`SELECT ${columns} FROM booking_hold WHERE slot_id = $1 AND released_at IS NULL FOR UPDATE`, [
      booking.slotId,
    ]);
    const active = rows[0];
    if (!active) {
      if (booking.reservationId !== undefined) {
        const known: { slot_id: string; release_reason: string | null }[] = await tx.query(`SELECT slot_id, release_reason FROM booking_hold WHERE hold_id = $1`, [
          booking.reservationId,
        ]);
        if (!known[0] || known[0].slot_id !== booking.slotId) return { refused: 'HOLD_NOT_FOUND' };
        // A lapsed hold on a slot nobody else took still books; a used one does not book twice.
        if (known[0].release_reason === 'USED') return { refused: 'HOLD_EXPIRED' };
      }
      return { used: undefined };
    }
    if (active.patient_id !== null && active.patient_id !== booking.patientId) return { refused: 'SLOT_RESERVED' };
    // Another client's hold is not the caller's to use, even by its id; a waitlist offer is bound to its patient instead.
    if (active.patient_id === null && (active.hold_id !== booking.reservationId || !reaches(booking.caller, active.client_id, 'write'))) return { refused: 'SLOT_HELD' };
    await this.end(tx, [active], 'USED');
    return { used: reservationOf(active) };
  }

  /** Ends a reservation before its time; false when there is no such reservation. */
  async release(tx: EntityManager, reservationId: string): Promise<boolean> {
    const rows: (ReservationRow & { released_at: Date | null })[] = await tx.query(`SELECT ${columns}, released_at FROM booking_hold WHERE hold_id = $1 FOR UPDATE`, [
      reservationId,
    ]);
    if (!rows[0]) return false;
    if (rows[0].released_at === null) await this.end(tx, [rows[0]], 'RELEASED');
    return true;
  }

  /** Expires every lapsed reservation, a batch per transaction; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.dataSource.transaction((tx) => this.expire(tx, { batch: sweepBatch }));
      total += expired;
      if (expired < sweepBatch) return total;
    }
  }

  /** Expires a lapsed reservation on this slot, if any (a caller that wants the slot next). */
  async expireOn(tx: EntityManager, slotId: string): Promise<void> {
    await this.expire(tx, { slotId });
  }

  /** The slot stays out of free search until then (a reservation, or a pending booking until its deadline). */
  async holdSlot(tx: EntityManager, slotId: string, until: Date): Promise<void> {
    await tx.query(`UPDATE inventory_slot SET held_until = $2 WHERE slot_id = $1`, [slotId, until]);
  }

  /** The slot leaves no reservation or pending booking behind in free search, unless one is still active. */
  async clearHeld(tx: EntityManager, slotId: string): Promise<void> {
    await tx.query(
      `UPDATE inventory_slot SET held_until = NULL WHERE slot_id = $1 AND held_until IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM booking_hold h WHERE h.slot_id = $1 AND h.released_at IS NULL)
         AND NOT EXISTS (SELECT 1 FROM booking_appointment a WHERE a.slot_id = $1 AND a.status = 'PENDING')`,
      [slotId],
    );
  }

  /** The one expiry: every path that finds a lapsed reservation ends it here. */
  private async expire(tx: EntityManager, scope: { slotId: string } | { batch: number }): Promise<number> {
    const now = this.clock.now();
    const rows: ReservationRow[] =
      'slotId' in scope
        ? await tx.query(`SELECT ${columns} FROM booking_hold WHERE slot_id = $1 AND released_at IS NULL AND expires_at <= $2 FOR UPDATE`, [scope.slotId, now])
        : await tx.query(
            `SELECT ${columns} FROM booking_hold WHERE released_at IS NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
            [now, scope.batch],
          );
    await this.end(tx, rows, 'EXPIRED');
    return rows.length;
  }

  private async end(tx: EntityManager, rows: readonly ReservationRow[], end: ReservationEnd): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(`UPDATE booking_hold SET released_at = $2, release_reason = $3 WHERE hold_id = ANY($1::uuid[]) AND released_at IS NULL`, [
      rows.map((row) => row.hold_id),
      this.clock.now(),
      end,
    ]);
    for (const row of rows) {
      if (end !== 'USED') await this.clearHeld(tx, row.slot_id);
      if (row.waitlist_entry_id === null) continue;
      if (!this.listener) throw new Error(`a waitlist reservation ended (${end}) with no waitlist listening`);
      await this.listener(tx, reservationOf(row), end);
    }
  }
}

function reservationOf(row: ReservationRow): Reservation {
  return {
    reservationId: row.hold_id,
    slotId: row.slot_id,
    patientId: row.patient_id,
    waitlistEntryId: row.waitlist_entry_id,
    expiresAt: row.expires_at,
    clientId: row.client_id,
  };
}
