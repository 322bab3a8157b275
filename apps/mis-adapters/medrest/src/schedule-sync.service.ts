import type { BookingChannel } from '@medbus/contracts';
import {
  MisResponseRejectedError,
  epochMsToLocalDateTime,
  localDateTimeToEpochMs,
  resourceIdOf,
  channelsFor,
  type Clock,
  type CodeMap,
  type DataQualityReport,
  type OrganisationState,
  type Publication,
  type ResourceState,
  type SlotState,
  type SpecialtyRule,
  type SyncSummary,
} from '@medbus/mis-adapter-kit';
import type { ListingReader } from './listing.query';
import { facilitySchema, practitionerSchema, slotSchema, specialtySchema, type MedRestFacility, type MedRestSlot } from './medrest-response.mapper';
import { toOrganisationState } from './organisation.mapper';
import { rulesOf, toResourceState, type PatientRule } from './resource.mapper';
import { toSlotState } from './slot.mapper';

/** A facility of the MIS as the adapter knows it from the last listing. */
export interface FacilityRef {
  readonly facilityId: string;
  readonly organisationOid: string;
  readonly timeZone: string;
}

/** Where a facility's MIS id comes from: the last listing, else the MIS asked now. */
export interface FacilityDirectory {
  facilityFor(organisationOid: string): Promise<FacilityRef | undefined>;
}

/** One practitioner's day, the unit the MIS's webhooks and change feed name. */
export interface PractitionerDay {
  readonly facilityId: string;
  readonly practitionerId: string;
  /** The facility's local date, `YYYY-MM-DD`. */
  readonly date: string;
}

export interface ScheduleSyncOptions {
  readonly misVendor: string;
  /** Zone of a facility whose `time_zone` is not one. */
  readonly fallbackTimeZone: string;
  readonly horizonDays: number;
  /** Practitioners of one facility read and published at once during a pass. */
  readonly practitionerConcurrency: number;
  readonly bookingChannels: readonly BookingChannel[];
  /** The region's rules per specialty: MedREST states who may be booked, but closes no channel itself. */
  readonly specialtyRules: Readonly<Record<string, SpecialtyRule>>;
}

export interface SyncLogger {
  log(message: string, ...params: unknown[]): void;
  warn(message: string, ...params: unknown[]): void;
}

/**
 * Reads the MIS (specialties, facilities → practitioners → slots, every status) and publishes what
 * changed. A full pass reads each listing with the ETags of the last one published, so an unchanged
 * practitioner costs a `304` and publishes nothing; a practitioner's day named by a webhook or the
 * change feed is read again on its own. MedREST lists every slot with its status, so a slot of the
 * window it no longer lists is removed (deleted from the schedule), and the listings are complete:
 * an organisation, a practitioner no longer listed goes with its slots.
 */
export class ScheduleSync implements FacilityDirectory {
  private facilities = new Map<string, FacilityRef>();
  private rules: ReadonlyMap<string, PatientRule> = new Map();
  /** Day re-reads waiting for their practitioner's lock: a request arriving meanwhile is answered by that read. */
  private readonly queued = new Map<string, Promise<number | undefined>>();
  private lastSyncAt: Date | null = null;
  private lastReassertAt: Date | null = null;

  constructor(
    private readonly listings: ListingReader,
    private readonly publication: Publication,
    private readonly clock: Clock,
    private readonly codes: CodeMap,
    private readonly quality: DataQualityReport,
    private readonly options: ScheduleSyncOptions,
    private readonly logger: SyncLogger,
  ) {}

  get lastSuccessfulSyncAt(): Date | null {
    return this.lastSyncAt;
  }

  get lastReassertedAt(): Date | null {
    return this.lastReassertAt;
  }

  facility(facilityId: string): FacilityRef | undefined {
    return this.facilities.get(facilityId);
  }

  facilityOf(organisationOid: string): FacilityRef | undefined {
    for (const facility of this.facilities.values()) if (facility.organisationOid === organisationOid) return facility;
    return undefined;
  }

