/**
 * "A free slot", written once for every reader (REST search, the catalogue's counts and nearest
 * dates, the HubService facade): offered by the inventory, FREE at the MIS, and not held. A hold,
 * a pending booking or a waitlist reservation sets held_until; the slot is free again once that
 * instant has passed, even before a sweeper clears the column. `now` is a SQL expression (a bind
 * parameter) so the answer follows the caller's clock.
 *
 * The first two conditions are the predicate of the `inventory_slot_free_*` partial indexes, so a
 * query that uses this fragment can use them; held slots are few and are filtered on the heap row.
 */
export function freeSlotSql(slot: string, now: string): string {
  return `(${slot}.offered AND ${slot}.status = 'FREE' AND (${slot}.held_until IS NULL OR ${slot}.held_until <= ${now}))`;
}

/** The status a reader shows: HELD while a hold or pending booking has the slot, else the MIS's status. */
export function shownStatusSql(slot: string, now: string): string {
  return `CASE WHEN ${slot}.status = 'FREE' AND ${slot}.held_until > ${now} THEN 'HELD' ELSE ${slot}.status END`;
}
