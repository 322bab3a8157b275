import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AllEvents, type EventOf } from '@medbus/contracts';
import type { KafkaEventContext } from '@medbus/kafka';
import {
  heartbeatRowOf,
  organisationRowOf,
  organisationTombstoneOf,
  practitionerRowOf,
  practitionerTombstoneOf,
  slotRowOf,
  slotTombstoneOf,
} from './inventory.mapper';
import { InventoryService } from './inventory.service';
import { WaitlistService } from '../waitlist/waitlist.service';

/** The MIS events the inventory is projected from (the transport subscribes to their topics). */
export const inventoryEvents = [
  AllEvents.OrganisationPublished,
  AllEvents.OrganisationRemoved,
  AllEvents.ResourcePublished,
  AllEvents.ResourceRemoved,
  AllEvents.SlotPublished,
  AllEvents.SlotChanged,
  AllEvents.SlotRemoved,
  AllEvents.AdapterHeartbeatRecorded,
] as const;

@Controller()
export class InventoryConsumer {
  constructor(
    @Inject(InventoryService) private readonly inventory: InventoryService,
    @Inject(WaitlistService) private readonly waitlist: WaitlistService,
  ) {}

  @EventPattern(AllEvents.OrganisationPublished.name)
  async onOrganisationPublished(@Payload() event: EventOf<'OrganisationPublished'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    const row = organisationRowOf(event);
    await ctx.applyOnce((tx) => this.inventory.applyOrganisation(tx, row));
  }

  @EventPattern(AllEvents.OrganisationRemoved.name)
  async onOrganisationRemoved(@Payload() event: EventOf<'OrganisationRemoved'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    const row = organisationTombstoneOf(event);
    await ctx.applyOnce((tx) => this.inventory.applyOrganisation(tx, row));
  }

  @EventPattern(AllEvents.ResourcePublished.name)
  async onResourcePublished(@Payload() event: EventOf<'ResourcePublished'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    const row = practitionerRowOf(event);
    await ctx.applyOnce((tx) => this.inventory.applyPractitioner(tx, row));
  }

  @EventPattern(AllEvents.ResourceRemoved.name)
  async onResourceRemoved(@Payload() event: EventOf<'ResourceRemoved'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    const row = practitionerTombstoneOf(event);
    await ctx.applyOnce((tx) => this.inventory.applyPractitioner(tx, row));
  }

  @EventPattern(AllEvents.SlotPublished.name)
  async onSlotPublished(@Payload() event: EventOf<'SlotPublished'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    const row = slotRowOf(event);
    await ctx.applyOnce(async (tx) => {
      // A slot that is (again) free at the MIS goes to the waitlist first: cancellations, new days.
      if ((await this.inventory.applySlot(tx, row)) && row.status === 'FREE') await this.waitlist.offerFreedSlot(tx, row.slotId, row.organisationOid);
    });
  }

  @EventPattern(AllEvents.SlotChanged.name)
  async onSlotChanged(@Payload() event: EventOf<'SlotChanged'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    const row = slotRowOf(event);
    await ctx.applyOnce(async (tx) => {
      // A slot that is (again) free at the MIS goes to the waitlist first: cancellations, new days.
      if ((await this.inventory.applySlot(tx, row)) && row.status === 'FREE') await this.waitlist.offerFreedSlot(tx, row.slotId, row.organisationOid);
    });
  }

  @EventPattern(AllEvents.SlotRemoved.name)
  async onSlotRemoved(@Payload() event: EventOf<'SlotRemoved'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    const row = slotTombstoneOf(event);
    await ctx.applyOnce((tx) => this.inventory.applySlot(tx, row));
  }

  @EventPattern(AllEvents.AdapterHeartbeatRecorded.name)
  async onAdapterHeartbeatRecorded(@Payload() event: EventOf<'AdapterHeartbeatRecorded'>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    const row = heartbeatRowOf(event);
    await ctx.applyOnce((tx) => this.inventory.applyHeartbeat(tx, row));
  }
}
