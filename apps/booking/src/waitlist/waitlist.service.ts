import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { AllEvents, type EventOf } from '@medbus/contracts';
import { Outbox } from '@medbus/kafka';
import type { BookingConfig } from '../booking.config';
import { appointmentNotFound, clientLimitReached, invalidRequest, patientNotFound } from '../booking.errors';
import { reaches } from '../clients/access.mapper';
import { actsForPatient } from '../patients/patient-access.query';
import { checkIds, type Caller } from '../booking-request.mapper';
import { DataCipher } from '../data-cipher.service';
import { Clock } from '../inventory/clock.service';
import { ReservationsService, type Reservation, type ReservationEnd } from '../reservations/reservations.service';
import { type WaitlistEntryRow, type WaitlistEntryView, type WaitlistRequest, waitlistEntryViewOf } from './waitlist.mapper';

interface FreedSlot {
  slot_id: string;
  organisation_oid: string;
  resource_id: string;
  starts_at: Date;
  specialty_nsi_code: string | null;
  specialty_mis_code: string | null;
}

/**
 * The waitlist: a patient waits for a specialty or a doctor in preferred intervals; a slot that
 * frees up inside one is reserved for the longest-waiting match (a reservation bound to that
 * patient and entry) and offered through an event, before anyone else may book it. However that
 * reservation ends (used, released, expired by whichever path), the reservations tell the entry here.
 */
