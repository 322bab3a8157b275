import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * Reads the export projection's fer_slot (owned by the export module; read only here) to tell a
 * slot the region once had (removed, past or closed to the portal since: SLOT_NOT_AVAILABLE) from an
 * id it never knew (NOT_FOUND), which booking's SLOT_NOT_FOUND does not distinguish.
 */
@Injectable()
export class FederalSlotQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async isKnown(slotId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM fer_slot WHERE slot_id = $1`, [slotId]);
    return rows.length > 0;
  }
}
