import { createReadStream } from 'node:fs';
import type { BookingChannel } from '@medbus/contracts';
import { channelsFor, type CodeMap, type DataQualityReport, type OrganisationState, type Publication, type ResourceState, type SlotState, type SlotWindow, type SpecialtyRule } from '@medbus/mis-adapter-kit';
import { DumpRejectedError, DumpRejection } from './dump/dump.errors';
import { readDump } from './dump/dump.reader';
import type { DumpClinic, DumpDay, DumpDoctor, DumpEnd, DumpHeader, DumpRecord } from './dump/dump.types';
import type { DumpIndexEntry } from './dump-index.mapper';
import { toOrganisationState } from './organisation.mapper';
import { toResourceState } from './resource.mapper';
import { dayWindowOf, toDaySlots, wholeScheduleOf } from './slot.mapper';

export interface DumpApplyOptions {
  readonly misVendor: string;
  readonly bookingChannels: readonly BookingChannel[];
  /** The region's rules per specialty NSI code: who may be booked to a doctor, which channels its slots are closed to. */
  readonly specialtyRules: Readonly<Record<string, SpecialtyRule>>;
  /** Largest unit the reader takes (a Day, a Clinic's or Doctor's own part), in bytes. */
  readonly maxUnitBytes: number;
  /** Doctors (full dump) or Days (partial dump) published at once while the file is read on. */
  readonly concurrency: number;
}

export interface PublishedDump {
  readonly published: number;
  /** Clinic code by organisation OID, of the clinics in scope the dump listed. */
  readonly clinics: ReadonlyMap<string, string>;
}

/**
 * Applies a downloaded dump in two passes over the file, so that a broken dump publishes nothing:
 * `validate` reads it to its End (well-formed, counts matching, the dump the index named), then
 * `publish` reads it again and hands each listing to the publication as it comes. Memory holds a
 * few doctors' days (a full dump's doctor is one listing of the horizon: `concurrency` of them being
 * published, one being read), never the dump.
 */
export class DumpApplier {
  constructor(
    private readonly publication: Publication,
    private readonly codes: CodeMap,
    private readonly quality: DataQualityReport,
    private readonly options: DumpApplyOptions,
  ) {}

  /**
   * Pass 1: the whole file read, nothing published. Throws `DumpRejectedError` when it is not a
   * whole, valid dump, or not the one the index describes (kind and seq; a partial on the index's
   * full dump `base`).
   */
  async validate(path: string, entry: DumpIndexEntry, base: number): Promise<DumpEnd> {
    let end: DumpEnd | undefined;
    for await (const record of readDump(createReadStream(path), { maxUnitBytes: this.options.maxUnitBytes })) {
      if (record.type === 'end') end = record;
    }
    if (end === undefined) throw new DumpRejectedError(DumpRejection.truncated, 0);
    const { header } = end;
    if (header.kind !== entry.kind || header.seq !== entry.seq) {
      throw new DumpRejectedError(DumpRejection.invalidValue, 0, { element: 'ScheduleDump', attribute: 'seq', reason: 'NOT_AS_INDEXED' });
    }
    if (header.kind === 'partial' && header.base !== base) {
      throw new DumpRejectedError(DumpRejection.invalidValue, 0, { element: 'ScheduleDump', attribute: 'base', reason: 'NOT_ON_INDEXED_FULL_DUMP' });
    }
    return end;
  }

  /** Pass 2, after `validate`: publishes what the dump lists. */
  async publish(path: string, header: DumpHeader, reassert: boolean): Promise<PublishedDump> {
    const pass = new PublishingPass(this.publication, this.codes, this.quality, this.options, header, reassert);
    for await (const record of readDump(createReadStream(path), { maxUnitBytes: this.options.maxUnitBytes })) await pass.accept(record);
    return { published: pass.published, clinics: pass.clinics };
  }
}

interface OpenClinic {
  readonly code: string;
  readonly organisationOid: string;
  readonly timeZone: string;
  readonly resources: ResourceState[];
}

interface OpenDoctor {
  readonly resource: ResourceState;
  readonly timeZone: string;
  /** The adapter's channels less those the doctor's specialty closes. */
  readonly channels: readonly BookingChannel[];
  readonly days: DumpDay[];
}

