import { AllEvents, type BookingChannel } from '@medbus/contracts';
import type { EventPublisher, OutgoingEvent } from '@medbus/kafka';
import {
  ChangeDetector,
  ChangeKind,
  KeyedLock,
  MisResponseRejectedError,
  epochMsToLocalDateTime,
  localDateTimeToEpochMs,
  type Change,
  type Clock,
  type CodeMap,
  type DataQualityReport,
  type PublishedStateStore,
} from '@medbus/mis-adapter-kit';
import type { HubServiceClient } from './hubservice.client';
import type { HubClinic, HubDistrict, HubDoctor, HubSpesiality } from './hubservice-response.mapper';
import { organisationPublished, organisationRemoved, toOrganisationState, type OrganisationState } from './organisation.mapper';
import { resourcePublished, toResourceState, type ResourceState } from './resource.mapper';
import { channelsFor, defaultSpecialtyRules, type SpecialtyRule } from './specialty-rules.config';
import { slotChanged, slotIdOf, slotPublished, slotRemoved, toSlotState, withStatus, type SlotState } from './slot.mapper';

/** The reads the sync needs from the MIS (HubServiceClient in production). */
export type HubReader = Pick<HubServiceClient, 'getDistricts' | 'getClinics' | 'getSpecialities' | 'getDoctors' | 'getAvailableDates' | 'getAppointments'>;

export interface ScheduleSyncOptions {
  readonly misVendor: string;
  /** Zone of clinic-local times for organisations without an entry in `organisationTimeZones`. */
  readonly timeZone: string;
  /** IANA zone per organisation OID: HubService sends local times and no zone, so it is configured. */
  readonly organisationTimeZones?: ReadonlyMap<string, string>;
  readonly horizonDays: number;
  /** Channels that may book the MIS's slots, less those the slot's specialty closes (`specialtyRules`). */
  readonly bookingChannels: readonly BookingChannel[];
  /** The region's sex, age, attachment and channel rules by specialty NSI code; default: `defaultSpecialtyRules`. */
  readonly specialtyRules?: Readonly<Record<string, SpecialtyRule>>;
  /**
   * A pass at least this long after the last reasserting one (or the start) states everything again
   * with newer versions (anti-entropy, see `fullSync`); 0 or absent: only when asked.
   */
  readonly reassertEveryMs?: number;
  /** Doctors of one clinic read and published at once during a pass; default 4. */
  readonly doctorConcurrency?: number;
}

export interface FullSyncOptions {
  /** State every listed entity again, changed or not; default: when `reassertEveryMs` has passed. */
  readonly reassert?: boolean;
}

export interface SyncLogger {
  log(message: string, ...params: unknown[]): void;
  warn(message: string, ...params: unknown[]): void;
}

interface DoctorRef {
  readonly idLpu: number;
  readonly organisationOid: string;
  readonly idDoc: string;
}

export interface SyncSummary {
  readonly published: number;
  readonly failures: number;
}

const DAY_MS = 86_400_000;

/**
 * Reads the MIS (organisations → specialties → doctors → dates → free appointments) and
 * publishes only what changed since the last publication, keyed by aggregate id. Slot rules
 * (HubService lists free appointments only):
 * - listed and unknown → SlotPublished (FREE);
 * - listed and different from what was published (time, room, or FREE again) → SlotChanged;
 * - gone from the list of a doctor the MIS still lists, start still ahead → SlotChanged BOOKED
 *   (taken: a walk-in at the front desk, a booking through another channel);
 * - all slots of a doctor the MIS no longer lists → SlotRemoved (the schedule is gone);
 * - passed (start before now) → forgotten, nothing published;
 * - all slots of an organisation the MIS no longer lists (a complete listing) → SlotRemoved, then
 *   OrganisationRemoved.
 * A reasserting pass (anti-entropy) publishes every listed organisation, doctor and slot, and every
 * still-ahead slot it last published BOOKED, again with a newer version: whatever a consumer's copy
 * went through (a rebuilt table, another publisher's newer version of the same id), it ends equal to
 * the MIS for every id this MIS has. Ids it never had are the consumer's to drop (docs: part 7 of
 * issue 8).
 */
