import { localDateTimeToEpochMs } from '@medbus/mis-adapter-kit';
import type { Region, VendorSite } from '../e2e/region.process';

/** A slot as every simulator's admin API shows it (the fields the clinic model adds to the vendor's wire view). */
export interface MisSlot {
  readonly idLpu: number;
  readonly idDoc: string;
  readonly state: 'free' | 'booked' | 'blocked';
  readonly booking: { readonly idPat: string } | null;
  readonly modelSlotId: string;
  readonly localStart: string;
  readonly timeZone: string;
}

export interface InventorySlot {
  readonly slotId: string;
  readonly organisationOid: string;
  readonly resourceId: string;
  readonly status: string;
  readonly startsAt: string;
}

/** A patient registered at a clinic's MIS and identified through medbus. */
export interface Patient {
  readonly patientId: string;
  readonly idPat: string;
  readonly idLpu: number;
  readonly policyNumber: string;
}

interface MisDoctor {
  readonly idLpu: number;
  readonly idDoc: string;
  readonly specialtyCode: string;
}

const minute = 60_000;

/**
 * One vendor's site seen from both ends: the MIS through its simulator's admin API, the unified
 * inventory and bookings through the region's booking API. Ids cross over by the vendor's
 * `simSlotIdOf`, so a test says "this slot" once and checks it at both.
 */
export class SiteProbe {
  private doctors: MisDoctor[] = [];
  private readonly used = new Set<string>();

  constructor(
    readonly region: Region,
    readonly site: VendorSite,
  ) {}

  async load(): Promise<void> {
    this.doctors = (await this.site.simCall<{ doctors: MisDoctor[] }>('GET', '/admin/code-map')).doctors;
  }

  oidOf(idLpu: number): string {
    const org = this.site.organisations.find((o) => o.idLpu === idLpu);
    if (!org) throw new Error(`no organisation ${idLpu} at ${this.site.vendor.vendor}`);
    return org.oid;
  }

  /** The simulator's id of an inventory slot. */
  misSlotIdOf(slot: Pick<InventorySlot, 'slotId' | 'organisationOid'>): string {
    return this.site.vendor.simSlotIdOf(slot.slotId.slice(slot.organisationOid.length + 1));
  }

  misSlot(modelSlotId: string): Promise<MisSlot> {
    return this.site.simCall<MisSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(modelSlotId)}`);
  }

  startsAtOf(slot: MisSlot): number {
    return localDateTimeToEpochMs(slot.localStart.slice(0, 19), slot.timeZone) ?? 0;
  }

  /** Every slot of an organisation in the inventory, a page at a time. */
  async inventoryOf(oid: string, freeOnly = false): Promise<InventorySlot[]> {
    const slots: InventorySlot[] = [];
    let cursor: string | undefined;
    do {
      const query = `organisation=${encodeURIComponent(oid)}&limit=200${freeOnly ? '&freeOnly=true' : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { status, body } = await this.region.api<{ items: InventorySlot[]; nextCursor: string | null }>('GET', `/v1/slots?${query}`);
      if (status !== 200) throw new Error(`search answered ${status}`);
      slots.push(...body.items);
      cursor = body.nextCursor ?? undefined;
    } while (cursor);
    return slots;
  }

  async inventoryStatus(slot: MisSlot): Promise<string | undefined> {
    return (await this.inventoryOf(this.oidOf(slot.idLpu))).find((s) => this.misSlotIdOf(s) === slot.modelSlotId)?.status;
  }

  /** The inventory's id of a slot the MIS shows (it must have been published). */
  async slotIdOf(slot: MisSlot): Promise<string> {
    const found = (await this.inventoryOf(this.oidOf(slot.idLpu))).find((s) => this.misSlotIdOf(s) === slot.modelSlotId);
    if (!found) throw new Error(`slot ${slot.modelSlotId} is not in the inventory`);
    return found.slotId;
  }

  /** Doctors in the adapter's scope whom any adult may see (no sex or age rule in the region's specialties). */
  openDoctors(): MisDoctor[] {
    return this.doctors.filter((d) => !['PED', 'GIN'].includes(d.specialtyCode) && this.site.inScope.some((o) => o.idLpu === d.idLpu));
  }

  /** Free slots at least three hours ahead of the `offset`-th open doctor, that no step took yet. */
  async freeSlots(count: number, offset = 0): Promise<MisSlot[]> {
    const open = this.openDoctors();
    const doctor = open[offset % open.length];
    const slots = await this.site.simCall<MisSlot[]>('GET', `/admin/slots?idLpu=${doctor.idLpu}&idDoc=${doctor.idDoc}&state=free`);
    const picked = slots.filter((s) => this.startsAtOf(s) > Date.now() + 180 * minute && !this.used.has(s.modelSlotId)).slice(0, count);
    if (picked.length < count) throw new Error(`doctor ${doctor.idDoc} has ${picked.length} free slots ahead, ${count} wanted`);
    for (const slot of picked) this.used.add(slot.modelSlotId);
    return picked;
  }

  /** A patient registered at the clinic's MIS, then identified through medbus by policy number. */
  async aPatient(idLpu: number): Promise<Patient> {
    const registered = await this.site.simCall<{ idPat: string; policyNumber: string }>('POST', '/admin/patients', { idLpu, sex: 'FEMALE', birthDate: '1985-03-15' });
    const { status, body } = await this.region.api<{ patientId: string }>('POST', '/v1/patients/identify', {
      organisationOid: this.oidOf(idLpu),
      policyNumber: registered.policyNumber,
      sex: 'FEMALE',
      birthDate: '1985-03-15',
    });
    if (status !== 200) throw new Error(`identify answered ${status}: ${JSON.stringify(body)}`);
    return { patientId: body.patientId, idPat: registered.idPat, idLpu, policyNumber: registered.policyNumber };
  }

  /** Whether a slot is far enough ahead that no adapter forgets it as passed while a test runs. */
  static ahead(startsAt: number): boolean {
    return startsAt > Date.now() + 30 * minute;
  }
}
