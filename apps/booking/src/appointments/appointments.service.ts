import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { AllEvents, type EventOf } from '@medbus/contracts';
import { Outbox } from '@medbus/kafka';
import type { BookingConfig } from '../booking.config';
import { Clock } from '../inventory/clock.service';
import { ReservationsService } from '../reservations/reservations.service';
import {
  activeStatuses,
  appointmentViewOf,
  refusalOf,
  type AppointmentRow,
  type AppointmentView,
  type BookRequest,
  type BookableSlot,
  type PatientFacts,
} from './appointment.mapper';
import {
  appointmentNotActive,
  appointmentNotFound,
  invalidRequest,
  patientAlreadyBooked,
  patientNotFound,
  rejectionError,
  reservationError,
  ruleError,
  organisationNotServed,
  slotClosedToChannel,
  slotTaken,
} from '../booking.errors';
import { ownRecordsOf, reaches } from '../clients/access.mapper';
import { actsForPatient } from '../patients/patient-access.query';
import { checkIds, uuidPattern, type Caller } from '../booking-request.mapper';
import { IdempotencyService } from '../idempotency.service';
import { AdapterRegistry } from '../clients/adapter-registry.service';
import { OutcomeWaiter } from './outcome-waiter.service';


interface SlotRow {
  slot_id: string;
  organisation_oid: string;
  resource_id: string;
  local_slot_id: string | null;
  local_resource_id: string | null;
  starts_at: Date | null;
  ends_at: Date | null;
  status: string | null;
  offered: boolean;
  removed: boolean;
  specialty_nsi_code: string | null;
  specialty_mis_code: string | null;
  patient_sex: 'MALE' | 'FEMALE' | null;
  min_patient_age_years: number | null;
  max_patient_age_years: number | null;
  attachment_required: boolean | null;
  time_zone: string | null;
  booking_channels: string[] | null;
}

interface PatientRow {
  patient_id: string;
  organisation_oid: string;
  mis_patient_id: string;
  sex: 'MALE' | 'FEMALE' | null;
  birth_date: string | null;
  attached: boolean | null;
}

/**
 * The booking flow: a booking, cancel or reschedule is written with its command to the MIS
 * adapter in one transaction (outbox), then the call waits for the MIS's outcome, applied by
 * {@link OutcomesService}, up to BOOKING_RESPONSE_TIMEOUT_MS and otherwise answers PENDING.
 */
