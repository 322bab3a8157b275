import { AllEvents } from '@medbus/contracts';
import type { EventPublisher, OutgoingEvent } from '@medbus/kafka';
import { ChangeDetector, ChangeKind, type Change } from '../change-detector.service';
import type { Clock } from '../clock.service';
import type { DataQualityReport } from '../code-map.mapper';
import { KeyedLock } from '../keyed-lock.service';
import type { PublishedStateStore } from '../published-state.service';
import { MemorySlotLedger, type LedgerEntry, type SlotLedger } from './slot-ledger.service';
import {
  organisationPublished,
  organisationRemoved,
  resourcePublished,
  slotChanged,
  slotPublished,
  slotRemoved,
  withStatus,
  type OrganisationState,
  type ResourceState,
  type SlotState,
} from './canonical.mapper';

/** A resource's slots in [fromMs, toMs) as one read of the MIS lists them. */
export interface SlotWindow {
  readonly resourceId: string;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface SlotListingOptions {
  /**
   * What a slot published before and missing from this listing has become: `taken` when the MIS lists
   * free slots only (HubService: gone from the list = booked by someone), `removed` when it lists every
   * slot with its status (gone = no longer in the schedule).
   */
  readonly unlisted: 'taken' | 'removed';
  /** State every listed slot again with a newer version (anti-entropy). */
  readonly reassert?: boolean;
}

export interface ListingOptions {
  /** Whether the listing is the MIS's whole list: only a complete one proves an entity gone. */
  readonly complete: boolean;
  readonly reassert?: boolean;
}

export interface PublicationLogger {
  log(message: string, ...params: unknown[]): void;
  warn(message: string, ...params: unknown[]): void;
}

/** Kafka's batch per publish call: large enough to amortise a round trip, small enough to bound memory. */
const publishBatch = 500;

/**
 * What an adapter publishes, whatever its dialect: it compares each listing of the MIS with what it
 * published before (kept in Postgres across restarts), publishes only the difference, keyed by
 * aggregate id, and refuses to speak for an organisation outside the adapter's registered scope.
 * Rules:
 * - a listed entity unknown or different → Published/Changed; equal → nothing (unless reasserting);
 * - a slot of the window published before and not listed: BOOKED (free-only listings) or removed,
 *   while its start is ahead; passed slots are forgotten without an event;
 * - the slots of a resource a complete listing of its organisation no longer lists → SlotRemoved;
 * - an organisation a complete listing no longer lists → its slots removed, then OrganisationRemoved;
 * - anything of an organisation outside the scope → not published, counted as `out_of_scope` (the
 *   booking service would refuse it too: decision record 0012; this is the adapter's own guard).
 * A dialect serialises a resource's read and publication with `exclusive(resourceId, …)`, so an older
 * read never overwrites a newer one. Organisations and resources are kept in memory (thousands);
 * slots (millions in a region) in the `SlotLedger`, read one resource at a time.
 */
export class Publication {
  private readonly organisations: ChangeDetector<OrganisationState>;
  private readonly resources: ChangeDetector<ResourceState>;
  private readonly locks = new KeyedLock();
  private readonly refusedOrganisations = new Set<string>();
  private refusedCount = 0;

  constructor(
    private readonly publisher: Pick<EventPublisher, 'publishAll'>,
    private readonly clock: Clock,
    private readonly scope: ReadonlySet<string>,
    private readonly quality: DataQualityReport,
    private readonly logger: PublicationLogger,
    private readonly store?: PublishedStateStore,
    private readonly slots: SlotLedger = new MemorySlotLedger(),
  ) {
    this.organisations = new ChangeDetector(clock);
    this.resources = new ChangeDetector(clock);
  }

  /** Takes back what was published before a restart; without a store there is nothing to take. */
  async restore(): Promise<number> {
    if (!this.store) return 0;
    this.organisations.restore(await this.store.load<OrganisationState>('organisation'));
    this.resources.restore(await this.store.load<ResourceState>('resource'));
    return this.organisations.size + this.resources.size;
  }

  /** Whether the organisation is registered to this adapter. */
  inScope(organisationOid: string): boolean {
    return this.scope.has(organisationOid);
  }

