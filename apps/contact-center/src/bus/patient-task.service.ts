import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { lastPerKey, type OfferExpiryRow, type OfferRow } from './bus.mapper';
import { recordset, returnedRows, type BatchKeys } from './bus-tables.service';
import { PatientTaskClosedError, PatientTaskNotFoundError } from './bus.errors';
import { Clock } from '../clock.service';

export const TaskKind = { WAITLIST_OFFER: 'WAITLIST_OFFER', SLOT_WITHDRAWN: 'SLOT_WITHDRAWN' } as const;
export type TaskKind = (typeof TaskKind)[keyof typeof TaskKind];

export const TaskStatus = { OPEN: 'OPEN', DONE: 'DONE', EXPIRED: 'EXPIRED' } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** What an operator records when he closes a task. */
export const TaskOutcome = { INFORMED: 'INFORMED', REBOOKED: 'REBOOKED', DECLINED: 'DECLINED', UNREACHABLE: 'UNREACHABLE' } as const;
export type TaskOutcome = (typeof TaskOutcome)[keyof typeof TaskOutcome];

/** What closes a task by itself (done_by null): the patient booked the offered slot, or the appointment to rebook was cancelled. */
export const AutomaticOutcome = { PATIENT_BOOKED: 'PATIENT_BOOKED', APPOINTMENT_CANCELLED: 'APPOINTMENT_CANCELLED' } as const;

// Taken by every batch that derives tasks, held to its commit: of two concurrent batches, the second to
// derive sees the first's rows (READ COMMITTED, each statement a fresh snapshot), so a join never misses.
const derivationLock = 7_781_412;

const insertOffers = `INSERT INTO patient_task (kind, patient_id, offer_id, organisation_oid, slot_id, starts_at, district_id, due_by, source_event_id)
  SELECT 'WAITLIST_OFFER', x.patient_id, x.offer_id, x.organisation_oid, x.slot_id, x.starts_at, o.district_id, x.reserved_until, x.event_id
  FROM ${recordset('event_id text, offer_id uuid, patient_id uuid, organisation_oid text, slot_id text, starts_at timestamptz, reserved_until timestamptz')}
  LEFT JOIN organisation o ON o.oid = x.organisation_oid
  ORDER BY x.event_id
  ON CONFLICT (source_event_id) DO NOTHING`;

const expireOffers = `UPDATE patient_task t SET status = 'EXPIRED', done_at = x.expired_at
  FROM ${recordset('offer_id uuid, expired_at timestamptz')}
  WHERE t.offer_id = x.offer_id AND t.kind = 'WAITLIST_OFFER' AND t.status = 'OPEN'`;

// A reschedule ends the appointment it replaces, whichever of the two bookings arrived first.
const cancelReplaced = `UPDATE patient_appointment o SET status = 'CANCELLED', cancelled_at = r.booked_at
  FROM patient_appointment r
  WHERE r.replaces_appointment_id = o.appointment_id AND o.status = 'BOOKED'
    AND (r.appointment_id = ANY($1::uuid[]) OR o.appointment_id = ANY($1::uuid[]))
  RETURNING o.appointment_id`;

// A booked visit still to come on a slot withdrawn (or of a resource removed) before it: one task per appointment.
const insertWithdrawn = `INSERT INTO patient_task (kind, patient_id, appointment_id, organisation_oid, slot_id, starts_at, district_id, due_by, source_event_id)
  SELECT 'SLOT_WITHDRAWN', a.patient_id, a.appointment_id, a.organisation_oid, a.slot_id, a.starts_at, o.district_id, a.starts_at, 'slot-withdrawn:' || a.appointment_id
  FROM patient_appointment a
  LEFT JOIN organisation o ON o.oid = a.organisation_oid
  WHERE a.status = 'BOOKED' AND a.starts_at IS NOT NULL
    AND (a.slot_id = ANY($1::text[]) OR a.resource_id = ANY($2::text[]) OR a.appointment_id = ANY($3::uuid[]))
    AND (EXISTS (SELECT 1 FROM withdrawn_slot w WHERE w.slot_id = a.slot_id AND w.withdrawn AND w.withdrawn_at < a.starts_at)
      OR EXISTS (SELECT 1 FROM withdrawn_resource w WHERE w.resource_id = a.resource_id AND w.withdrawn_at < a.starts_at))
  ORDER BY a.appointment_id
  ON CONFLICT (source_event_id) DO NOTHING`;

