import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { AllEvents, type EventOf } from '@medbus/contracts';
import { Outbox } from '@medbus/kafka';
import type { BookingConfig } from '../booking.config';
import type { Caller } from '../appointments/appointment.mapper';
import { appointmentNotFound, invalidRequest, patientNotFound } from '../appointments/appointments.errors';
import { checkIds } from '../appointments/booking-request.mapper';
import { Clock } from '../inventory/clock.service';
import { type WaitlistEntryRow, type WaitlistEntryView, type WaitlistRequest, waitlistEntryViewOf } from './waitlist.mapper';

interface FreedSlot {
  slot_id: string;
  organisation_oid: string;
  resource_id: string;
  starts_at: Date;
  specialty_nsi_code: string | null;
  specialty_mis_code: string | null;
}

interface ExpiredOffer {
  readonly holdId: string;
  readonly slotId: string;
  readonly waitlistEntryId: string;
}

/**
 * The waitlist: a patient waits for a specialty or a doctor in preferred intervals; a slot that
 * frees up inside one is reserved for the longest-waiting match (a hold bound to that patient)
 * and offered through an event, before anyone else may book it.
 */
@Injectable()
export class WaitlistService {
  private readonly outbox = new Outbox();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: BookingConfig,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async register(caller: Caller, request: WaitlistRequest): Promise<WaitlistEntryView> {
    const intervals = request.preferredIntervals.map((i) => ({ from: new Date(i.from), to: new Date(i.to) }));
    const problems: string[] = [];
    if (!request.specialtyCode && !request.resourceId) problems.push('specialtyCode or resourceId is required');
    if (intervals.length === 0 || intervals.length > 20) problems.push('preferredIntervals must hold 1 to 20 intervals');
    intervals.forEach((i, n) => {
      if (Number.isNaN(i.from.getTime()) || Number.isNaN(i.to.getTime()) || !(i.to > i.from)) {
        problems.push(`preferredIntervals[${n}] must be ISO 8601 instants with from < to`);
      }
    });
    if (request.resourceId && !request.resourceId.startsWith(`${request.organisationOid}:`)) {
      problems.push('resourceId must belong to organisationOid');
    }
    if (problems.length > 0) throw invalidRequest(problems);
    const patients: { organisation_oid: string }[] = await this.dataSource.query(`SELECT organisation_oid FROM booking_patient WHERE patient_id = $1`, [
      request.patientId,
    ]);
    if (!patients[0]) throw patientNotFound({ patientId: request.patientId });
    if (patients[0].organisation_oid !== request.organisationOid) {
      throw invalidRequest(['the patient was identified at another organisation: identify the patient at organisationOid first']);
    }
    const entryId = randomUUID();
    const now = this.clock.now();
    const multirange = `{${intervals.map((i) => `[${i.from.toISOString()},${i.to.toISOString()})`).join(',')}}`;
    await this.dataSource.query(
      `INSERT INTO booking_waitlist_entry (entry_id, patient_id, organisation_oid, specialty_code, resource_id, preferred, contact_phone,
         reason, status, client_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::tstzmultirange, $7, $8, 'WAITING', $9, $10, $10)`,
      [
        entryId,
        request.patientId,
        request.organisationOid,
        request.specialtyCode ?? null,
        request.resourceId ?? null,
        multirange,
        request.contactPhone ?? null,
        request.reason ?? 'NO_FREE_SLOTS',
        caller.clientId,
        now,
      ],
    );
    return this.get(entryId);
  }

  async get(entryId: string): Promise<WaitlistEntryView> {
    checkIds({ entryId });
    const rows: WaitlistEntryRow[] = await this.dataSource.query(
      `SELECT e.entry_id, e.patient_id, e.organisation_oid, e.specialty_code, e.resource_id, e.status, e.reason, e.created_at, e.updated_at,
         h.hold_id AS offer_id, h.slot_id AS offer_slot_id, h.expires_at AS offer_expires_at
       FROM booking_waitlist_entry e
       LEFT JOIN booking_hold h ON h.hold_id = e.offer_hold_id AND e.status = 'OFFERED'
       WHERE e.entry_id = $1`,
      [entryId],
    );
    if (!rows[0]) throw appointmentNotFound({ waitlistEntryId: entryId });
    return waitlistEntryViewOf(rows[0]);
  }