  /** Organisations published and still listed. */
  get organisationOids(): string[] {
    return this.organisations.idsWhere(() => true);
  }

  /** Events of organisations outside the scope not published since the start, and which organisations. */
  get refused(): { readonly events: number; readonly organisations: readonly string[] } {
    return { events: this.refusedCount, organisations: [...this.refusedOrganisations] };
  }

  organisation(organisationOid: string): OrganisationState | undefined {
    return this.organisations.get(organisationOid)?.state;
  }

  resource(resourceId: string): ResourceState | undefined {
    return this.resources.get(resourceId)?.state;
  }

  async slot(slotId: string): Promise<SlotState | undefined> {
    return (await this.slots.get(slotId))?.state;
  }

  resourceIdsWhere(predicate: (resource: ResourceState) => boolean): string[] {
    return this.resources.idsWhere(predicate);
  }

  /** Runs a resource's read-and-publish alone: a notification's re-read and the poller's never interleave. */
  exclusive<T>(resourceId: string, work: () => Promise<T>): Promise<T> {
    return this.locks.run(resourceId, work);
  }

  /** Publishes the organisations that changed; a complete listing also removes those no longer listed. */
  async publishOrganisations(listed: readonly OrganisationState[], options: ListingOptions): Promise<number> {
    const accepted = listed.filter((o) => this.accept(o.organisationOid, `organisation ${o.organisationOid}`, 1));
    const changes = this.detectAll(this.organisations, accepted.map((o) => [o.organisationOid, o]), options.reassert);
    await this.publish(changes.map((c) => ({ event: AllEvents.OrganisationPublished, key: c.id, value: organisationPublished(c.state, this.stamp(c)) })));
    await this.store?.save('organisation', changes);
    this.organisations.commit(changes);
    let published = changes.length;
    if (options.complete) {
      const ids = new Set(accepted.map((o) => o.organisationOid));
      for (const oid of this.organisations.idsWhere((o) => !ids.has(o.organisationOid))) published += await this.removeOrganisation(oid);
    }
    return published;
  }

  /**
   * Publishes an organisation's resources that changed. A complete listing of the organisation's
   * resources also removes every slot of a resource it no longer lists (its schedule is gone).
   */
  async publishResources(organisationOid: string, listed: readonly ResourceState[], options: ListingOptions): Promise<number> {
    if (!this.accept(organisationOid, `organisation ${organisationOid}`, listed.length)) return 0;
    const own = listed.filter((r) => r.organisationOid === organisationOid);
    const changes = this.detectAll(this.resources, own.map((r) => [r.resourceId, r]), options.reassert);
    await this.publish(changes.map((c) => ({ event: AllEvents.ResourcePublished, key: c.id, value: resourcePublished(c.state, this.stamp(c)) })));
    await this.store?.save('resource', changes);
    this.resources.commit(changes);
    let published = changes.length;
    if (options.complete) {
      const removals = this.removalsOf(await this.slots.ofOrganisation(organisationOid, new Set(own.map((r) => r.resourceId))));
      await this.publishSlotChanges(removals);
      published += removals.length;
    }
    return published;
  }