@Injectable()
export class AppointmentsService {
  private readonly outbox = new Outbox();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: BookingConfig,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(IdempotencyService) private readonly idempotency: IdempotencyService,
    @Inject(ReservationsService) private readonly reservations: ReservationsService,
    @Inject(OutcomeWaiter) private readonly waiter: OutcomeWaiter,
    @Inject(AdapterRegistry) private readonly registry: AdapterRegistry,
  ) {}

  async book(caller: Caller, request: BookRequest, idempotencyKey?: string): Promise<AppointmentView> {
    checkIds({ patientId: request.patientId, holdId: request.holdId });
    const appointmentId = await this.idempotency.once(caller.clientId, idempotencyKey, 'book', request, (tx) =>
      this.createBooking(tx, caller, request, undefined),
    );
    return this.settled(appointmentId, 'PENDING');
  }

  async reschedule(caller: Caller, appointmentId: string, request: { slotId: string; holdId?: string }, idempotencyKey?: string): Promise<AppointmentView> {
    checkIds({ appointmentId, holdId: request.holdId });
    const newId = await this.idempotency.once(caller.clientId, idempotencyKey, 'reschedule', { appointmentId, ...request }, async (tx) => {
      const current = await this.locked(tx, appointmentId, caller);
      if (current.status !== 'CONFIRMED' || !current.mis_appointment_id) throw appointmentNotActive({ appointmentId });
      if (current.slot_id === request.slotId) throw invalidRequest(['the appointment is already in this slot']);
      return this.createBooking(tx, caller, { slotId: request.slotId, patientId: current.patient_id, holdId: request.holdId }, current);
    });
    return this.settled(newId, 'PENDING');
  }

  async cancel(caller: Caller, appointmentId: string, idempotencyKey?: string): Promise<AppointmentView> {
    checkIds({ appointmentId });
    let commandId: string | undefined;
    await this.idempotency.once(caller.clientId, idempotencyKey, 'cancel', { appointmentId }, async (tx) => {
      const current = await this.locked(tx, appointmentId, caller);
      if (current.status === 'CANCELLING' || current.status === 'CANCELLED') return appointmentId;
      if (current.status !== 'CONFIRMED' || !current.mis_appointment_id) throw appointmentNotActive({ appointmentId, status: current.status });
      commandId = randomUUID();
      const now = this.clock.now();
      await tx.query(
        `UPDATE booking_appointment SET status = 'CANCELLING', cancel_command_id = $2, rejection_code = NULL, rejection_message = NULL, updated_at = $3
         WHERE appointment_id = $1`,
        [appointmentId, commandId, now],
      );
      await this.enqueueCancel(tx, current, commandId, caller, now);
      return appointmentId;
    });
    const view = await this.settled(appointmentId, 'CANCELLING');
    const row = await this.row(appointmentId);
    if (commandId !== undefined && row.status === 'CONFIRMED' && row.cancel_command_id === commandId && row.rejection_code) {
      throw rejectionError(row.rejection_code, row.rejection_message ?? 'the MIS refused the cancellation', { appointmentId });
    }
    return view;
  }

  /** One appointment, if the caller may read it (one it may not read is "not found": its existence is not told). */
  async get(caller: Caller, appointmentId: string): Promise<AppointmentView> {
    checkIds({ appointmentId });
    const row = await this.row(appointmentId);
    if (!reaches(caller, row.client_id, 'read')) throw appointmentNotFound({ appointmentId });
    return appointmentViewOf(row);
  }

  /** A patient's appointments the caller may read: all of them for a region-wide role, else those it made. */
  async listByPatient(caller: Caller, patientId: string, page: { limit: number; cursor?: string }): Promise<{ items: AppointmentView[]; nextCursor: string | null }> {
    checkIds({ patientId });
    const limit = Math.min(Math.max(Math.trunc(page.limit) || 50, 1), 200);
    let after: [string, string] | undefined;
    if (page.cursor !== undefined) {
      const decoded = Buffer.from(page.cursor, 'base64url').toString('utf8').split('|');
      if (decoded.length !== 2 || !isIssuedInstant(decoded[0]) || !uuidPattern.test(decoded[1])) {
        throw invalidRequest(['cursor is not one this API issued']);
      }
      after = [decoded[0], decoded[1]];
    }
    const rows: AppointmentRow[] = await this.dataSource.query(
      `SELECT * FROM booking_appointment WHERE patient_id = $1
         AND ($2::timestamptz IS NULL OR (created_at, appointment_id) < ($2::timestamptz, $3::uuid))
         AND ($5::text IS NULL OR client_id = $5)
       ORDER BY created_at DESC, appointment_id DESC LIMIT $4`,
      [patientId, after?.[0] ?? null, after?.[1] ?? null, limit + 1, ownRecordsOf(caller, 'read')],
    );
    const items = rows.slice(0, limit).map(appointmentViewOf);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, nextCursor: last ? Buffer.from(`${last.created_at.toISOString()}|${last.appointment_id}`).toString('base64url') : null };
  }

  /** The patient's active appointment on the slot, among those the caller may read. */
  async findActiveOnSlot(caller: Caller, patientId: string, slotId: string): Promise<AppointmentView | undefined> {
    checkIds({ patientId });
    const rows: AppointmentRow[] = await this.dataSource.query(
      `SELECT * FROM booking_appointment WHERE patient_id = $1 AND slot_id = $2 AND status = ANY($3) AND ($4::text IS NULL OR client_id = $4)
       ORDER BY created_at DESC LIMIT 1`,
      [patientId, slotId, activeStatuses, ownRecordsOf(caller, 'read')],
    );
    return rows[0] ? appointmentViewOf(rows[0]) : undefined;
  }

  /** Writes a PENDING appointment and its BookSlot command; checks the rules first. Returns the appointment id. */
  private async createBooking(tx: EntityManager, caller: Caller, request: BookRequest, replaces: AppointmentRow | undefined): Promise<string> {
    const now = this.clock.now();
    // Locking the patient serialises one patient's bookings, so the same-day rule holds under races.
    const patients: PatientRow[] = await tx.query(
      `SELECT patient_id, organisation_oid, mis_patient_id, sex, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, attached
       FROM booking_patient WHERE patient_id = $1 FOR UPDATE`,
      [request.patientId],
    );
    const patient = patients[0];
    if (!patient || !(await actsForPatient(tx, caller, patient.patient_id, 'write'))) throw patientNotFound({ patientId: request.patientId });
    const slots: SlotRow[] = await tx.query(
      `SELECT s.slot_id, s.organisation_oid, s.resource_id, s.local_slot_id, s.local_resource_id, s.starts_at, s.ends_at, s.status, s.offered,
         s.removed, p.specialty_nsi_code, p.specialty_mis_code, p.patient_sex, p.min_patient_age_years, p.max_patient_age_years,
         p.attachment_required, o.time_zone, s.booking_channels
       FROM inventory_slot s
       LEFT JOIN inventory_practitioner p ON p.resource_id = s.resource_id
       LEFT JOIN inventory_organisation o ON o.organisation_oid = s.organisation_oid
       WHERE s.slot_id = $1`,
      [request.slotId],
    );
    const slot = slots[0];
    if (!slot) throw ruleError('SLOT_NOT_FOUND', { slotId: request.slotId });
    const refusal = refusalOf(bookableOf(slot), factsOf(patient), now, request.specialtyCode);
    if (refusal) throw ruleError(refusal, { slotId: request.slotId });
    if (!(slot.booking_channels ?? []).includes(caller.channel)) throw slotClosedToChannel({ slotId: request.slotId, channel: caller.channel });
    if (slot.status !== 'FREE') throw slotTaken({ slotId: request.slotId });
    // The command goes to the adapter registered for the clinic, never to whichever published the slot.
    const adapterId = await this.registry.adapterOf(slot.organisation_oid);
    if (adapterId === undefined) throw organisationNotServed({ slotId: request.slotId, organisationOid: slot.organisation_oid });
    const sameDay: unknown[] = await tx.query(
      `SELECT 1 FROM booking_appointment
       WHERE patient_id = $1 AND resource_id = $2 AND status = ANY($3) AND appointment_id IS DISTINCT FROM $4
         AND (starts_at AT TIME ZONE $5)::date = ($6::timestamptz AT TIME ZONE $5)::date
       LIMIT 1`,
      [patient.patient_id, slot.resource_id, activeStatuses, replaces?.appointment_id ?? null, slot.time_zone ?? 'UTC', slot.starts_at],
    );
    if (sameDay.length > 0) throw patientAlreadyBooked({ slotId: request.slotId });
    const consumed = await this.reservations.consume(tx, { slotId: request.slotId, patientId: patient.patient_id, reservationId: request.holdId, caller });
    if ('refused' in consumed) throw reservationError(consumed.refused, { slotId: request.slotId, ...(request.holdId ? { holdId: request.holdId } : {}) });

    const appointmentId = randomUUID();
    const commandId = randomUUID();
    const deadline = new Date(now.getTime() + this.config.BOOKING_COMMAND_DEADLINE_MS);
    const inserted: unknown[] = await tx.query(
      `INSERT INTO booking_appointment (appointment_id, patient_id, slot_id, organisation_oid, resource_id, local_slot_id, local_resource_id,
         starts_at, ends_at, status, channel, client_id, replaces_appointment_id, book_command_id, deadline, created_at, updated_at, adapter_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING', $10, $11, $12, $13, $14, $15, $15, $16)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [
        appointmentId,
        patient.patient_id,
        slot.slot_id,
        slot.organisation_oid,
        slot.resource_id,
        slot.local_slot_id,
        slot.local_resource_id,
        slot.starts_at,
        slot.ends_at,
        caller.channel,
        caller.clientId,
        replaces?.appointment_id ?? null,
        commandId,
        deadline,
        now,
        adapterId,
      ],
    );
    if (inserted.length === 0) {
      if (replaces) throw appointmentNotActive({ appointmentId: replaces.appointment_id, reason: 'a reschedule is already in progress' });
      throw slotTaken({ slotId: request.slotId });
    }
    // After the appointment row, as the outcome consumer does (appointment, then slot), so the two never deadlock.
    await this.reservations.holdSlot(tx, slot.slot_id, deadline);
    await this.outbox.enqueue<EventOf<'BookSlot'>>(tx, {
      event: AllEvents.BookSlot,
      adapterId,
      key: appointmentId,
      value: {
        commandId,
        appointmentId,
        slotId: slot.slot_id,
        localSlotId: slot.local_slot_id ?? '',
        organisationOid: slot.organisation_oid,
        resourceId: slot.resource_id,
        localResourceId: slot.local_resource_id ?? '',
        misPatientId: patient.mis_patient_id,
        requestedBy: caller.channel,
        requestedAt: now.getTime(),
        deadline: deadline.getTime(),
        replacesMisAppointmentId: replaces?.mis_appointment_id ?? null,
      },
    });
    return appointmentId;
  }

  /** Writes the CancelAppointment command of a confirmed appointment (also used to undo a booking confirmed too late). */
  async enqueueCancel(tx: EntityManager, appointment: AppointmentRow, commandId: string, caller: Pick<Caller, 'channel'>, now: Date): Promise<void> {
    const patients: { mis_patient_id: string }[] = await tx.query(`SELECT mis_patient_id FROM booking_patient WHERE patient_id = $1`, [appointment.patient_id]);
    // To the adapter that booked it (its MIS holds the appointment); one booked before 0012 to the clinic's adapter now.
    const adapterId = appointment.adapter_id ?? (await this.registry.adapterOf(appointment.organisation_oid));
    if (adapterId === undefined) throw organisationNotServed({ appointmentId: appointment.appointment_id, organisationOid: appointment.organisation_oid });
    await this.outbox.enqueue<EventOf<'CancelAppointment'>>(tx, {
      event: AllEvents.CancelAppointment,
      adapterId,
      key: appointment.appointment_id,
      value: {
        commandId,
        appointmentId: appointment.appointment_id,
        organisationOid: appointment.organisation_oid,
        slotId: appointment.slot_id,
        localSlotId: appointment.local_slot_id,
        misAppointmentId: appointment.mis_appointment_id ?? appointment.local_slot_id,
        misPatientId: patients[0]?.mis_patient_id ?? '',
        requestedBy: caller.channel,
        requestedAt: now.getTime(),
      },
    });
  }

  /** Waits until the appointment leaves `inFlight` (or the response timeout passes); a MIS refusal is thrown. */
  private async settled(appointmentId: string, inFlight: 'PENDING' | 'CANCELLING'): Promise<AppointmentView> {
    let row = await this.row(appointmentId);
    await this.waiter.waitFor(appointmentId, this.config.BOOKING_RESPONSE_TIMEOUT_MS, async () => {
      row = await this.row(appointmentId);
      return row.status !== inFlight;
    });
    if (row.status === 'REJECTED') {
      throw rejectionError(row.rejection_code ?? 'BOOKING.MIS_REFUSED', row.rejection_message ?? 'the MIS refused', { appointmentId });
    }
    return appointmentViewOf(row);
  }

  private async row(appointmentId: string): Promise<AppointmentRow> {
    const rows: AppointmentRow[] = await this.dataSource.query(`SELECT * FROM booking_appointment WHERE appointment_id = $1`, [appointmentId]);
    if (!rows[0]) throw appointmentNotFound({ appointmentId });
    return rows[0];
  }

  private async locked(tx: EntityManager, appointmentId: string, caller: Caller): Promise<AppointmentRow> {
    const rows: AppointmentRow[] = await tx.query(`SELECT * FROM booking_appointment WHERE appointment_id = $1 FOR UPDATE`, [appointmentId]);
    if (!rows[0] || !reaches(caller, rows[0].client_id, 'write')) throw appointmentNotFound({ appointmentId });
    return rows[0];
  }

}

function bookableOf(slot: SlotRow): BookableSlot {
  return {
    slotId: slot.slot_id,
    organisationOid: slot.organisation_oid,
    resourceId: slot.resource_id,
    localSlotId: slot.local_slot_id,
    localResourceId: slot.local_resource_id,
    startsAt: slot.starts_at,
    endsAt: slot.ends_at,
    status: slot.status,
    offered: slot.offered,
    removed: slot.removed,
    specialtyNsiCode: slot.specialty_nsi_code,
    specialtyMisCode: slot.specialty_mis_code,
    patientSex: slot.patient_sex,
    minPatientAgeYears: slot.min_patient_age_years,
    maxPatientAgeYears: slot.max_patient_age_years,
    attachmentRequired: slot.attachment_required ?? false,
  };
}

function factsOf(patient: PatientRow): PatientFacts {
  return {
    patientId: patient.patient_id,
    organisationOid: patient.organisation_oid,
    sex: patient.sex,
    birthDate: patient.birth_date,
    attached: patient.attached,
  };
}

/** Only what nextCursor writes (toISOString of a row's created_at): not 2026-02-31, nor a year PostgreSQL cannot hold. */
function isIssuedInstant(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text)) return false;
  const time = Date.parse(text);
  return !Number.isNaN(time) && new Date(time).toISOString() === text;
}
