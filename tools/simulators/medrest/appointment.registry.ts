import type { ScheduleState, SimSlot } from '../clinic/schedule.state';

export type AppointmentStatus = 'booked' | 'cancelled' | 'completed';
export type CancelledBy = 'patient' | 'clinic';

/** An appointment made through the API. Its slot is kept: the slot's time stays known after the day has closed. */
export interface AppointmentRecord {
  readonly id: string;
  readonly idLpu: number;
  readonly idPat: string;
  readonly slot: SimSlot;
  /** The slot's version when booked: while the booking stands, the slot does not change. */
  readonly version: number;
  readonly createdAt: string;
  readonly replacesId: string | null;
  status: AppointmentStatus;
  cancelledAt: string | null;
  cancelledBy: CancelledBy | null;
  replacedById: string | null;
}

/**
 * MedREST's appointments: its own ids (`apt-<n>`), never reused, unlike slot ids a slot keeps
 * through many bookings. The clinic model knows bookings only as booked slots; this registry keeps
 * what the API promised about each one and settles them when the clinic changes the slot.
 */
export class AppointmentRegistry {
  private counter = 0;
  private readonly byId = new Map<string, AppointmentRecord>();
  private readonly activeBySlot = new Map<string, AppointmentRecord>();
  private readonly byPatient = new Map<string, AppointmentRecord[]>();

  constructor(private readonly state: ScheduleState) {}

  record(slot: SimSlot, idPat: string, at: string, replaces: AppointmentRecord | undefined): AppointmentRecord {
    const record: AppointmentRecord = {
      id: `apt-${++this.counter}`,
      idLpu: slot.idLpu,
      idPat,
      slot,
      version: slot.version,
      createdAt: at,
      replacesId: replaces?.id ?? null,
      status: 'booked',
      cancelledAt: null,
      cancelledBy: null,
      replacedById: null,
    };
    if (replaces) {
      this.end(replaces, 'cancelled', at, 'patient');
      replaces.replacedById = record.id;
    }
    this.byId.set(record.id, record);
    this.activeBySlot.set(slot.id, record);
    const key = `${slot.idLpu}/${idPat}`;
    this.byPatient.set(key, [...(this.byPatient.get(key) ?? []), record]);
    return record;
  }

  get(id: string): AppointmentRecord | undefined {
    return this.byId.get(id);
  }

  /** The appointment holding the slot now, if it was made through the API. */
  activeOn(slotIdOfModel: string): AppointmentRecord | undefined {
    return this.activeBySlot.get(slotIdOfModel);
  }

  /** A patient's appointments, oldest first. */
  ofPatient(idLpu: number, idPat: string): readonly AppointmentRecord[] {
    return this.byPatient.get(`${idLpu}/${idPat}`) ?? [];
  }

  cancelledByPatient(record: AppointmentRecord, at: string): void {
    this.end(record, 'cancelled', at, 'patient');
  }

  /**
   * The clinic changed the slot: an appointment that no longer holds it ended, completed when its day
   * has closed, else cancelled by the clinic (a sick day, a front-desk cancellation, a removed slot).
   */
  settle(slotIdOfModel: string, at: string): void {
    const record = this.activeBySlot.get(slotIdOfModel);
    if (!record) return;
    const slot = record.slot;
    const holds = this.state.slotById(slot.id) === slot && slot.state === 'booked' && slot.booking?.idPat === record.idPat && slot.version === record.version;
    if (holds) return;
    if (this.state.slotById(slot.id) === undefined && slot.date < this.state.today) this.end(record, 'completed', at, null);
    else this.end(record, 'cancelled', at, 'clinic');
  }

  /** Settles every active appointment: for when the changes since the last look are no longer all known. */
  settleAll(at: string): void {
    for (const slotIdOfModel of [...this.activeBySlot.keys()]) this.settle(slotIdOfModel, at);
  }

  private end(record: AppointmentRecord, status: Exclude<AppointmentStatus, 'booked'>, at: string, by: CancelledBy | null): void {
    record.status = status;
    record.cancelledAt = status === 'cancelled' ? at : null;
    record.cancelledBy = by;
    if (this.activeBySlot.get(record.slot.id) === record) this.activeBySlot.delete(record.slot.id);
  }
}
