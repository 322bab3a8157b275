import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllEvents, type EventOf } from '@medbus/contracts';
import type { ConsumedEvent, Projection } from '@medbus/kafka';
import { OutcomesService } from './outcomes.service';

/** The adapters' answers to booking commands (the engine subscribes to their topic). */
export const outcomeEvents = [
  AllEvents.SlotBookingConfirmed,
  AllEvents.SlotBookingRejected,
  AllEvents.AppointmentCancellationConfirmed,
  AllEvents.AppointmentCancellationRejected,
] as const;

type OutcomeEventName = (typeof outcomeEvents)[number]['name'];

/**
 * Appointments as the adapters' answers move them: each outcome is applied in order, all of a
 * batch in the engine's one transaction (few per batch; each touches one appointment).
 */
@Injectable()
export class OutcomeProjection implements Projection {
  readonly name = 'outcomes';
  readonly handles = outcomeEvents;

  constructor(@Inject(OutcomesService) private readonly outcomes: OutcomesService) {}

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
