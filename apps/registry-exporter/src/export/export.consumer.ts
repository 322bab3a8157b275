import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllEvents } from '@medbus/contracts';
import type { ConsumedEvent, Projection, Refusal } from '@medbus/kafka';
import { AdapterRegistry } from '@medbus/service-auth';
import { OrganisationNotServedError } from '../exporter.errors';
import { ExportTablesService } from './export-tables.service';
import { exportRowsOf, organisationsNamedBy } from './export.mapper';

/** What the export is projected from: every adapter's MIS topics, and booking's appointments. */
export const exportEvents = [
  AllEvents.OrganisationPublished,
  AllEvents.OrganisationRemoved,
  AllEvents.ResourcePublished,
  AllEvents.ResourceRemoved,
  AllEvents.SlotPublished,
  AllEvents.SlotChanged,
  AllEvents.SlotRemoved,
  AllEvents.AppointmentBooked,
  AllEvents.AppointmentCancelled,
] as const;

/**
 * The exporter's tables as a projection of the bus (0008): one version-wins upsert per table per
 * batch; the federal view is derived later, at export time. An adapter speaks only for the
 * organisations registered to it (0012): anything else it publishes is refused and dead-lettered.
 */
@Injectable()
export class ExportProjection implements Projection {
  readonly name = 'export';
  readonly handles = exportEvents;

  constructor(
    @Inject(ExportTablesService) private readonly tables: ExportTablesService,
    @Inject(AdapterRegistry) private readonly registry: AdapterRegistry,
  ) {}

  /** One registry look-up per adapter in the batch (a batch comes from one adapter's topic), none per row. */
  async refuse(_tx: EntityManager, events: readonly ConsumedEvent[]): Promise<Refusal[]> {
    const named = new Map<string, Set<string>>();
    for (const event of events) {
      // Booking's own topic: no adapter speaks there.
      if (event.origin === undefined) continue;
      const organisations = named.get(event.origin) ?? new Set<string>();
      for (const oid of organisationsNamedBy(event)) organisations.add(oid);
      named.set(event.origin, organisations);
    }
    const notServed = new Map<string, Set<string>>();
    for (const [origin, organisations] of named) {
      const refused = await this.registry.notServedBy(origin, organisations);
      if (refused.size > 0) notServed.set(origin, refused);
    }
    if (notServed.size === 0) return [];
    const refusals: Refusal[] = [];
    for (const event of events) {
      const unserved = event.origin === undefined ? undefined : notServed.get(event.origin);
      const foreign = unserved === undefined ? undefined : organisationsNamedBy(event).find((oid) => unserved.has(oid));
      if (foreign === undefined) continue;
      refusals.push({
        event,
        error: new OrganisationNotServedError(`adapter ${event.origin ?? '(none)'} is not registered for organisation ${foreign}`, {
          adapterId: event.origin ?? null,
          organisationOid: foreign,
          eventType: event.eventType,
        }),
      });
    }
    return refusals;
  }

  async apply(tx: EntityManager, events: readonly ConsumedEvent[]): Promise<void> {
    await this.tables.apply(tx, exportRowsOf(events));
  }
}