/** One reading of a dump into the publication, record by record. */
class PublishingPass {
  published = 0;
  readonly clinics = new Map<string, string>();
  private readonly organisations: OrganisationState[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { readonly error: unknown } | undefined;
  private clinic: OpenClinic | undefined;
  private doctor: OpenDoctor | undefined;

  constructor(
    private readonly publication: Publication,
    private readonly codes: CodeMap,
    private readonly quality: DataQualityReport,
    private readonly options: DumpApplyOptions,
    private readonly header: DumpHeader,
    private readonly reassert: boolean,
  ) {}

  private get full(): boolean {
    return this.header.kind === 'full';
  }

  async accept(record: DumpRecord): Promise<void> {
    switch (record.type) {
      case 'clinic':
        return this.openClinic(record);
      case 'doctor':
        return this.openDoctor(record);
      case 'day':
        return this.acceptDay(record);
      case 'end':
        return this.finish();
      default:
        return record satisfies never;
    }
  }

  private async openClinic(clinic: DumpClinic): Promise<void> {
    await this.closeClinic();
    const mapped = toOrganisationState(clinic, this.options.misVendor);
    this.quality.record(mapped.issues);
    if (!mapped.value) return;
    this.count(await this.publication.publishOrganisations([mapped.value], { complete: false, reassert: this.reassert }));
    // An organisation not registered to this adapter is refused (and counted) above; nothing else of it is read.
    if (!this.publication.inScope(clinic.oid)) return;
    this.organisations.push(mapped.value);
    this.clinics.set(clinic.oid, clinic.code);
    this.clinic = { code: clinic.code, organisationOid: clinic.oid, timeZone: clinic.tz, resources: [] };
  }

  private async openDoctor(doctor: DumpDoctor): Promise<void> {
    await this.closeDoctor();
    const clinic = this.clinic;
    if (!clinic) return;
    const mapped = toResourceState(doctor, clinic.organisationOid, this.codes, this.options.specialtyRules);
    this.quality.record(mapped.issues);
    if (!mapped.value) return;
    this.count(await this.publication.publishResources(clinic.organisationOid, [mapped.value], { complete: false, reassert: this.reassert }));
    clinic.resources.push(mapped.value);
    const channels = channelsFor(this.options.specialtyRules, mapped.value.specialty.nsiCode, this.options.bookingChannels);
    this.doctor = { resource: mapped.value, timeZone: clinic.timeZone, channels, days: [] };
  }

  private async acceptDay(day: DumpDay): Promise<void> {
    const doctor = this.doctor;
    if (!doctor) return;
    if (this.full) doctor.days.push(day);
    else await this.schedule(doctor, dayWindowOf(doctor.resource.resourceId, day.date, doctor.timeZone), [day]);
  }

  /** A full dump lists the doctor's whole horizon: one listing of it replaces every day and removes those no longer listed. */
  private async closeDoctor(): Promise<void> {
    const doctor = this.doctor;
    this.doctor = undefined;
    if (!doctor || !this.full) return;
    await this.schedule(doctor, wholeScheduleOf(doctor.resource.resourceId), doctor.days);
  }

  /** A full dump lists each clinic's doctors completely: the slots of a doctor no longer listed are removed. */
  private async closeClinic(): Promise<void> {
    await this.closeDoctor();
    const clinic = this.clinic;
    this.clinic = undefined;
    if (!clinic || !this.full) return;
    this.count(await this.publication.publishResources(clinic.organisationOid, clinic.resources, { complete: true }));
  }

  private async finish(): Promise<void> {
    await this.closeClinic();
    await Promise.all(this.inFlight);
    this.rethrow();
    // A full dump lists every clinic: an organisation published before and not listed now is removed.
    if (this.full) this.count(await this.publication.publishOrganisations(this.organisations, { complete: true }));
  }

  /** Publishes a listing of the resource's window once fewer than `concurrency` listings are under way. */
  private async schedule(doctor: OpenDoctor, window: SlotWindow | undefined, days: readonly DumpDay[]): Promise<void> {
    const { resource } = doctor;
    if (!window) {
      this.quality.record([{ kind: 'invalid_value', entity: `resource ${resource.resourceId}`, field: 'Day/date' }]);
      return;
    }
    const owner = { organisationOid: resource.organisationOid, timeZone: doctor.timeZone, doctorCode: resource.localResourceId };
    const slots: SlotState[] = [];
    for (const day of days) {
      const mapped = toDaySlots(day, owner, doctor.channels);
      this.quality.record(mapped.issues);
      slots.push(...mapped.slots);
    }
    while (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
    this.rethrow();
    const listing = this.publication
      .exclusive(resource.resourceId, () => this.publication.publishSlots(window, slots, { unlisted: 'removed', reassert: this.reassert }))
      .then(
        (count) => this.count(count),
        (error: unknown) => {
          this.failure ??= { error };
        },
      )
      .finally(() => this.inFlight.delete(listing));
    this.inFlight.add(listing);
  }

  private count(published: number): void {
    this.published += published;
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}