export class ScheduleSync {
  private readonly organisations: ChangeDetector<OrganisationState>;
  private readonly resources: ChangeDetector<ResourceState>;
  private readonly slots: ChangeDetector<SlotState>;
  private readonly clinicsByIdLpu = new Map<number, { organisationOid: string }>();
  private readonly locks = new KeyedLock();
  /** Doctor-day re-reads waiting for their lock: a request arriving meanwhile is answered by that read. */
  private readonly queuedRefreshes = new Map<string, Promise<number>>();
  private lastSyncAt: Date | null = null;
  private lastReassertAt: number;
  private lastCompletedReassertAt: Date | null = null;

  constructor(
    private readonly client: HubReader,
    private readonly publisher: Pick<EventPublisher, 'publishAll'>,
    private readonly clock: Clock,
    private readonly codes: CodeMap,
    private readonly quality: DataQualityReport,
    private readonly options: ScheduleSyncOptions,
    private readonly logger: SyncLogger,
    private readonly store?: PublishedStateStore,
  ) {
    this.organisations = new ChangeDetector(clock);
    this.resources = new ChangeDetector(clock);
    this.slots = new ChangeDetector(clock);
    this.lastReassertAt = clock.now().getTime();
  }

  /** Takes back what was published before a restart; without a store there is nothing to take. */
  async restore(): Promise<number> {
    if (!this.store) return 0;
    this.organisations.restore(await this.store.load<OrganisationState>('organisation'));
    this.resources.restore(await this.store.load<ResourceState>('resource'));
    this.slots.restore(await this.store.load<SlotState>('slot'));
    return this.organisations.size + this.resources.size + this.slots.size;
  }

  get lastSuccessfulSyncAt(): Date | null {
    return this.lastSyncAt;
  }

  /** Start of the last reasserting pass that completed without a refused answer; null before one. */
  get lastReassertedAt(): Date | null {
    return this.lastCompletedReassertAt;
  }

  get organisationOids(): string[] {
    return [...new Set([...this.clinicsByIdLpu.values()].map((c) => c.organisationOid))];
  }

  /** The MIS's id (IdLPU) of an organisation seen in the current process, or undefined. */
  idLpuOf(organisationOid: string): number | undefined {
    for (const [idLpu, clinic] of this.clinicsByIdLpu) if (clinic.organisationOid === organisationOid) return idLpu;
    return undefined;
  }

  /** Whether this adapter serves the organisation: seen at the MIS now, or published before a restart. */
  serves(organisationOid: string): boolean {
    return this.idLpuOf(organisationOid) !== undefined || this.organisations.get(organisationOid) !== undefined;
  }

  /**
   * Reads the MIS's organisations (GetDistrictList, GetLPUList) without publishing anything, so
   * that commands and identification can name an organisation's IdLPU before the first full pass
   * has finished. Throws when the MIS is unavailable.
   */
  async discoverOrganisations(): Promise<void> {
    const { Districts } = await this.client.getDistricts();
    for (const district of Districts) {
      const { ListLPU } = await this.client.getClinics(district.IdDistrict);
      for (const clinic of ListLPU) {
        const mapped = toOrganisationState(clinic, district, this.options.misVendor, this.zoneOf(clinic.Oid ?? ''));
        if (mapped.value) this.clinicsByIdLpu.set(clinic.IdLPU, { organisationOid: mapped.value.organisationOid });
      }
    }
  }