  async cancel(entryId: string): Promise<WaitlistEntryView> {
    checkIds({ entryId });
    await this.dataSource.transaction(async (tx) => {
      const rows: { status: string; offer_hold_id: string | null }[] = await tx.query(
        `SELECT status, offer_hold_id FROM booking_waitlist_entry WHERE entry_id = $1 FOR UPDATE`,
        [entryId],
      );
      if (!rows[0]) throw appointmentNotFound({ waitlistEntryId: entryId });
      if (rows[0].status !== 'WAITING' && rows[0].status !== 'OFFERED') return;
      await tx.query(`UPDATE booking_waitlist_entry SET status = 'CANCELLED', updated_at = $2 WHERE entry_id = $1`, [entryId, this.clock.now()]);
      if (rows[0].status === 'OFFERED' && rows[0].offer_hold_id) {
        const released: { slot_id: string }[] = await tx.query(
          `WITH changed AS (UPDATE booking_hold SET released_at = $2, release_reason = 'RELEASED' WHERE hold_id = $1 AND released_at IS NULL RETURNING slot_id) SELECT * FROM changed`,
          [rows[0].offer_hold_id, this.clock.now()],
        );
        if (released[0]) {
          await clearHeld(tx, released[0].slot_id);
          await this.offerFreedSlot(tx, released[0].slot_id);
        }
      }
    });
    return this.get(entryId);
  }

  /** Of these organisations, the ones where someone waits (one index probe for a whole batch of freed slots). */
  async organisationsWithWaiting(tx: EntityManager, organisationOids: readonly string[]): Promise<Set<string>> {
    const rows: { organisation_oid: string }[] = await tx.query(
      `SELECT DISTINCT organisation_oid FROM booking_waitlist_entry WHERE status = 'WAITING' AND organisation_oid = ANY($1::text[])`,
      [organisationOids],
    );
    return new Set(rows.map((row) => row.organisation_oid));
  }

