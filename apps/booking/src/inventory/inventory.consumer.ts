import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllEvents, type EventOf } from '@medbus/contracts';
import type { ConsumedEvent, Projection, Refusal } from '@medbus/kafka';
import { AuditLog } from '../audit/audit.service';
import { OrganisationNotServedError } from '../booking.errors';
import { Role } from '../clients/access.mapper';
import { AdapterRegistry } from '../clients/adapter-registry.service';
import { inventoryRowsOf, organisationsNamedBy, type HeartbeatRow } from './inventory.mapper';
import { InventoryService } from './inventory.service';
import { WaitlistService } from '../waitlist/waitlist.service';

/** The MIS events the inventory is projected from (the engine subscribes to every adapter's topics of them). */
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
 * An adapter speaks only for the organisations registered to it (0012): anything else it publishes
 * is refused, dead-lettered and audited.
 */
@Injectable()
export class InventoryProjection implements Projection {
  readonly name = 'inventory';
  readonly handles = inventoryEvents;

  constructor(
    @Inject(InventoryService) private readonly inventory: InventoryService,
    @Inject(WaitlistService) private readonly waitlist: WaitlistService,
    @Inject(AdapterRegistry) private readonly registry: AdapterRegistry,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  /** One registry look-up per adapter in the batch (a batch comes from one adapter's topic), none per row. */
  async refuse(tx: EntityManager, events: readonly ConsumedEvent[]): Promise<Refusal[]> {
    const named = new Map<string | undefined, Set<string>>();
    for (const event of events) {
      const organisations = named.get(event.origin) ?? new Set<string>();
      for (const oid of organisationsNamedBy(event)) organisations.add(oid);
      named.set(event.origin, organisations);
    }
    const notServed = new Map<string | undefined, Set<string>>();
    for (const [origin, organisations] of named) {
      const refused = origin === undefined ? organisations : await this.registry.notServedBy(origin, organisations);
      if (refused.size > 0) notServed.set(origin, refused);
    }
    const heartbeatOfOther = (event: ConsumedEvent) => event.eventType === 'AdapterHeartbeatRecorded' && (event.value as EventOf<'AdapterHeartbeatRecorded'>).adapterId !== event.origin;
    if (notServed.size === 0 && !events.some(heartbeatOfOther)) return [];

    const refusals: Refusal[] = [];
    const refusedPerOrganisation = new Map<string, { origin: string | undefined; topic: string; eventType: string; events: number }>();
    for (const event of events) {
      const unserved = notServed.get(event.origin);
      const organisations = organisationsNamedBy(event);
      const foreign = unserved === undefined ? [] : [...new Set(organisations.filter((oid) => unserved.has(oid)))];
      // A heartbeat also listing a clinic not (yet) registered still counts for the registered ones (apply drops the rest).
      const refused =
        event.eventType === 'AdapterHeartbeatRecorded' ? heartbeatOfOther(event) || (organisations.length > 0 && foreign.length === organisations.length) : foreign.length > 0;
      for (const oid of foreign) {
        const key = `${event.origin}\u0000${oid}`;
        const seen = refusedPerOrganisation.get(key) ?? { origin: event.origin, topic: event.topic, eventType: event.eventType, events: 0 };
        refusedPerOrganisation.set(key, { ...seen, events: seen.events + 1 });
      }
      if (!refused) continue;
      refusals.push({
        event,
        error: new OrganisationNotServedError(`adapter ${event.origin ?? '(none)'} is not registered for organisation ${foreign[0] ?? organisations[0]}`, {
          adapterId: event.origin ?? null,
          organisationOid: foreign[0] ?? organisations[0] ?? null,
          eventType: event.eventType,
        }),
      });
    }
    // One audit line per adapter and organisation a batch spoke for without the right, not one per event of a flood.
    for (const [key, refused] of refusedPerOrganisation) {
      await this.audit.record(
        {
          action: 'mis.publish',
          outcome: 'REFUSED',
          clientId: refused.origin ?? null,
          role: Role.MIS_ADAPTER,
          resourceType: 'organisation',
          resourceId: key.slice(key.indexOf('\u0000') + 1),
          details: { code: OrganisationNotServedError.code, topic: refused.topic, eventType: refused.eventType, events: refused.events },
        },
        tx,
      );
    }
    return refusals;
  }

  async apply(tx: EntityManager, events: readonly ConsumedEvent[]): Promise<void> {
    const rows = inventoryRowsOf(events);
    const slots = await this.inventory.apply(tx, rows.heartbeats.length > 0 ? { ...rows, heartbeats: await this.servedOnly(rows.heartbeats) } : rows);
    // A slot that is (again) free at the MIS goes to the waitlist first: cancellations, new days.
    const freed = slots.filter((slot) => slot.status === 'FREE' && !slot.removed);
    if (freed.length === 0) return;
    const waitedAt = await this.waitlist.organisationsWithWaiting(tx, [...new Set(freed.map((slot) => slot.organisationOid))]);
    for (const slot of freed) {
      if (waitedAt.has(slot.organisationOid)) await this.waitlist.offerFreedSlot(tx, slot.slotId);
    }
  }

  /** A heartbeat reports, and may sweep, only the organisations registered to its adapter. */
  private async servedOnly(heartbeats: readonly HeartbeatRow[]): Promise<HeartbeatRow[]> {
    const served: HeartbeatRow[] = [];
    for (const heartbeat of heartbeats) {
      const notServed = await this.registry.notServedBy(heartbeat.adapterId, heartbeat.organisationOids);
      served.push(notServed.size === 0 ? heartbeat : { ...heartbeat, organisationOids: heartbeat.organisationOids.filter((oid) => !notServed.has(oid)) });
    }
    return served;
  }
}
