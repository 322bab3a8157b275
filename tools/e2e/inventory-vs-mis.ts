import { Client } from 'pg';
import { localDateTimeToEpochMs } from '@medbus/mis-adapter-kit';
import type { SimOrganisation, SimSlot } from './region.process';

/**
 * "The inventory of an organisation equals its MIS, slot by slot", for the end-to-end tests and the
 * bench. HubService lists free appointments only, so equality is about what operators are offered:
 * every slot the MIS has free is offered free in the inventory, and every slot the inventory offers
 * free is free at the MIS. A slot the MIS has booked, blocked or no longer has may stay in the
 * inventory as long as it is not offered.
 */

export interface InventoryVsMis {
  readonly organisationOid: string;
  /** Free at the MIS, starting after the comparison's start. */
  readonly misFree: number;
  /** Offered free in the inventory over the same span. */
  readonly offeredFree: number;
  /** Free at the MIS, not offered (slot ids, `<oid>:<IdAppointment>`). */
  readonly missing: readonly string[];
  /** Offered free, and at the MIS booked, blocked or absent. */
  readonly extra: ReadonlyArray<{ readonly slotId: string; readonly atMis: 'booked' | 'blocked' | 'absent' }>;
}

/** Runs one SQL statement on the booking service's schema. */
export type BookingQuery = <T>(sql: string, values: unknown[]) => Promise<T[]>;

export interface CompareOptions {
  readonly simUrl: string;
  readonly adminToken: string;
  readonly bookingDb: BookingQuery;
  /**
   * Slots starting before this instant are left out on both sides (default: a minute from now): a
   * slot that passes during the comparison is forgotten by the adapter at its own pace.
   */
  readonly fromMs?: number;
  /** Slots starting at or after this instant are left out (the adapter's horizon, when shorter than the MIS's). */
  readonly untilMs?: number;
}

export const equalsMis = (result: InventoryVsMis): boolean => result.missing.length === 0 && result.extra.length === 0;

/** A short account of the differences, for a failing assertion or the bench's log. */
export function describeDifferences(results: readonly InventoryVsMis[]): string {
  const differing = results.filter((r) => !equalsMis(r));
  if (differing.length === 0) return `inventory equals the MIS for ${results.length} organisations`;
  return differing
    .map(
      (r) =>
        `${r.organisationOid}: MIS ${r.misFree} free, inventory offers ${r.offeredFree}; ${r.missing.length} missing (${r.missing.slice(0, 3).join(', ')}), ` +
        `${r.extra.length} extra (${r.extra
          .slice(0, 3)
          .map((e) => `${e.slotId} ${e.atMis} at the MIS`)
          .join(', ')})`,
    )
    .join('\n');
}

/** Compares each organisation's offered free slots with its MIS's free slots. */
export async function compareInventoryWithMis(organisations: readonly SimOrganisation[], options: CompareOptions): Promise<InventoryVsMis[]> {
  const fromMs = options.fromMs ?? Date.now() + 60_000;
  const untilMs = options.untilMs ?? Number.MAX_SAFE_INTEGER;
  const results: InventoryVsMis[] = [];
  for (const organisation of organisations) {
    const [atMis, offered] = await Promise.all([
      misSlotsOf(options, organisation),
      options.bookingDb<{ slot_id: string }>(
        `SELECT slot_id FROM inventory_slot
          WHERE organisation_oid = $1 AND offered AND status = 'FREE' AND starts_at >= $2 AND starts_at < $3`,
        [organisation.oid, new Date(fromMs), new Date(Math.min(untilMs, 8.64e15))],
      ),
    ]);
    const inSpan = (slot: SimSlot) => {
      const startsAt = localDateTimeToEpochMs(slot.VisitStart, organisation.timeZone);
      return startsAt !== undefined && startsAt >= fromMs && startsAt < untilMs;
    };
    const misState = new Map<string, string>();
    for (const slot of atMis) if (inSpan(slot)) misState.set(`${organisation.oid}:${slot.IdAppointment}`, slot.state);
    const offeredIds = new Set(offered.map((row) => row.slot_id));
    const missing = [...misState].filter(([id, state]) => state === 'free' && !offeredIds.has(id)).map(([id]) => id);
    const extra = [...offeredIds]
      .filter((id) => misState.get(id) !== 'free')
      .map((slotId) => ({ slotId, atMis: (misState.get(slotId) ?? 'absent') as 'booked' | 'blocked' | 'absent' }));
    const misFree = [...misState.values()].filter((state) => state === 'free').length;
    results.push({ organisationOid: organisation.oid, misFree, offeredFree: offeredIds.size, missing, extra });
  }
  return results;
}

async function misSlotsOf(options: CompareOptions, organisation: SimOrganisation): Promise<SimSlot[]> {
  const response = await fetch(`${options.simUrl}/admin/slots?idLpu=${organisation.idLpu}`, {
    headers: { authorization: `Bearer ${options.adminToken}` },
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) throw new Error(`simulator answered ${response.status} for the slots of organisation ${organisation.idLpu}`);
  return (await response.json()) as SimSlot[];
}

/** A BookingQuery on one schema of a database, one connection per call. */
export function bookingDbOf(databaseUrl: string, schema: string): BookingQuery {
  return async <T>(sql: string, values: unknown[]): Promise<T[]> => {
    const db = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
    await db.connect();
    try {
      return (await db.query(sql, values)).rows as T[];
    } finally {
      await db.end();
    }
  };
}
