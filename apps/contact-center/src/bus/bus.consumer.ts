import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AllEvents, type EventOf } from '@medbus/contracts';
import type { ConsumedEvent, Projection, Refusal } from '@medbus/kafka';
import { AdapterRegistry } from '@medbus/service-auth';
import { OrganisationNotServedError } from './bus.errors';
import { busRowsOf, organisationsNamedBy, type HeartbeatRow } from './bus.mapper';
import { BusTablesService } from './bus-tables.service';
import { DistrictWarningService } from './district-warning.service';
import { PatientTaskService } from './patient-task.service';

/** What the contact centre hears: every adapter's organisations, withdrawn doctors and slots, heartbeats; booking's appointments and waitlist offers. */
export const busEvents = [
  AllEvents.OrganisationPublished,
  AllEvents.OrganisationRemoved,
  AllEvents.ResourceRemoved,
  AllEvents.SlotChanged,
  AllEvents.SlotRemoved,
  AllEvents.AdapterHeartbeatRecorded,
  AllEvents.AppointmentBooked,
  AllEvents.AppointmentCancelled,
  AllEvents.WaitlistSlotOffered,
  AllEvents.WaitlistOfferExpired,
] as const;

const heartbeatOfOther = (event: ConsumedEvent) => event.eventType === 'AdapterHeartbeatRecorded' && (event.value as EventOf<'AdapterHeartbeatRecorded'>).adapterId !== event.origin;

/**
 * The contact centre's view of the bus as a projection (0008): one statement per table per batch, then
 * the tasks that join two aggregates derived from the tables. An adapter speaks only for the
 * organisations registered to it (0012): anything else it publishes is refused and dead-lettered.
 */
@Injectable()
export class BusProjection implements Projection {
  readonly name = 'contact-center-bus';
  readonly handles = busEvents;

  constructor(
    @Inject(BusTablesService) private readonly tables: BusTablesService,
    @Inject(PatientTaskService) private readonly tasks: PatientTaskService,
    @Inject(DistrictWarningService) private readonly warnings: DistrictWarningService,
    @Inject(AdapterRegistry) private readonly registry: AdapterRegistry,
  ) {}

  /**
   * One registry look-up per adapter in the batch (a batch comes from one adapter's topic), none per
   * row. A heartbeat is refused when it is another adapter's or names none of its adapter's
   * organisations; one also naming a clinic not (yet) registered counts for the registered ones.
   */
  async refuse(_tx: EntityManager, events: readonly ConsumedEvent[]): Promise<Refusal[]> {
    const named = new Map<string, Set<string>>();
    for (const event of events) {
      // Booking's own topics: no adapter speaks there.
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
    if (notServed.size === 0 && !events.some(heartbeatOfOther)) return [];
    const refusals: Refusal[] = [];
    for (const event of events) {
      if (event.origin === undefined) continue;
      const unserved = notServed.get(event.origin);
      const organisations = organisationsNamedBy(event);
      const foreign = unserved === undefined ? [] : organisations.filter((oid) => unserved.has(oid));
      const refused =
        event.eventType === 'AdapterHeartbeatRecorded' ? heartbeatOfOther(event) || (organisations.length > 0 && foreign.length === organisations.length) : foreign.length > 0;
      if (!refused) continue;
      const organisationOid = foreign[0] ?? organisations[0] ?? null;
      refusals.push({
        event,
        error: new OrganisationNotServedError(`adapter ${event.origin} is not registered for organisation ${organisationOid ?? '(none)'}`, {
          adapterId: event.origin,
          organisationOid,
          eventType: event.eventType,
        }),
      });
    }
    return refusals;
  }

  async apply(tx: EntityManager, events: readonly ConsumedEvent[]): Promise<void> {
    const rows = busRowsOf(events);
    await this.tables.applyOrganisations(tx, rows.organisations);
    const appointments = await this.tables.applyAppointments(tx, rows.booked, rows.cancelled);
    const withdrawals = await this.tables.applyWithdrawals(tx, rows.slots, rows.resources);
    await this.warnings.applyHeartbeats(tx, await this.servedOnly(rows.heartbeats));
    await this.tasks.apply(tx, rows.offers, rows.offerExpiries, { ...appointments, ...withdrawals });
  }

  /** A heartbeat warns of only the organisations registered to its adapter. */
  private async servedOnly(heartbeats: readonly HeartbeatRow[]): Promise<HeartbeatRow[]> {
    const served: HeartbeatRow[] = [];
    for (const heartbeat of heartbeats) {
      const notServed = await this.registry.notServedBy(heartbeat.adapterId, heartbeat.organisationOids);
      served.push(notServed.size === 0 ? heartbeat : { ...heartbeat, organisationOids: heartbeat.organisationOids.filter((oid) => !notServed.has(oid)) });
    }
    return served;
  }
}
