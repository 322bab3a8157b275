import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllEvents, type EventOf } from '@medbus/contracts';
import { Outbox } from '@medbus/kafka';
import { Clock } from '../inventory/clock.service';
import { SlotStatusService } from '../inventory/slot-status.service';
import { ReservationsService } from '../reservations/reservations.service';
import { WaitlistService } from '../waitlist/waitlist.service';
import type { AppointmentRow } from './appointment.mapper';
import { codeOfRejection } from '../booking.errors';
import { uuidPattern } from '../booking-request.mapper';
import { AppointmentsService } from './appointments.service';
import { outcomeChannel } from './outcome-waiter.service';

/**
 * Applies the MIS's answers to booking commands, inside the consumer's transaction (which also
 * records the event as handled). An outcome only moves the appointment out of the state its
 * command put it in, so a redelivered or stale outcome changes nothing; a booking the MIS
 * confirmed after medbus gave up on it is cancelled at the MIS rather than left behind.
 */
@Injectable()
export class OutcomesService {
  private readonly logger = new Logger(OutcomesService.name);
  private readonly outbox = new Outbox();

  constructor(
    @Inject(Clock) private readonly clock: Clock,
    @Inject(WaitlistService) private readonly waitlist: WaitlistService,
    @Inject(ReservationsService) private readonly reservations: ReservationsService,
    @Inject(SlotStatusService) private readonly slots: SlotStatusService,
    @Inject(AppointmentsService) private readonly appointments: AppointmentsService,
  ) {}

  async bookingConfirmed(tx: EntityManager, event: EventOf<'SlotBookingConfirmed'>): Promise<void> {
    const appointment = await this.locked(tx, event.appointmentId);
    if (!appointment || appointment.book_command_id !== event.commandId) return;
    const now = this.clock.now();
    if (appointment.status === 'REJECTED') {
      this.logger.warn(`appointment ${appointment.appointment_id}: the MIS confirmed a booking already refused here; cancelling it at the MIS`);
      const commandId = randomUUID();
      await tx.query(`UPDATE booking_appointment SET cancel_command_id = $2, mis_appointment_id = $3, updated_at = $4 WHERE appointment_id = $1`, [
        appointment.appointment_id,
        commandId,
        event.misAppointmentId,
        now,
      ]);
      await this.appointments.enqueueCancel(tx, { ...appointment, mis_appointment_id: event.misAppointmentId }, commandId, appointment, now);
      return;
    }
    if (appointment.status !== 'PENDING') return;
    await tx.query(`UPDATE booking_appointment SET status = 'CONFIRMED', mis_appointment_id = $2, updated_at = $3 WHERE appointment_id = $1`, [
      appointment.appointment_id,
      event.misAppointmentId,
      now,
    ]);
    await this.slots.booked(tx, appointment.slot_id);
    await this.reservations.clearHeld(tx, appointment.slot_id);
    if (appointment.replaces_appointment_id) {
      const replaced: { slot_id: string }[] = await tx.query(
        `WITH changed AS (UPDATE booking_appointment SET status = 'RESCHEDULED', updated_at = $2 WHERE appointment_id = $1 AND status = 'CONFIRMED' RETURNING slot_id) SELECT * FROM changed`,
        [appointment.replaces_appointment_id, now],
      );
      if (replaced[0]) await this.slotFreed(tx, replaced[0].slot_id);
    }
    await this.outbox.enqueue<EventOf<'AppointmentBooked'>>(tx, {
      event: AllEvents.AppointmentBooked,
      key: appointment.appointment_id,
      value: {
        appointmentId: appointment.appointment_id,
        patientId: appointment.patient_id,
        organisationOid: appointment.organisation_oid,
        resourceId: appointment.resource_id,
        slotId: appointment.slot_id,
        startsAt: appointment.starts_at.getTime(),
        misAppointmentId: event.misAppointmentId,
        channel: appointment.channel,
        replacesAppointmentId: appointment.replaces_appointment_id,
        occurredAt: now.getTime(),
      },
    });
    await notify(tx, appointment.appointment_id);
  }

