import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AllEvents, type EventOf } from '@medbus/contracts';
import type { KafkaEventContext } from '@medbus/kafka';
import { OutcomesService } from './outcomes.service';

/** The adapters' answers to booking commands (the transport subscribes to their topic). */
export const outcomeEvents = [
  AllEvents.SlotBookingConfirmed,
  AllEvents.SlotBookingRejected,
  AllEvents.AppointmentCancellationConfirmed,
  AllEvents.AppointmentCancellationRejected,
] as const;

@Controller()
export class OutcomeConsumer {
  constructor(@Inject(OutcomesService) private readonly outcomes: OutcomesService) {}

  @EventPattern(AllEvents.SlotBookingConfirmed.name)
  async onSlotBookingConfirmed(@Payload() event: EventOf<'SlotBookingConfirmed'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    await ctx.applyOnce((tx) => this.outcomes.bookingConfirmed(tx, event));
  }

  @EventPattern(AllEvents.SlotBookingRejected.name)
  async onSlotBookingRejected(@Payload() event: EventOf<'SlotBookingRejected'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    await ctx.applyOnce((tx) => this.outcomes.bookingRejected(tx, event));
  }

  @EventPattern(AllEvents.AppointmentCancellationConfirmed.name)
  async onCancellationConfirmed(@Payload() event: EventOf<'AppointmentCancellationConfirmed'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    await ctx.applyOnce((tx) => this.outcomes.cancellationConfirmed(tx, event));
  }

  @EventPattern(AllEvents.AppointmentCancellationRejected.name)
  async onCancellationRejected(@Payload() event: EventOf<'AppointmentCancellationRejected'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    await ctx.applyOnce((tx) => this.outcomes.cancellationRejected(tx, event));
  }
}
