import { setTimeout as sleep } from 'node:timers/promises';

/** An MIS adapter and the organisations registered to it, as booking's `GET /v1/adapters` lists them. */
export interface RegisteredAdapterOrganisations {
  readonly adapterId: string;
  readonly organisations: readonly string[];
}

/** Whatever asks booking for its registry of adapters: a service's booking client. */
export interface AdapterSource {
  adapters(): Promise<readonly RegisteredAdapterOrganisations[]>;
}

/** How long an answer of booking's is kept. */
export const adapterRegistryMaxAgeMs = 30_000;
/** A miss reloads, but a flood of refused events no more often than this: it waits for the next reload, never refuses on an old answer. */
export const adapterRegistryMissReloadMs = 1_000;

/**
 * Which MIS adapter speaks for which organisation, as registered at the booking service (0012,
 * 0015): kept 30 s, read again on a miss (an organisation registered a moment ago is served), so a
 * removed registration ends within 30 s. Booking unreachable is the projection's outage, not the
 * event's fault: the error propagates and the engine waits and retries the batch.
 */
export class AdapterRegistry {
  private byOrganisation = new Map<string, string>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading?: Promise<void>;

  constructor(
    private readonly source: AdapterSource,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  /** Those of the organisations the adapter is not registered for (empty when it serves them all). */
  async notServedBy(adapterId: string, organisationOids: Iterable<string>): Promise<Set<string>> {
    const oids = [...organisationOids];
    const age = this.now() - this.loadedAt;
    let refused = this.refusedOf(adapterId, oids);
    if (age > adapterRegistryMaxAgeMs || refused.size > 0) {
      if (refused.size > 0 && age < adapterRegistryMissReloadMs) await this.wait(adapterRegistryMissReloadMs - age);
      await this.reload();
      refused = this.refusedOf(adapterId, oids);
    }
    return refused;
  }

  private refusedOf(adapterId: string, organisationOids: readonly string[]): Set<string> {
    const refused = new Set<string>();
    for (const oid of organisationOids) if (this.byOrganisation.get(oid) !== adapterId) refused.add(oid);
    return refused;
  }

  private reload(): Promise<void> {
    this.loading ??= this.source
      .adapters()
      .then((adapters) => {
        const byOrganisation = new Map<string, string>();
        for (const adapter of adapters) for (const oid of adapter.organisations) byOrganisation.set(oid, adapter.adapterId);
        this.byOrganisation = byOrganisation;
        this.loadedAt = this.now();
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }
}
