import type { BookingChannel } from '@medbus/contracts';
import {
  MisResponseRejectedError,
  epochMsToLocalDateTime,
  localDateTimeToEpochMs,
  slotIdOf,
  type Clock,
  type CodeMap,
  type DataQualityReport,
  type Publication,
  type ResourceState,
  type SlotState,
} from '@medbus/mis-adapter-kit';
import type { HubServiceClient } from './hubservice.client';
import type { HubClinic, HubDistrict, HubDoctor, HubSpesiality } from './hubservice-response.mapper';
import { toOrganisationState } from './organisation.mapper';
import { toResourceState } from './resource.mapper';
import { channelsFor, defaultSpecialtyRules, type SpecialtyRule } from '@medbus/mis-adapter-kit';
import { toSlotState } from './slot.mapper';

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
  private readonly clinicsByIdLpu = new Map<number, { organisationOid: string }>();
  /** Doctor-day re-reads waiting for their lock: a request arriving meanwhile is answered by that read. */
  private readonly queuedRefreshes = new Map<string, Promise<number>>();
  private lastSyncAt: Date | null = null;
  private lastReassertAt: number;
  private lastCompletedReassertAt: Date | null = null;

  constructor(
    private readonly client: HubReader,
    private readonly publication: Publication,
    private readonly clock: Clock,
    private readonly codes: CodeMap,
    private readonly quality: DataQualityReport,
    private readonly options: ScheduleSyncOptions,
    private readonly logger: SyncLogger,
  ) {
    this.lastReassertAt = clock.now().getTime();
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
    return this.idLpuOf(organisationOid) !== undefined || this.publication.organisation(organisationOid) !== undefined;
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
        // An organisation not registered to this adapter is not read further: nothing of it would be published.
        if (!organisationOid || !clinic.IsActive || !this.publication.inScope(organisationOid)) continue;
        const outcome = await this.syncClinic(clinic.IdLPU, organisationOid, reassert).catch((e) => (skip(e), undefined));
        published += outcome?.published ?? 0;
        failures += outcome?.failures ?? 0;
      }
    }
    // Only a listing that answered for every district proves an organisation gone.
    if (listingComplete) {
      for (const organisationOid of this.publication.organisationOids) {
        if (listed.has(organisationOid)) continue;
        published += await this.publication.removeOrganisation(organisationOid);
        for (const [idLpu, clinic] of this.clinicsByIdLpu) if (clinic.organisationOid === organisationOid) this.clinicsByIdLpu.delete(idLpu);
      }
    }
    if (failures === 0) this.lastSyncAt = startedAt;
    if (reassert && failures === 0) {
      this.lastReassertAt = startedAt.getTime();
      this.lastCompletedReassertAt = startedAt;
    }
    this.logger.log('sync finished', { published, failures, reassert });
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
    if (!this.publication.resource(`${clinic.organisationOid}:${idDoc}`)) return undefined;
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
    const slot = await this.publication.slot(slotIdOf(clinic.organisationOid, idAppointment));
    if (!slot) return undefined;
    const day = epochMsToLocalDateTime(slot.startsAt, this.zoneOf(clinic.organisationOid)).slice(0, 10);
    return this.refreshDoctorDay(idLpu, slot.localResourceId, day);
  }

  private async publishOrganisation(clinic: HubClinic, district: HubDistrict, reassert: boolean): Promise<string | undefined> {
    const mapped = toOrganisationState(clinic, district, this.options.misVendor, this.zoneOf(clinic.Oid ?? ''));
    this.quality.record(mapped.issues);
    if (!mapped.value) return undefined;
    this.clinicsByIdLpu.set(clinic.IdLPU, { organisationOid: mapped.value.organisationOid });
    await this.publication.publishOrganisations([mapped.value], { complete: false, reassert });
    return mapped.value.organisationOid;
  }

  private async syncClinic(idLpu: number, organisationOid: string, reassert: boolean): Promise<SyncSummary> {
    const { ListSpesiality } = await this.client.getSpecialities(idLpu);
    const doctors = new Map<string, { doctor: HubDoctor; spesiality: HubSpesiality }>();
    for (const spesiality of ListSpesiality) {
      const { Docs } = await this.client.getDoctors(idLpu, spesiality.IdSpesiality);
      for (const doctor of Docs) if (!doctors.has(doctor.IdDoc)) doctors.set(doctor.IdDoc, { doctor, spesiality });
    }
    const resources: ResourceState[] = [];
    for (const { doctor, spesiality } of doctors.values()) {
      const mapped = toResourceState(doctor, spesiality, organisationOid, this.codes, this.options.specialtyRules);
      this.quality.record(mapped.issues);
      if (mapped.value) resources.push(mapped.value);
    }
    // The doctors listed under every specialty are the clinic's whole list: the slots of one gone are removed.
    let published = await this.publication.publishResources(organisationOid, resources, { complete: true, reassert });
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
    return { published, failures };
  }

  /** Reads one doctor's free appointments in [fromMs, toMs) and publishes the difference. */
  private syncDoctorWindow(doctor: DoctorRef, fromMs: number, toMs: number, checkDates: boolean, onStart?: () => void, reassert = false): Promise<number> {
    const resourceId = `${doctor.organisationOid}:${doctor.idDoc}`;
    return this.publication.exclusive(resourceId, async () => {
      onStart?.();
      const zone = this.zoneOf(doctor.organisationOid);
      const visitStart = epochMsToLocalDateTime(fromMs, zone);
      const visitEnd = epochMsToLocalDateTime(toMs - 1000, zone);
      let appointments: Awaited<ReturnType<HubServiceClient['getAppointments']>>['ListAppointments'] = [];
      const dates = checkDates ? (await this.client.getAvailableDates(doctor.idLpu, doctor.idDoc, visitStart, visitEnd)).AvailableDateList : [visitStart];
      if (dates.length > 0) {
        appointments = (await this.client.getAppointments(doctor.idLpu, doctor.idDoc, visitStart, visitEnd)).ListAppointments;
      }
      const channels = this.channelsOf(resourceId);
      const slots: SlotState[] = [];
      for (const appointment of appointments) {
        const mapped = toSlotState(appointment, { IdDoc: doctor.idDoc }, doctor, zone, channels);
        this.quality.record(mapped.issues);
        if (mapped.value) slots.push(mapped.value);
      }
      // HubService lists free appointments only: one gone from the list has been taken.
      return this.publication.publishSlots({ resourceId, fromMs, toMs }, slots, { unlisted: 'taken', reassert });
    });
  }

  /** The resource's specialty decides (HubService says nothing per slot); its resource was published before its slots are read. */
  private channelsOf(resourceId: string): BookingChannel[] {
    const nsiCode = this.publication.resource(resourceId)?.specialty.nsiCode ?? null;
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