  async bookingRejected(tx: EntityManager, event: EventOf<'SlotBookingRejected'>): Promise<void> {
    const appointment = await this.locked(tx, event.appointmentId);
    if (!appointment || appointment.book_command_id !== event.commandId || appointment.status !== 'PENDING') return;
    await tx.query(
      `UPDATE booking_appointment SET status = 'REJECTED', rejection_code = $2, rejection_message = $3, updated_at = $4 WHERE appointment_id = $1`,
      [appointment.appointment_id, codeOfRejection(event.reason), event.message, this.clock.now()],
    );
    // The MIS says someone else has the slot (a walk-in at the front desk): the inventory shows it at once.
    if (event.reason === 'SLOT_TAKEN') await this.slots.booked(tx, appointment.slot_id);
    await this.reservations.clearHeld(tx, appointment.slot_id);
    await notify(tx, appointment.appointment_id);
  }

  async cancellationConfirmed(tx: EntityManager, event: EventOf<'AppointmentCancellationConfirmed'>): Promise<void> {
    const appointment = await this.locked(tx, event.appointmentId);
    if (!appointment || appointment.cancel_command_id !== event.commandId) return;
    if (appointment.status !== 'CANCELLING') return;
    const now = this.clock.now();
    await tx.query(`UPDATE booking_appointment SET status = 'CANCELLED', updated_at = $2 WHERE appointment_id = $1`, [appointment.appointment_id, now]);
    await this.outbox.enqueue<EventOf<'AppointmentCancelled'>>(tx, {
      event: AllEvents.AppointmentCancelled,
      key: appointment.appointment_id,
      value: {
        appointmentId: appointment.appointment_id,
        patientId: appointment.patient_id,
        organisationOid: appointment.organisation_oid,
        slotId: appointment.slot_id,
        occurredAt: now.getTime(),
      },
    });
    await this.slotFreed(tx, appointment.slot_id);
    await notify(tx, appointment.appointment_id);
  }

  async cancellationRejected(tx: EntityManager, event: EventOf<'AppointmentCancellationRejected'>): Promise<void> {
    const appointment = await this.locked(tx, event.appointmentId);
    if (!appointment || appointment.cancel_command_id !== event.commandId || appointment.status !== 'CANCELLING') return;
    // The MIS has no such booking any more (cancelled at the front desk meanwhile): it is cancelled either way.
    const gone = event.reason === 'APPOINTMENT_NOT_FOUND';
    await tx.query(
      `UPDATE booking_appointment SET status = $2, rejection_code = $3, rejection_message = $4, updated_at = $5 WHERE appointment_id = $1`,
      [appointment.appointment_id, gone ? 'CANCELLED' : 'CONFIRMED', gone ? null : codeOfRejection(event.reason), gone ? null : event.message, this.clock.now()],
    );
    await notify(tx, appointment.appointment_id);
  }

  /** The MIS released a slot medbus had booked: free in the inventory, and offered to the waitlist first. */
  private async slotFreed(tx: EntityManager, slotId: string): Promise<void> {
    await this.slots.freed(tx, slotId);
    await this.reservations.clearHeld(tx, slotId);
    await this.waitlist.offerFreedSlot(tx, slotId);
  }

  /** The adapter each appointment's commands went to (its organisation's adapter of record, for one booked before 0012). */
  async adaptersOf(tx: EntityManager, appointmentIds: readonly string[]): Promise<Map<string, { adapterId: string | null; organisationOid: string }>> {
    const rows: { appointment_id: string; adapter_id: string | null; organisation_oid: string }[] = await tx.query(
      `SELECT appointment_id, adapter_id, organisation_oid FROM booking_appointment WHERE appointment_id = ANY($1::uuid[])`,
      // An id that is no UUID names no appointment (and must not fail the cast).
      [[...new Set(appointmentIds)].filter((id) => uuidPattern.test(id))],
    );
    return new Map(rows.map((row) => [row.appointment_id, { adapterId: row.adapter_id, organisationOid: row.organisation_oid }]));
  }

  private async locked(tx: EntityManager, appointmentId: string): Promise<AppointmentRow | undefined> {
    const rows: AppointmentRow[] = await tx.query(`SELECT * FROM booking_appointment WHERE appointment_id = $1 FOR UPDATE`, [appointmentId]);
    // Another booking service's appointment (tests and demos share the topic), or one from before a rebuild.
    if (!rows[0]) this.logger.debug(`an outcome names appointment ${appointmentId}, which this service does not know; ignored`);
    return rows[0];
  }
}

async function notify(tx: EntityManager, appointmentId: string): Promise<void> {
  await tx.query(`SELECT pg_notify($1, $2)`, [outcomeChannel, appointmentId]);
}