  /** One full pass over the horizon. Throws when the MIS is unavailable; refused answers are skipped and counted. */
  async fullSync(options: FullSyncOptions = {}): Promise<SyncSummary> {
    const startedAt = this.clock.now();
    const every = this.options.reassertEveryMs ?? 0;
    const reassert = options.reassert ?? (every > 0 && startedAt.getTime() - this.lastReassertAt >= every);
    let published = 0;
    let failures = 0;
    let listingComplete = true;
    const listed = new Set<string>();
    const skip = (error: unknown) => {
      if (!(error instanceof MisResponseRejectedError)) throw error;
      failures += 1;
    };
    const { Districts } = await this.client.getDistricts();
    for (const district of Districts) {
      const clinics = await this.client.getClinics(district.IdDistrict).then(
        (r) => r.ListLPU,
        (e) => (skip(e), (listingComplete = false), []),
      );
      for (const clinic of clinics) {
        const organisationOid = await this.publishOrganisation(clinic, district, reassert).then(
          (oid) => oid,
          (e) => (skip(e), (listingComplete = false), undefined),
        );
        if (organisationOid) listed.add(organisationOid);
        if (!organisationOid || !clinic.IsActive) continue;
        const outcome = await this.syncClinic(clinic.IdLPU, organisationOid, reassert).catch((e) => (skip(e), undefined));
        published += outcome?.published ?? 0;
        failures += outcome?.failures ?? 0;
      }
    }
    // Only a listing that answered for every district proves an organisation gone.
    if (listingComplete) published += await this.removeUnlistedOrganisations(listed);
    if (failures === 0) this.lastSyncAt = startedAt;
    if (reassert && failures === 0) {
      this.lastReassertAt = startedAt.getTime();
      this.lastCompletedReassertAt = startedAt;
    }
    this.logger.log('sync finished', { published, failures, reassert, slotsTracked: this.slots.size });
    return { published, failures };
  }

  /**
   * Re-reads one doctor's day right away (a MIS notification names it). Returns the number of
   * events published; an unknown clinic or doctor returns undefined (the caller polls instead).
   */
  async refreshDoctorDay(idLpu: number, idDoc: string, localDay: string): Promise<number | undefined> {
    const clinic = this.clinicsByIdLpu.get(idLpu);
    if (!clinic) return undefined;
    const dayStart = localDateTimeToEpochMs(`${localDay}T00:00:00`, this.zoneOf(clinic.organisationOid));
    if (dayStart === undefined) return undefined;
    const doctor: DoctorRef = { idLpu, organisationOid: clinic.organisationOid, idDoc };
    if (!this.resources.get(`${clinic.organisationOid}:${idDoc}`)) return undefined;
    // A burst of bookings on one doctor's day (a contention storm) needs one read after the last, not one each.
    const key = `${clinic.organisationOid}:${idDoc}/${localDay}`;
    const queued = this.queuedRefreshes.get(key);
    if (queued) return queued;
    const refresh = this.syncDoctorWindow(doctor, dayStart, dayStart + DAY_MS, false, () => this.queuedRefreshes.delete(key));
    this.queuedRefreshes.set(key, refresh);
    return refresh;
  }

  /** Re-reads the day of a slot known by its MIS id (a status notification names only the slot). */
  async refreshSlot(idLpu: number, idAppointment: string): Promise<number | undefined> {
    const clinic = this.clinicsByIdLpu.get(idLpu);
    if (!clinic) return undefined;
    const slot = this.slots.get(slotIdOf(clinic.organisationOid, idAppointment));
    if (!slot) return undefined;
    const day = epochMsToLocalDateTime(slot.state.startsAt, this.zoneOf(clinic.organisationOid)).slice(0, 10);
    return this.refreshDoctorDay(idLpu, slot.state.localResourceId, day);
  }

  private async publishOrganisation(clinic: HubClinic, district: HubDistrict, reassert: boolean): Promise<string | undefined> {
    const mapped = toOrganisationState(clinic, district, this.options.misVendor, this.zoneOf(clinic.Oid ?? ''));
    this.quality.record(mapped.issues);
    if (!mapped.value) return undefined;
    this.clinicsByIdLpu.set(clinic.IdLPU, { organisationOid: mapped.value.organisationOid });
    const change = this.detect(this.organisations, mapped.value.organisationOid, mapped.value, reassert);
    if (change) {
      const value = organisationPublished(change.state, this.stamp(change));
      await this.publisher.publishAll([{ event: AllEvents.OrganisationPublished, key: change.id, value }]);
      await this.store?.save('organisation', [change]);
      this.organisations.commit([change]);
    }
    return mapped.value.organisationOid;
  }