@Injectable()
export class WaitlistService {
  private readonly outbox = new Outbox();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: BookingConfig,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ReservationsService) private readonly reservations: ReservationsService,
    @Inject(DataCipher) private readonly cipher: DataCipher,
  ) {
    reservations.onWaitlistReservationEnded((tx, reservation, end) => this.reservationEnded(tx, reservation, end));
  }

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
    if (!patients[0] || !(await actsForPatient(this.dataSource, caller, request.patientId, 'write'))) throw patientNotFound({ patientId: request.patientId });
    if (patients[0].organisation_oid !== request.organisationOid) {
      throw invalidRequest(['the patient was identified at another organisation: identify the patient at organisationOid first']);
    }
    const entryId = randomUUID();
    const contactPhone = request.contactPhone === undefined ? null : this.cipher.encrypt(request.contactPhone, contactPhoneOf(entryId));
    const now = this.clock.now();
    const multirange = `{${intervals.map((i) => `[${i.from.toISOString()},${i.to.toISOString()})`).join(',')}}`;
    await this.dataSource.transaction(async (tx) => {
      // Serialises one client's registrations, so the cap holds under concurrent requests.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('booking_waitlist:' || $1))`, [caller.clientId]);
      const open: { open: number }[] = await tx.query(
        `SELECT count(*)::int AS open FROM booking_waitlist_entry WHERE client_id = $1 AND status IN ('WAITING', 'OFFERED')`,
        [caller.clientId],
      );
      const limit = this.config.BOOKING_MAX_WAITLIST_ENTRIES_PER_CLIENT;
      if (open[0].open >= limit) throw clientLimitReached({ limit });
      await tx.query(
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
        contactPhone,
        request.reason ?? 'NO_FREE_SLOTS',
        caller.clientId,
        now,
      ],
      );
    });
    return this.get(caller, entryId);
  }

  /** An entry the caller may read (another client's is "not found"). */
  async get(caller: Caller, entryId: string): Promise<WaitlistEntryView> {
    checkIds({ entryId });
    const rows: WaitlistEntryRow[] = await this.dataSource.query(
      `SELECT e.client_id, e.entry_id, e.patient_id, e.organisation_oid, e.specialty_code, e.resource_id, e.contact_phone, e.status, e.reason, e.created_at, e.updated_at,
         h.hold_id AS offer_id, h.slot_id AS offer_slot_id, h.expires_at AS offer_expires_at
       FROM booking_waitlist_entry e
       LEFT JOIN booking_hold h ON h.hold_id = e.offer_hold_id AND e.status = 'OFFERED'
       WHERE e.entry_id = $1`,
      [entryId],
    );
    if (!rows[0] || !reaches(caller, rows[0].client_id, 'read')) throw appointmentNotFound({ waitlistEntryId: entryId });
    const stored = rows[0].contact_phone;
    return waitlistEntryViewOf(rows[0], stored === null ? null : this.cipher.decrypt(stored, contactPhoneOf(entryId)));
  }

  async cancel(caller: Caller, entryId: string): Promise<WaitlistEntryView> {
    checkIds({ entryId });
    await this.dataSource.transaction(async (tx) => {
      const rows: { status: string; offer_hold_id: string | null; client_id: string }[] = await tx.query(
        `SELECT status, offer_hold_id, client_id FROM booking_waitlist_entry WHERE entry_id = $1 FOR UPDATE`,
        [entryId],
      );
      if (!rows[0] || !reaches(caller, rows[0].client_id, 'write')) throw appointmentNotFound({ waitlistEntryId: entryId });
      if (rows[0].status !== 'WAITING' && rows[0].status !== 'OFFERED') return;
      // An entry that ended needs no phone to call about offers (decision record 0014).
      await tx.query(`UPDATE booking_waitlist_entry SET status = 'CANCELLED', contact_phone = NULL, updated_at = $2 WHERE entry_id = $1`, [entryId, this.clock.now()]);
      if (rows[0].status === 'OFFERED' && rows[0].offer_hold_id) await this.reservations.release(tx, rows[0].offer_hold_id);
    });
    return this.get(caller, entryId);
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
    // A lapsed offer of this slot ends first (and may pass the slot to the next in line itself).
    await this.reservations.expireOn(tx, slotId);
    const now = this.clock.now();
    const slots: FreedSlot[] = await tx.query(
      `SELECT s.slot_id, s.organisation_oid, s.resource_id, s.starts_at, p.specialty_nsi_code, p.specialty_mis_code
       FROM inventory_slot s JOIN inventory_practitioner p ON p.resource_id = s.resource_id
       WHERE s.slot_id = $1 AND s.status = 'FREE' AND s.offered AND s.starts_at > $2
         AND NOT EXISTS (SELECT 1 FROM booking_hold h WHERE h.slot_id = s.slot_id AND h.released_at IS NULL)
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
    const reservation = await this.reservations.take(tx, {
      slotId: slot.slot_id,
      clientId: 'waitlist',
      ttlMs: this.config.WAITLIST_RESERVATION_MS,
      patientId: entry.patient_id,
      waitlistEntryId: entry.entry_id,
    });
    if (typeof reservation === 'string') return false;
    await tx.query(`UPDATE booking_waitlist_entry SET status = 'OFFERED', offer_hold_id = $2, last_offered_slot_id = $3, updated_at = $4 WHERE entry_id = $1`, [
      entry.entry_id,
      reservation.reservationId,
      slot.slot_id,
      now,
    ]);
    await this.outbox.enqueue<EventOf<'WaitlistSlotOffered'>>(tx, {
      event: AllEvents.WaitlistSlotOffered,
      key: entry.entry_id,
      value: {
        offerId: reservation.reservationId,
        waitlistEntryId: entry.entry_id,
        patientId: entry.patient_id,
        organisationOid: slot.organisation_oid,
        resourceId: slot.resource_id,
        slotId: slot.slot_id,
        startsAt: slot.starts_at.getTime(),
        reservedUntil: reservation.expiresAt.getTime(),
        occurredAt: now.getTime(),
      },
    });
    return true;
  }

  /**
   * An entry's reservation ended. Used: the entry is served. Expired or released: the entry waits
   * again (not for this slot) with WaitlistOfferExpired, and the slot goes to the next in line.
   */
  private async reservationEnded(tx: EntityManager, reservation: Reservation, end: ReservationEnd): Promise<void> {
    const now = this.clock.now();
    if (end === 'USED') {
      await tx.query(`UPDATE booking_waitlist_entry SET status = 'BOOKED', contact_phone = NULL, updated_at = $3 WHERE entry_id = $1 AND status = 'OFFERED' AND offer_hold_id = $2`, [
        reservation.waitlistEntryId,
        reservation.reservationId,
        now,
      ]);
      return;
    }
    const rows: unknown[] = await tx.query(
      `WITH changed AS (UPDATE booking_waitlist_entry SET status = 'WAITING', offer_hold_id = NULL, updated_at = $3
       WHERE entry_id = $1 AND status = 'OFFERED' AND offer_hold_id = $2 RETURNING 1) SELECT * FROM changed`,
      [reservation.waitlistEntryId, reservation.reservationId, now],
    );
    if (rows.length > 0 && reservation.waitlistEntryId) {
      await this.outbox.enqueue<EventOf<'WaitlistOfferExpired'>>(tx, {
        event: AllEvents.WaitlistOfferExpired,
        key: reservation.waitlistEntryId,
        value: { offerId: reservation.reservationId, waitlistEntryId: reservation.waitlistEntryId, slotId: reservation.slotId, occurredAt: now.getTime() },
      });
    }
    await this.offerFreedSlot(tx, reservation.slotId);
  }
}

/** What a contact phone's ciphertext is bound to: a copy in another row does not decrypt. */
function contactPhoneOf(entryId: string): string {
  return `booking_waitlist_entry.contact_phone:${entryId}`;
}