// The patient booked the slot he was offered (through any channel), before or after the offer reached us.
const closeBookedOffers = `UPDATE patient_task t SET status = 'DONE', done_at = a.booked_at, outcome = '${AutomaticOutcome.PATIENT_BOOKED}'
  FROM patient_appointment a
  WHERE t.kind = 'WAITLIST_OFFER' AND t.status = 'OPEN' AND a.patient_id = t.patient_id AND a.slot_id = t.slot_id AND a.booked_at IS NOT NULL
    AND (a.appointment_id = ANY($1::uuid[]) OR t.offer_id = ANY($2::uuid[]))`;

const closeCancelled = `UPDATE patient_task t SET status = 'DONE', done_at = a.cancelled_at, outcome = '${AutomaticOutcome.APPOINTMENT_CANCELLED}'
  FROM patient_appointment a
  WHERE t.kind = 'SLOT_WITHDRAWN' AND t.status = 'OPEN' AND a.appointment_id = t.appointment_id AND a.status = 'CANCELLED'
    AND t.appointment_id = ANY($1::uuid[])`;

const markDone = `UPDATE patient_task SET status = 'DONE', done_by = $2, done_at = $3, outcome = $4
  WHERE id = $1 AND status = 'OPEN' AND ($5::text IS NULL OR branch IS NULL OR branch = $5)
  RETURNING id`;

/** The tasks to call a patient: written by the bus projection, closed by operators or by the events that settle them. */
@Injectable()
export class PatientTaskService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * The batch's offers and expiries, then every task that joins two aggregates, derived from the
   * tables as they stand (this batch's rows and all committed before): tasks for booked visits on
   * withdrawn slots, offers the patient booked, tasks whose appointment was cancelled.
   */
  async apply(tx: EntityManager, offers: readonly OfferRow[], expiries: readonly OfferExpiryRow[], keys: BatchKeys): Promise<void> {
    const batchOffers = lastPerKey(offers, (row) => row.eventId);
    const touches = batchOffers.length + keys.bookedAppointmentIds.length + keys.cancelledAppointmentIds.length + keys.withdrawnSlotIds.length + keys.withdrawnResourceIds.length;
    if (touches === 0 && expiries.length === 0) return;
    if (touches > 0) await tx.query('SELECT pg_advisory_xact_lock($1)', [derivationLock]);
    if (batchOffers.length > 0) {
      const json = batchOffers.map((r) => ({
        event_id: r.eventId,
        offer_id: r.offerId,
        patient_id: r.patientId,
        organisation_oid: r.organisationOid,
        slot_id: r.slotId,
        starts_at: r.startsAt,
        reserved_until: r.reservedUntil,
      }));
      await tx.query(insertOffers, [JSON.stringify(json)]);
    }
    // An offer and its expiry share a key: the expiry comes after, in this batch or a later one.
    if (expiries.length > 0) await tx.query(expireOffers, [JSON.stringify(expiries.map((r) => ({ offer_id: r.offerId, expired_at: r.expiredAt })))]);
    if (touches === 0) return;

    const replaced = keys.bookedAppointmentIds.length > 0 ? await returnedRows<{ appointment_id: string }>(tx, cancelReplaced, [keys.bookedAppointmentIds]) : [];
    if (keys.withdrawnSlotIds.length + keys.withdrawnResourceIds.length + keys.bookedAppointmentIds.length > 0) {
      await tx.query(insertWithdrawn, [keys.withdrawnSlotIds, keys.withdrawnResourceIds, keys.bookedAppointmentIds]);
    }
    if (keys.bookedAppointmentIds.length + batchOffers.length > 0) await tx.query(closeBookedOffers, [keys.bookedAppointmentIds, batchOffers.map((row) => row.offerId)]);
    const ended = [...keys.cancelledAppointmentIds, ...replaced.map((row) => row.appointment_id)];
    if (ended.length > 0) await tx.query(closeCancelled, [ended]);
  }

  /**
   * An operator closes an open task with its outcome. `branch`: the operator's branch (a task of
   * another branch is not his: not found); null reaches every branch.
   *
   * @throws CC.PATIENT_TASK_NOT_FOUND, CC.PATIENT_TASK_CLOSED
   */
  async done(taskId: string, outcome: TaskOutcome, doneBy: string, branch: string | null): Promise<void> {
    const updated = await returnedRows<{ id: string }>(this.dataSource, markDone, [taskId, doneBy, this.clock.now(), outcome, branch]);
    if (updated.length > 0) return;
    const [task]: { status: string; branch: string | null }[] = await this.dataSource.query(`SELECT status, branch FROM patient_task WHERE id = $1`, [taskId]);
    if (!task || (branch !== null && task.branch !== null && task.branch !== branch)) throw new PatientTaskNotFoundError(taskId);
    throw new PatientTaskClosedError(taskId, task.status);
  }
}