  private async syncClinic(idLpu: number, organisationOid: string, reassert: boolean): Promise<SyncSummary> {
    const { ListSpesiality } = await this.client.getSpecialities(idLpu);
    const doctors = new Map<string, { doctor: HubDoctor; spesiality: HubSpesiality }>();
    for (const spesiality of ListSpesiality) {
      const { Docs } = await this.client.getDoctors(idLpu, spesiality.IdSpesiality);
      for (const doctor of Docs) if (!doctors.has(doctor.IdDoc)) doctors.set(doctor.IdDoc, { doctor, spesiality });
    }
    const resourceChanges: Change<ResourceState>[] = [];
    for (const { doctor, spesiality } of doctors.values()) {
      const mapped = toResourceState(doctor, spesiality, organisationOid, this.codes, this.options.specialtyRules);
      this.quality.record(mapped.issues);
      const change = mapped.value && this.detect(this.resources, mapped.value.resourceId, mapped.value, reassert);
      if (change) resourceChanges.push(change);
    }
    await this.publish(
      resourceChanges.map((c) => ({ event: AllEvents.ResourcePublished, key: c.id, value: resourcePublished(c.state, this.stamp(c)) })),
    );
    await this.store?.save('resource', resourceChanges);
    this.resources.commit(resourceChanges);

    let published = resourceChanges.length;
    let failures = 0;
    const from = this.startOfToday();
    const to = from + this.options.horizonDays * DAY_MS;
    // Several doctors at once: a pass is bound by round trips (MIS, Kafka, Postgres), not by work.
    const queue = [...doctors.keys()];
    const worker = async () => {
      for (let idDoc = queue.shift(); idDoc !== undefined; idDoc = queue.shift()) {
        try {
          // Not `published += await …`: that reads `published` before the await and loses the other workers' counts.
          const count = await this.syncDoctorWindow({ idLpu, organisationOid, idDoc }, from, to, true, undefined, reassert);
          published += count;
        } catch (error) {
          if (!(error instanceof MisResponseRejectedError)) throw error;
          failures += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.doctorConcurrency ?? 4) }, worker));
    published += await this.removeSlotsOfUnlistedDoctors(organisationOid, new Set(doctors.keys()));
    return { published, failures };
  }

  /** Reads one doctor's free appointments in [fromMs, toMs) and publishes the difference. */
  private syncDoctorWindow(doctor: DoctorRef, fromMs: number, toMs: number, checkDates: boolean, onStart?: () => void, reassert = false): Promise<number> {
    const resourceId = `${doctor.organisationOid}:${doctor.idDoc}`;
    return this.locks.run(resourceId, async () => {
      onStart?.();
      const zone = this.zoneOf(doctor.organisationOid);
      const visitStart = epochMsToLocalDateTime(fromMs, zone);
      const visitEnd = epochMsToLocalDateTime(toMs - 1000, zone);
      let appointments: Awaited<ReturnType<HubServiceClient['getAppointments']>>['ListAppointments'] = [];
      const dates = checkDates ? (await this.client.getAvailableDates(doctor.idLpu, doctor.idDoc, visitStart, visitEnd)).AvailableDateList : [visitStart];
      if (dates.length > 0) {
        appointments = (await this.client.getAppointments(doctor.idLpu, doctor.idDoc, visitStart, visitEnd)).ListAppointments;
      }
      const now = this.clock.now().getTime();
      const seen = new Set<string>();
      const changes: Change<SlotState>[] = [];
      const forgotten: string[] = [];
      const channels = this.channelsOf(resourceId);
      for (const appointment of appointments) {
        const mapped = toSlotState(appointment, { IdDoc: doctor.idDoc }, doctor, zone, channels);
        this.quality.record(mapped.issues);
        if (!mapped.value || seen.has(mapped.value.slotId)) continue;
        seen.add(mapped.value.slotId);
        const change = this.detect(this.slots, mapped.value.slotId, mapped.value, reassert);
        if (change) changes.push(change);
      }
      // In scope: the window read, plus anything of this resource that has passed (to forget it).
      const inScope = (s: SlotState) => s.resourceId === resourceId && s.startsAt < toMs && (s.startsAt >= fromMs || s.startsAt < now);
      for (const slotId of this.slots.idsWhere(inScope)) {
        if (seen.has(slotId)) continue;
        const last = this.slots.get(slotId);
        if (!last) continue;
        if (last.state.startsAt < now) forgotten.push(slotId);
        else {
          const change = this.detect(this.slots, slotId, withStatus(last.state, 'BOOKED'), reassert);
          if (change) changes.push(change);
        }
      }
      await this.publish(changes.map((c) => this.slotEvent(c)));
      await this.store?.save('slot', changes, forgotten);
      this.slots.commit(changes);
      for (const slotId of forgotten) this.slots.forget(slotId);
      return changes.length;
    });
  }

  private async removeSlotsOfUnlistedDoctors(organisationOid: string, listed: ReadonlySet<string>): Promise<number> {
    const removals = this.slots
      .idsWhere((s) => s.organisationOid === organisationOid && !listed.has(s.localResourceId))
      .map((id) => this.slots.removal(id))
      .filter((c): c is Change<SlotState> => c !== undefined);
    await this.publish(removals.map((c) => this.slotEvent(c)));
    await this.store?.save('slot', removals);
    this.slots.commit(removals);
    return removals.length;
  }

  /** An organisation this adapter published that the MIS no longer lists: its slots go, then it does. */
  private async removeUnlistedOrganisations(listed: ReadonlySet<string>): Promise<number> {
    let published = 0;
    for (const organisationOid of this.organisations.idsWhere((o) => !listed.has(o.organisationOid))) {
      const slots = this.slots
        .idsWhere((s) => s.organisationOid === organisationOid)
        .map((id) => this.slots.removal(id))
        .filter((c): c is Change<SlotState> => c !== undefined);
      await this.publish(slots.map((c) => this.slotEvent(c)));
      await this.store?.save('slot', slots);
      this.slots.commit(slots);
      const removal = this.organisations.removal(organisationOid);
      if (removal) {
        await this.publisher.publishAll([{ event: AllEvents.OrganisationRemoved, key: removal.id, value: organisationRemoved(removal.state, this.stamp(removal)) }]);
        await this.store?.save('organisation', [removal]);
        this.organisations.commit([removal]);
      }
      for (const [idLpu, clinic] of this.clinicsByIdLpu) if (clinic.organisationOid === organisationOid) this.clinicsByIdLpu.delete(idLpu);
      published += slots.length + (removal ? 1 : 0);
    }
    return published;
  }

  private detect<S>(detector: ChangeDetector<S>, id: string, state: S, reassert: boolean): Change<S> | undefined {
    return reassert ? detector.reassert(id, state) : detector.detect(id, state);
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

  private async publish(events: OutgoingEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 500) await this.publisher.publishAll(events.slice(i, i + 500));
  }

  private stamp(change: Change<unknown>) {
    return { sourceVersion: change.sourceVersion, occurredAt: this.clock.now().getTime() };
  }

  /** The resource's specialty decides (HubService says nothing per slot); its resource was published before its slots are read. */
  private channelsOf(resourceId: string): BookingChannel[] {
    const nsiCode = this.resources.get(resourceId)?.state.specialty.nsiCode ?? null;
    return channelsFor(this.options.specialtyRules ?? defaultSpecialtyRules, nsiCode, this.options.bookingChannels);
  }

  private zoneOf(organisationOid: string): string {
    return this.options.organisationTimeZones?.get(organisationOid) ?? this.options.timeZone;
  }

  private startOfToday(): number {
    const today = epochMsToLocalDateTime(this.clock.now().getTime(), this.options.timeZone).slice(0, 10);
    return localDateTimeToEpochMs(`${today}T00:00:00`, this.options.timeZone) ?? this.clock.now().getTime();
  }
}
