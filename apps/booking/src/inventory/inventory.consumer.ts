import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllEvents } from '@medbus/contracts';
import type { ConsumedEvent, Projection } from '@medbus/kafka';
import { inventoryRowsOf } from './inventory.mapper';
import { InventoryService } from './inventory.service';
import { WaitlistService } from '../waitlist/waitlist.service';

/** The MIS events the inventory is projected from (the engine subscribes to their topics). */
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

/**
 * The unified inventory as a projection of the MIS topics (0005, 0008): a batch becomes one
 * version-wins upsert per table; catalogue changes re-copy into their slots in the same transaction.
 */
@Injectable()
export class InventoryProjection implements Projection {
  readonly name = 'inventory';
  readonly handles = inventoryEvents;

  constructor(
    @Inject(InventoryService) private readonly inventory: InventoryService,
    @Inject(WaitlistService) private readonly waitlist: WaitlistService,
  ) {}

  async apply(tx: EntityManager, events: readonly ConsumedEvent[]): Promise<void> {
    const slots = await this.inventory.apply(tx, inventoryRowsOf(events));
    // A slot that is (again) free at the MIS goes to the waitlist first: cancellations, new days.
    const freed = slots.filter((slot) => slot.status === 'FREE' && !slot.removed);
    if (freed.length === 0) return;
    const waitedAt = await this.waitlist.organisationsWithWaiting(tx, [...new Set(freed.map((slot) => slot.organisationOid))]);
    for (const slot of freed) {
      if (waitedAt.has(slot.organisationOid)) await this.waitlist.offerFreedSlot(tx, slot.slotId);
    }
  }
}
