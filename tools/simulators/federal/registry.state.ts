import {
  FerAppointmentStatus,
  FerReasonCode,
  FerResultStatus,
  FerSlotStatus,
  type FerLocation,
  type FerResult,
  type FerSlot,
} from '@medbus/federal-registry';
import { checkLocation, checkSlot, keyOf, versionOf, type ItemReferences, type RawItem } from './registry.rules';
import type { Clock } from './session.store';

/** One item's result and the organisation it belongs to (for per-MO counters), when known. */
export interface ItemOutcome {
  readonly result: FerResult;
  readonly mo: string | undefined;
}

/** A booking's status as the region reported it (UpdateAppointmentStatus) or the portal made it. */
export interface HeldBooking {
  Book_Id_Mis: string;
  Slot_Id: string;
  MO_OID: string;
  Status: FerAppointmentStatus;
  Version: number;
  /** `region`: told by UpdateAppointmentStatus; `portal`: made through the simulated federal portal. */
  source: 'region' | 'portal';
}

/** UpdateAppointmentStatus as decoded: text, checked here like any item. */
export interface AppointmentStatusInput {
  readonly Book_Id_Mis: string;
  readonly Slot_Id: string;
  readonly MO_OID: string;
  readonly Status: string;
  readonly Version: string;
}

const appointmentStatuses: ReadonlySet<string> = new Set(Object.values(FerAppointmentStatus));

const accepted = (key: string): FerResult => ({ Key: key, Status: FerResultStatus.Accepted });
const unchanged = (key: string, reason?: string): FerResult => ({ Key: key, Status: FerResultStatus.Unchanged, ...(reason ? { Reason: reason } : {}) });
const rejected = (key: string, code: FerReasonCode, reason: string): FerResult => ({ Key: key, Status: FerResultStatus.Rejected, Reason_Code: code, Reason: reason });

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}