  /** The facility of an organisation; before the first pass (or for one listed since), the MIS's listing is read without publishing. */
  async facilityFor(organisationOid: string): Promise<FacilityRef | undefined> {
    const known = this.facilityOf(organisationOid);
    if (known) return known;
    this.remember(await this.listings.all('facilities', '/facilities', facilitySchema));
    return this.facilityOf(organisationOid);
  }

  /** One pass over the horizon. Throws when the MIS is unavailable; a refused answer below the facilities' listing is skipped and counted. */
  async fullSync(options: { readonly reassert: boolean }): Promise<SyncSummary> {
    const { reassert } = options;
    const startedAt = this.clock.now();
    this.listings.beginPass();
    const specialties = await this.listings.conditional('specialties', '/specialties', specialtySchema, {}, { keepItems: true, force: reassert });
    this.rules = rulesOf(specialties.items);
    specialties.commit();
    const facilities = await this.listings.conditional('facilities', '/facilities', facilitySchema, {}, { keepItems: true, force: reassert });
    const listed = this.remember(facilities.items);
    let published = await this.publication.publishOrganisations(
      listed.map((f) => f.state),
      { complete: true, reassert },
    );
    facilities.commit();
    let failures = 0;
    for (const { ref, state } of listed) {
      // An organisation not registered to this adapter is not read further: nothing of it would be published.
      if (!state.active || !this.publication.inScope(ref.organisationOid)) continue;
      try {
        const outcome = await this.syncFacility(ref, reassert);
        published += outcome.published;
        failures += outcome.failures;
      } catch (error) {
        if (!(error instanceof MisResponseRejectedError)) throw error;
        failures += 1;
      }
    }
    this.listings.endPass();
    if (failures === 0) {
      this.lastSyncAt = startedAt;
      if (reassert) this.lastReassertAt = startedAt;
    }
    this.logger.log('sync finished', { published, failures, reassert, etags: this.listings.size });
    return { published, failures };
  }

  /**
   * Reads one practitioner's day again and publishes the difference. Undefined when the facility or
   * the practitioner is not known yet (the caller asks for a full pass).
   */
  async refreshDay(day: PractitionerDay): Promise<number | undefined> {
    const facility = this.facilities.get(day.facilityId);
    if (!facility) return undefined;
    if (!this.publication.inScope(facility.organisationOid)) return 0;
    const resourceId = resourceIdOf(facility.organisationOid, day.practitionerId);
    if (!this.publication.resource(resourceId)) return undefined;
    // A burst of changes on one day (a contention storm) needs one read after the last, not one each.
    const key = `${resourceId}/${day.date}`;
    const queued = this.queued.get(key);
    if (queued) return queued;
    const refresh = this.publication.exclusive(resourceId, async () => {
      this.queued.delete(key);
      const slots = await this.listings.all('slots', slotsPath(day.practitionerId), slotSchema, { from: day.date, to: day.date });
      return this.publishDays(facility, day.practitionerId, day.date, day.date, slots, false);
    });
    this.queued.set(key, refresh);
    return refresh;
  }

  /** The practitioner's day a published slot lies on, or undefined for a slot not published. */
  async dayOfSlot(organisationOid: string, slotId: string): Promise<PractitionerDay | undefined> {
    const facility = this.facilityOf(organisationOid);
    const slot: SlotState | undefined = await this.publication.slot(slotId);
    if (!facility || !slot) return undefined;
    return { facilityId: facility.facilityId, practitionerId: slot.localResourceId, date: localDateOf(slot.startsAt, facility.timeZone) };
  }

  /** Maps a facilities listing and makes it the one known; returns the facilities that can be published. */
  private remember(facilities: readonly MedRestFacility[]): Array<{ ref: FacilityRef; state: OrganisationState }> {
    const listed: Array<{ ref: FacilityRef; state: OrganisationState }> = [];
    for (const facility of facilities) {
      const mapped = toOrganisationState(facility, this.options.misVendor, this.options.fallbackTimeZone);
      this.quality.record(mapped.issues);
      if (mapped.value) listed.push({ ref: { facilityId: facility.id, organisationOid: mapped.value.organisationOid, timeZone: mapped.value.timeZone }, state: mapped.value });
    }
    this.facilities = new Map(listed.map(({ ref }) => [ref.facilityId, ref]));
    return listed;
  }