  /**
   * Offers a slot that just became free to the longest-waiting matching entry, inside the caller's
   * transaction. Does nothing when no entry matches, when the slot is not bookable, or when someone
   * already holds or booked it.
   */
  async offerFreedSlot(tx: EntityManager, slotId: string): Promise<boolean> {
    const now = this.clock.now();
    const slots: FreedSlot[] = await tx.query(
      `SELECT s.slot_id, s.organisation_oid, s.resource_id, s.starts_at, p.specialty_nsi_code, p.specialty_mis_code
       FROM inventory_slot s JOIN inventory_practitioner p ON p.resource_id = s.resource_id
       WHERE s.slot_id = $1 AND s.status = 'FREE' AND s.offered AND s.starts_at > $2
         AND NOT EXISTS (SELECT 1 FROM booking_hold h WHERE h.slot_id = s.slot_id AND h.released_at IS NULL AND h.expires_at > $2)
         AND NOT EXISTS (SELECT 1 FROM booking_appointment a WHERE a.slot_id = s.slot_id AND a.status IN ('PENDING', 'CONFIRMED', 'CANCELLING'))`,
      [slotId, now],
    );
    const slot = slots[0];
    if (!slot) return false;
    const entries: { entry_id: string; patient_id: string }[] = await tx.query(
      `SELECT entry_id, patient_id FROM booking_waitlist_entry
       WHERE status = 'WAITING' AND organisation_oid = $1
         AND (resource_id = $2 OR (resource_id IS NULL AND specialty_code IN ($3, $4)))
         AND preferred @> $5::timestamptz
         AND last_offered_slot_id IS DISTINCT FROM $6
       ORDER BY created_at, entry_id
       LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [slot.organisation_oid, slot.resource_id, slot.specialty_nsi_code, slot.specialty_mis_code, slot.starts_at, slot.slot_id],
    );
    const entry = entries[0];
    if (!entry) return false;
    // An expired hold still occupies the unique index until released.
    await tx.query(`UPDATE booking_hold SET released_at = $2, release_reason = 'EXPIRED' WHERE slot_id = $1 AND released_at IS NULL AND expires_at <= $2`, [
      slot.slot_id,
      now,
    ]);
    const holdId = randomUUID();
    const reservedUntil = new Date(now.getTime() + this.config.WAITLIST_RESERVATION_MS);
    const inserted: unknown[] = await tx.query(
      `INSERT INTO booking_hold (hold_id, slot_id, client_id, patient_id, waitlist_entry_id, expires_at, created_at)
       VALUES ($1, $2, 'waitlist', $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
      [holdId, slot.slot_id, entry.patient_id, entry.entry_id, reservedUntil, now],
    );
    if (inserted.length === 0) return false;
    await tx.query(`UPDATE booking_waitlist_entry SET status = 'OFFERED', offer_hold_id = $2, last_offered_slot_id = $3, updated_at = $4 WHERE entry_id = $1`, [
      entry.entry_id,
      holdId,
      slot.slot_id,
      now,
    ]);
    await tx.query(`UPDATE inventory_slot SET held_until = $2 WHERE slot_id = $1`, [slot.slot_id, reservedUntil]);
    await this.outbox.enqueue<EventOf<'WaitlistSlotOffered'>>(tx, {
      event: AllEvents.WaitlistSlotOffered,
      key: entry.entry_id,
      value: {
        offerId: holdId,
        waitlistEntryId: entry.entry_id,
        patientId: entry.patient_id,
        organisationOid: slot.organisation_oid,
        resourceId: slot.resource_id,
        slotId: slot.slot_id,
        startsAt: slot.starts_at.getTime(),
        reservedUntil: reservedUntil.getTime(),
        occurredAt: now.getTime(),
      },
    });
    return true;
  }

  /** A reservation ran out: the entry waits again (not for this slot), and the slot goes to the next in line or to everyone. */
  async offerExpired(tx: EntityManager, offer: ExpiredOffer): Promise<void> {
    const now = this.clock.now();
    const rows: unknown[] = await tx.query(
      `WITH changed AS (UPDATE booking_waitlist_entry SET status = 'WAITING', offer_hold_id = NULL, updated_at = $3
       WHERE entry_id = $1 AND status = 'OFFERED' AND offer_hold_id = $2 RETURNING 1) SELECT * FROM changed`,
      [offer.waitlistEntryId, offer.holdId, now],
    );
    if (rows.length === 0) return;
    await this.outbox.enqueue<EventOf<'WaitlistOfferExpired'>>(tx, {
      event: AllEvents.WaitlistOfferExpired,
      key: offer.waitlistEntryId,
      value: { offerId: offer.holdId, waitlistEntryId: offer.waitlistEntryId, slotId: offer.slotId, occurredAt: now.getTime() },
    });
    await this.offerFreedSlot(tx, offer.slotId);
  }

  /** The entry's offer was used to book: it is served. */
  async offerUsed(tx: EntityManager, waitlistEntryId: string): Promise<void> {
    await tx.query(`UPDATE booking_waitlist_entry SET status = 'BOOKED', updated_at = $2 WHERE entry_id = $1 AND status = 'OFFERED'`, [
      waitlistEntryId,
      this.clock.now(),
    ]);
  }
}

/** The slot leaves no hold or pending booking behind in free search, unless one is still active. */
export async function clearHeld(tx: EntityManager, slotId: string): Promise<void> {
  await tx.query(
    `UPDATE inventory_slot SET held_until = NULL WHERE slot_id = $1 AND held_until IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM booking_hold h WHERE h.slot_id = $1 AND h.released_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM booking_appointment a WHERE a.slot_id = $1 AND a.status = 'PENDING')`,
    [slotId],
  );
}
