import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { BookingClient } from '../booking/booking.client';

const maxAgeMs = 30_000;
// A miss reloads, but a flood of refused events no more often than this: it waits for the next reload, never refuses on an old answer.
const missReloadAfterMs = 1_000;

/**
 * Which MIS adapter speaks for which organisation, as registered at the booking service (0012,
 * 0015): kept 30 s, read again on a miss (an organisation registered a moment ago is served), so a
 * removed registration ends within 30 s. Booking unreachable is the projection's outage, not the
 * event's fault: the engine waits and retries the batch.
 */
@Injectable()
export class AdapterRegistry {
  private byOrganisation = new Map<string, string>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading?: Promise<void>;

  constructor(@Inject(BookingClient) private readonly booking: BookingClient) {}

  /** Those of the organisations the adapter is not registered for (empty when it serves them all). */
  async notServedBy(adapterId: string, organisationOids: Iterable<string>): Promise<Set<string>> {
    const age = Date.now() - this.loadedAt;
    let refused = this.refusedOf(adapterId, organisationOids);
    if (age > maxAgeMs || refused.size > 0) {
      if (refused.size > 0 && age < missReloadAfterMs) await sleep(missReloadAfterMs - age);
      await this.reload();
      refused = this.refusedOf(adapterId, organisationOids);
    }
    return refused;
  }

  private refusedOf(adapterId: string, organisationOids: Iterable<string>): Set<string> {
    const refused = new Set<string>();
    for (const oid of organisationOids) if (this.byOrganisation.get(oid) !== adapterId) refused.add(oid);
    return refused;
  }

  private reload(): Promise<void> {
    this.loading ??= this.booking
      .adapters()
      .then((adapters) => {
        const byOrganisation = new Map<string, string>();
        for (const adapter of adapters) for (const oid of adapter.organisations) byOrganisation.set(oid, adapter.adapterId);
        this.byOrganisation = byOrganisation;
        this.loadedAt = Date.now();
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }
}