  /** Publishes the difference between one read of a resource's window and what was published of it. */
  async publishSlots(window: SlotWindow, listed: readonly SlotState[], options: SlotListingOptions): Promise<number> {
    const resource = this.resources.get(window.resourceId)?.state;
    const organisationOid = resource?.organisationOid ?? listed[0]?.organisationOid;
    if (organisationOid === undefined) return 0;
    if (!this.accept(organisationOid, `resource ${window.resourceId}`, listed.length)) return 0;
    const now = this.clock.now().getTime();
    // What was published of this resource, as a detector of its own: memory holds one resource at a time.
    const published = new ChangeDetector<SlotState>(this.clock);
    published.restore(await this.slots.ofResource(window.resourceId));
    const seen = new Set<string>();
    const changes: Change<SlotState>[] = [];
    for (const slot of listed) {
      if (slot.resourceId !== window.resourceId || slot.startsAt < window.fromMs || slot.startsAt >= window.toMs || seen.has(slot.slotId)) continue;
      seen.add(slot.slotId);
      const change = options.reassert ? published.reassert(slot.slotId, slot) : published.detect(slot.slotId, slot);
      if (change) changes.push(change);
    }
    // In scope: the window read, plus anything of this resource that has passed (to forget it).
    const forgotten: string[] = [];
    const inWindow = (s: SlotState) => s.startsAt < window.toMs && (s.startsAt >= window.fromMs || s.startsAt < now);
    for (const slotId of published.idsWhere(inWindow)) {
      if (seen.has(slotId)) continue;
      const last = published.get(slotId);
      if (!last) continue;
      if (last.state.startsAt < now) forgotten.push(slotId);
      else if (options.unlisted === 'removed') {
        const removal = published.removal(slotId);
        if (removal) changes.push(removal);
      } else {
        const taken = withStatus(last.state, 'BOOKED');
        const change = options.reassert ? published.reassert(slotId, taken) : published.detect(slotId, taken);
        if (change) changes.push(change);
      }
    }
    await this.publishSlotChanges(changes, forgotten);
    return changes.length;
  }

  /** An organisation the MIS no longer lists: its slots go, then it does. */
  async removeOrganisation(organisationOid: string): Promise<number> {
    const slots = this.removalsOf(await this.slots.ofOrganisation(organisationOid));
    await this.publishSlotChanges(slots);
    const removal = this.organisations.removal(organisationOid);
    if (removal) {
      await this.publish([{ event: AllEvents.OrganisationRemoved, key: removal.id, value: organisationRemoved(removal.state, this.stamp(removal)) }]);
      await this.store?.save('organisation', [removal]);
      this.organisations.commit([removal]);
    }
    return slots.length + (removal ? 1 : 0);
  }

  private accept(organisationOid: string, entity: string, events: number): boolean {
    if (this.scope.has(organisationOid)) return true;
    this.refusedCount += Math.max(1, events);
    if (!this.refusedOrganisations.has(organisationOid)) {
      this.refusedOrganisations.add(organisationOid);
      this.logger.warn('the MIS lists an organisation not registered to this adapter; nothing of it is published', { organisationOid });
    }
    this.quality.record([{ kind: 'out_of_scope', entity, field: 'organisationOid' }]);
    return false;
  }

  private detectAll<S>(detector: ChangeDetector<S>, entries: ReadonlyArray<readonly [string, S]>, reassert = false): Change<S>[] {
    const changes: Change<S>[] = [];
    for (const [id, state] of entries) {
      const change = reassert ? detector.reassert(id, state) : detector.detect(id, state);
      if (change) changes.push(change);
    }
    return changes;
  }

  private removalsOf(entries: readonly LedgerEntry[]): Change<SlotState>[] {
    const published = new ChangeDetector<SlotState>(this.clock);
    published.restore(entries);
    return entries.map(([id]) => published.removal(id)).filter((c): c is Change<SlotState> => c !== undefined);
  }

  private async publishSlotChanges(changes: readonly Change<SlotState>[], forgotten: readonly string[] = []): Promise<void> {
    await this.publish(changes.map((c) => this.slotEvent(c)));
    await this.slots.save(changes, forgotten);
  }

  private slotEvent(change: Change<SlotState>): OutgoingEvent {
    const stamp = this.stamp(change);
    switch (change.kind) {
      case ChangeKind.created:
        return { event: AllEvents.SlotPublished, key: change.id, value: slotPublished(change.state, stamp) };
      case ChangeKind.changed:
        return { event: AllEvents.SlotChanged, key: change.id, value: slotChanged(change.state, stamp) };
      case ChangeKind.removed:
        return { event: AllEvents.SlotRemoved, key: change.id, value: slotRemoved(change.state, stamp) };
      default:
        change.kind satisfies never;
        throw new Error('unknown change kind');
    }
  }

  private async publish(events: readonly OutgoingEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += publishBatch) await this.publisher.publishAll(events.slice(i, i + publishBatch));
  }

  private stamp(change: Change<unknown>) {
    return { sourceVersion: change.sourceVersion, occurredAt: this.clock.now().getTime() };
  }
}