  private async syncFacility(facility: FacilityRef, reassert: boolean): Promise<SyncSummary> {
    const listing = await this.listings.conditional('practitioners', `/facilities/${encodeURIComponent(facility.facilityId)}/practitioners`, practitionerSchema, {}, {
      keepItems: true,
      force: reassert,
    });
    const resources: ResourceState[] = [];
    for (const practitioner of listing.items) {
      if (practitioner.facility_id !== facility.facilityId) {
        this.quality.record([{ kind: 'invalid_value', entity: `practitioner ${practitioner.id}`, field: 'facility_id' }]);
        continue;
      }
      const mapped = toResourceState(practitioner, facility.organisationOid, this.codes, this.rules);
      this.quality.record(mapped.issues);
      if (mapped.value) resources.push(mapped.value);
    }
    // The practitioners' listing is the facility's whole list: the slots of one gone are removed.
    let published = await this.publication.publishResources(facility.organisationOid, resources, { complete: true, reassert });
    listing.commit();
    const from = localDateOf(this.clock.now().getTime(), facility.timeZone);
    const to = addDays(from, this.options.horizonDays - 1);
    let failures = 0;
    const queue = resources.map((r) => r.localResourceId);
    const worker = async () => {
      for (let practitionerId = queue.shift(); practitionerId !== undefined; practitionerId = queue.shift()) {
        try {
          const count = await this.syncPractitioner(facility, practitionerId, from, to, reassert);
          published += count;
        } catch (error) {
          if (!(error instanceof MisResponseRejectedError)) throw error;
          failures += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.practitionerConcurrency) }, worker));
    return { published, failures };
  }

  private syncPractitioner(facility: FacilityRef, practitionerId: string, from: string, to: string, reassert: boolean): Promise<number> {
    return this.publication.exclusive(resourceIdOf(facility.organisationOid, practitionerId), async () => {
      const listing = await this.listings.conditional('slots', slotsPath(practitionerId), slotSchema, { from, to }, { keepItems: false, force: reassert });
      if (listing.unchanged) {
        listing.commit();
        return 0;
      }
      const published = await this.publishDays(facility, practitionerId, from, to, listing.items, reassert);
      listing.commit();
      return published;
    });
  }

  /** Publishes the practitioner's slots of the days `from`..`to` (the facility's dates, inclusive) as the MIS listed them. */
  private publishDays(facility: FacilityRef, practitionerId: string, from: string, to: string, listed: readonly MedRestSlot[], reassert: boolean): Promise<number> {
    const resourceId = resourceIdOf(facility.organisationOid, practitionerId);
    const fromMs = localDateTimeToEpochMs(`${from}T00:00:00`, facility.timeZone);
    const toMs = localDateTimeToEpochMs(`${addDays(to, 1)}T00:00:00`, facility.timeZone);
    if (fromMs === undefined || toMs === undefined) return Promise.resolve(0);
    const nsiCode = this.publication.resource(resourceId)?.specialty.nsiCode ?? null;
    const channels = channelsFor(this.options.specialtyRules, nsiCode, this.options.bookingChannels);
    const slots: SlotState[] = [];
    for (const slot of listed) {
      const mapped = slot.practitioner_id === practitionerId ? toSlotState(slot, facility, channels) : { issues: [{ kind: 'invalid_value' as const, entity: `slot ${slot.id}`, field: 'practitioner_id' }] };
      this.quality.record(mapped.issues);
      if (mapped.value) slots.push(mapped.value);
    }
    return this.publication.publishSlots({ resourceId, fromMs, toMs }, slots, { unlisted: 'removed', reassert });
  }
}

const slotsPath = (practitionerId: string): string => `/practitioners/${encodeURIComponent(practitionerId)}/slots`;

/** The date `days` after a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10);
}

/** The local date of an instant in a zone. */
export function localDateOf(epochMs: number, zone: string): string {
  return epochMsToLocalDateTime(epochMs, zone).slice(0, 10);
}