const byKey = <T>(key: (item: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * What the federal side holds: locations and slots keyed by their ids with the version last
 * accepted, and booking statuses. A key with a version not greater than the held one changes nothing
 * (UNCHANGED); a greater one replaces the object (ACCEPTED). Removing a location removes its slots.
 */
export class RegistryState {
  private readonly locations = new Map<string, FerLocation>();
  private readonly slots = new Map<string, FerSlot>();
  private readonly bookings = new Map<string, HeldBooking>();
  private readonly locationsByMo = new Map<string, Set<string>>();
  private readonly slotsByMo = new Map<string, Set<string>>();
  private readonly slotsByLocation = new Map<string, Set<string>>();
  /** When each held slot took its current content (epoch ms): how long a change took to arrive, for the benchmark. */
  private readonly slotReceivedAt = new Map<string, number>();

  constructor(
    private readonly references: ItemReferences,
    private readonly clock: Clock = Date.now,
  ) {}

  updateLocation(item: RawItem): ItemOutcome {
    const key = keyOf(item, 'Location_Id') ?? '';
    const held = this.locations.get(key);
    const version = versionOf(item);
    if (held && version !== undefined && version <= held.Version) return { result: unchanged(key), mo: held.MO_OID };
    const checked = checkLocation(item, this.references);
    const mo = typeof item['MO_OID'] === 'string' ? item['MO_OID'] : undefined;
    if (!checked.ok) return { result: rejected(key, checked.rejection.code, checked.rejection.reason), mo };
    this.putLocation(checked.value);
    return { result: accepted(key), mo: checked.value.MO_OID };
  }

  removeLocation(key: string): ItemOutcome {
    const held = this.deleteLocation(key);
    return held ? { result: accepted(key), mo: held.MO_OID } : { result: unchanged(key, 'Location_Id is not held'), mo: undefined };
  }

  updateSlot(item: RawItem): ItemOutcome {
    const key = keyOf(item, 'Slot_Id') ?? '';
    const held = this.slots.get(key);
    const version = versionOf(item);
    if (held && version !== undefined && version <= held.Version) return { result: unchanged(key), mo: held.MO_OID };
    const checked = checkSlot(item, this.references, (id) => this.locations.get(id));
    const mo = typeof item['MO_OID'] === 'string' ? item['MO_OID'] : undefined;
    if (!checked.ok) return { result: rejected(key, checked.rejection.code, checked.rejection.reason), mo };
    this.putSlot(checked.value);
    return { result: accepted(key), mo: checked.value.MO_OID };
  }

  removeSlot(key: string): ItemOutcome {
    const held = this.deleteSlot(key);
    return held ? { result: accepted(key), mo: held.MO_OID } : { result: unchanged(key, 'Slot_Id is not held'), mo: undefined };
  }

  /** The region's word on a booking; its slot need not be held (a booking can outlive its slot's export). */
  updateAppointmentStatus(request: AppointmentStatusInput): ItemOutcome {
    const key = request.Book_Id_Mis;
    const version = versionOf({ Version: request.Version });
    const held = this.bookings.get(key);
    if (held && version !== undefined && version <= held.Version) return { result: unchanged(key), mo: held.MO_OID };
    if (!this.references.knowsOrganisation(request.MO_OID)) return { result: rejected(key, FerReasonCode.UnknownMo, 'MO_OID is not in the ФРМО register'), mo: request.MO_OID };
    if (!appointmentStatuses.has(request.Status)) return { result: rejected(key, FerReasonCode.InvalidField, 'Status is not BOOKED or CANCELLED'), mo: request.MO_OID };
    if (version === undefined) return { result: rejected(key, FerReasonCode.InvalidField, 'Version is not a non-negative integer'), mo: request.MO_OID };
    this.bookings.set(key, {
      Book_Id_Mis: key,
      Slot_Id: request.Slot_Id,
      MO_OID: request.MO_OID,
      Status: request.Status as FerAppointmentStatus,
      Version: version,
      source: held?.source ?? 'region',
    });
    return { result: accepted(key), mo: request.MO_OID };
  }

  location(id: string): FerLocation | undefined {
    return this.locations.get(id);
  }

  slot(id: string): FerSlot | undefined {
    return this.slots.get(id);
  }

  /** An organisation's locations in key order (stable pages). */
  locationsOf(mo: string): FerLocation[] {
    return [...(this.locationsByMo.get(mo) ?? [])].map((id) => this.locations.get(id) as FerLocation).sort(byKey((l) => l.Location_Id));
  }

  /** An organisation's slots (of one location when given) in key order. */
  slotsOf(mo: string, locationId?: string): FerSlot[] {
    const ids = locationId === undefined ? this.slotsByMo.get(mo) : this.slotsByLocation.get(locationId);
    return [...(ids ?? [])]
      .map((id) => this.slots.get(id) as FerSlot)
      .filter((slot) => slot.MO_OID === mo)
      .sort(byKey((s) => s.Slot_Id));
  }

  /** When each of these held slots took its current content, epoch ms by Slot_Id. */
  receivedAtOf(slots: readonly FerSlot[]): Record<string, number> {
    return Object.fromEntries(slots.map((slot) => [slot.Slot_Id, this.slotReceivedAt.get(slot.Slot_Id) ?? 0]));
  }

  bookingsOf(mo: string): HeldBooking[] {
    return [...this.bookings.values()].filter((b) => b.MO_OID === mo).sort(byKey((b) => b.Book_Id_Mis));
  }

  booking(id: string): HeldBooking | undefined {
    return this.bookings.get(id);
  }

  /** Organisations with anything held. */
  organisations(): string[] {
    const mos = new Set([...this.locationsByMo.keys(), ...this.slotsByMo.keys(), ...[...this.bookings.values()].map((b) => b.MO_OID)]);
    return [...mos].sort();
  }

  held(mo: string): { locations: number; slots: number; bookings: number } {
    return {
      locations: this.locationsByMo.get(mo)?.size ?? 0,
      slots: this.slotsByMo.get(mo)?.size ?? 0,
      bookings: [...this.bookings.values()].filter((b) => b.MO_OID === mo).length,
    };
  }

  totals(): { locations: number; slots: number; bookings: number } {
    return { locations: this.locations.size, slots: this.slots.size, bookings: this.bookings.size };
  }

  /** Holds a location as given, unchecked (accepted items, and drift injected by the admin API). */
  putLocation(location: FerLocation): void {
    const previous = this.locations.get(location.Location_Id);
    if (previous) removeFrom(this.locationsByMo, previous.MO_OID, previous.Location_Id);
    this.locations.set(location.Location_Id, location);
    addTo(this.locationsByMo, location.MO_OID, location.Location_Id);
  }

  /** Drops a location and its slots; answers the location it held. */
  deleteLocation(id: string): FerLocation | undefined {
    const held = this.locations.get(id);
    if (!held) return undefined;
    for (const slotId of [...(this.slotsByLocation.get(id) ?? [])]) this.deleteSlot(slotId);
    this.locations.delete(id);
    removeFrom(this.locationsByMo, held.MO_OID, id);
    return held;
  }

  /** Holds a slot as given, unchecked: its location need not be held (an orphan injected as drift). */
  putSlot(slot: FerSlot): void {
    const previous = this.slots.get(slot.Slot_Id);
    if (previous) this.unindexSlot(previous);
    this.slots.set(slot.Slot_Id, slot);
    this.slotReceivedAt.set(slot.Slot_Id, this.clock());
    addTo(this.slotsByMo, slot.MO_OID, slot.Slot_Id);
    addTo(this.slotsByLocation, slot.Location_Id, slot.Slot_Id);
  }

  deleteSlot(id: string): FerSlot | undefined {
    const held = this.slots.get(id);
    if (!held) return undefined;
    this.slots.delete(id);
    this.slotReceivedAt.delete(id);
    this.unindexSlot(held);
    return held;
  }

  /** The portal's own copy of a slot after it booked or cancelled through the region (version kept: the region's next word wins). */
  markSlot(id: string, status: FerSlotStatus): FerSlot | undefined {
    const held = this.slots.get(id);
    if (!held) return undefined;
    const marked = { ...held, Status: status };
    this.slots.set(id, marked);
    return marked;
  }

  /** A booking the simulated portal made (or cancelled) through the region. */
  recordPortalBooking(booking: Omit<HeldBooking, 'source' | 'Version'>): void {
    const held = this.bookings.get(booking.Book_Id_Mis);
    this.bookings.set(booking.Book_Id_Mis, { ...booking, Version: held?.Version ?? 0, source: held?.source ?? 'portal' });
  }

  clear(): void {
    for (const map of [this.locations, this.slots, this.bookings, this.locationsByMo, this.slotsByMo, this.slotsByLocation, this.slotReceivedAt]) map.clear();
  }

  private unindexSlot(slot: FerSlot): void {
    removeFrom(this.slotsByMo, slot.MO_OID, slot.Slot_Id);
    removeFrom(this.slotsByLocation, slot.Location_Id, slot.Slot_Id);
  }
}
