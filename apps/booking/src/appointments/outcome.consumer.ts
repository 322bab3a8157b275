import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllEvents, type EventOf } from '@medbus/contracts';
import type { ConsumedEvent, Projection, Refusal } from '@medbus/kafka';
import { AuditLog } from '../audit/audit.service';
import { OrganisationNotServedError } from '../booking.errors';
import { Role } from '../clients/access.mapper';
import { AdapterRegistry } from '../clients/adapter-registry.service';
import { OutcomesService } from './outcomes.service';

/** The adapters' answers to booking commands (the engine subscribes to every adapter's outcome topic). */
export const outcomeEvents = [
  AllEvents.SlotBookingConfirmed,
  AllEvents.SlotBookingRejected,
  AllEvents.AppointmentCancellationConfirmed,
  AllEvents.AppointmentCancellationRejected,
] as const;

type OutcomeEventName = (typeof outcomeEvents)[number]['name'];
type Outcome = EventOf<OutcomeEventName>;

/**
 * Appointments as the adapters' answers move them: each outcome is applied in order, all of a
 * batch in the engine's one transaction (few per batch; each touches one appointment). An outcome
 * counts only from the adapter the appointment's commands were sent to (0012).
 */
@Injectable()
export class OutcomeProjection implements Projection {
  readonly name = 'outcomes';
  readonly handles = outcomeEvents;

  constructor(
    @Inject(OutcomesService) private readonly outcomes: OutcomesService,
    @Inject(AdapterRegistry) private readonly registry: AdapterRegistry,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  async refuse(tx: EntityManager, events: readonly ConsumedEvent[]): Promise<Refusal[]> {
    const appointments = await this.outcomes.adaptersOf(
      tx,
      events.map((event) => (event.value as Outcome).appointmentId),
    );
    const refusals: Refusal[] = [];
    for (const event of events) {
      const { appointmentId } = event.value as Outcome;
      const appointment = appointments.get(appointmentId);
      // An outcome of an appointment unknown here changes nothing; apply passes over it.
      if (!appointment) continue;
      const expected = appointment.adapterId ?? (await this.registry.adapterOf(appointment.organisationOid));
      if (event.origin !== undefined && event.origin === expected) continue;
      const details = { adapterId: event.origin ?? null, organisationOid: appointment.organisationOid, eventType: event.eventType };
      refusals.push({ event, error: new OrganisationNotServedError(`adapter ${event.origin ?? '(none)'} answered a command sent to another adapter`, details) });
      await this.audit.record(
        {
          action: 'mis.outcome',
          outcome: 'REFUSED',
          clientId: event.origin ?? null,
          role: Role.MIS_ADAPTER,
          resourceType: 'appointment',
          resourceId: appointmentId,
          details: { code: OrganisationNotServedError.code, topic: event.topic, eventType: event.eventType, organisationOid: appointment.organisationOid },
        },
        tx,
      );
    }
    return refusals;
  }

  async apply(tx: EntityManager, events: readonly ConsumedEvent[]): Promise<void> {
    for (const event of events) {
      const name = event.eventType as OutcomeEventName;
      switch (name) {
        case 'SlotBookingConfirmed':
          await this.outcomes.bookingConfirmed(tx, event.value as EventOf<'SlotBookingConfirmed'>);
          break;
        case 'SlotBookingRejected':
          await this.outcomes.bookingRejected(tx, event.value as EventOf<'SlotBookingRejected'>);
          break;
        case 'AppointmentCancellationConfirmed':
          await this.outcomes.cancellationConfirmed(tx, event.value as EventOf<'AppointmentCancellationConfirmed'>);
          break;
        case 'AppointmentCancellationRejected':
          await this.outcomes.cancellationRejected(tx, event.value as EventOf<'AppointmentCancellationRejected'>);
          break;
        default:
          name satisfies never;
      }
    }
  }
}
