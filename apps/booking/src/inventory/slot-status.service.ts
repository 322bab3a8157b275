import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The booking flow's optimistic writes of a slot's MIS status, ahead of the MIS's own event (which
 * the inventory projection applies by version): booked once the MIS confirmed, free once it
 * cancelled, taken when it refused a booking because someone else has the slot.
 */
@Injectable()
export class SlotStatusService {
  async booked(tx: EntityManager, slotId: string): Promise<void> {
    await tx.query(`UPDATE inventory_slot SET status = 'BOOKED' WHERE slot_id = $1`, [slotId]);
  }

  async freed(tx: EntityManager, slotId: string): Promise<void> {
    await tx.query(`UPDATE inventory_slot SET status = 'FREE' WHERE slot_id = $1 AND NOT removed`, [slotId]);
  }
}
