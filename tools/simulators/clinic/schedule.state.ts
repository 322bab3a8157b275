import { EventEmitter } from 'node:events';
import { AppointmentSource, AppointmentStatus, HubErrorCode, type Patient } from '@medbus/hubservice';
import { pick, seededRandom, specialtyRules, type Random, type Region, type SimDoctor, type SimOrganisation, type SimSex } from './region.generator';

export type SlotState = 'free' | 'booked' | 'blocked';

export interface SimBooking {
  readonly idPat: string;
  readonly source: AppointmentSource;
  /** Clinic-local date-time the booking was made. */
  readonly createdAt: string;
}

/**
 * One slot. Start and end are derived on demand rather than stored: the reference region holds over
 * a million slots, and two stored date-time strings per slot would double the simulator's memory.
 */
export class SimSlot {
  state: SlotState = 'free';
  /** The global change counter at this slot's last change: strictly increasing per slot. */
  version = 0;
  booking?: SimBooking;

  constructor(
    readonly id: string,
    readonly idLpu: number,
    readonly idDoc: string,
    /** `YYYY-MM-DD`, clinic-local. */
    readonly date: string,
    readonly startMinute: number,
    readonly minutes: number,
    /** Ticket number within the doctor's day. */
    readonly num: number,
    readonly room: string,
  ) {}

  /** Clinic-local `YYYY-MM-DDTHH:MM:SS`, no offset, as on the wire. */
  get start(): string {
    return localTime(this.date, this.startMinute);
  }

  get end(): string {
    return localTime(this.date, this.startMinute + this.minutes);
  }
}

export type SlotChangeKind = 'opened' | 'booked' | 'freed' | 'blocked' | 'closed';

/** One entry of the change log (`GET /Hub25/changes`). */
export interface SlotChange {
  readonly seq: number;
  readonly idLpu: number;
  readonly idDoc: string;
  readonly idAppointment: string;
  readonly change: SlotChangeKind;
  readonly state: SlotState | 'closed';
  readonly visitStart: string;
}

/** A visit of a patient, for GetPatientHistory. */
export interface SimVisit {
  readonly idLpu: number;
  readonly idPat: string;
  readonly idAppointment: string;
  readonly idDoc: string;
  readonly visitStart: string;
  readonly createdAt: string;
  refused: boolean;
}

/** Emitted for changes made at the clinic (not through HubService): the notifier reports them. */
export interface ClinicEvents {
  booked: [slot: SimSlot, patient: Patient];
  status: [slot: SimSlot, idPat: string, status: AppointmentStatus];
}

/** What the MIS knows of a patient beyond the wire Patient contract. */
export interface PatientFacts {
  /** Unknown when registered without a patronymic or first name that tells. */
  readonly sex?: SimSex;
  /** Attached (прикреплён) to the organisation that holds the record. */
  readonly attached: boolean;
}

export type BookOutcome = { readonly ok: true; readonly slot: SimSlot } | { readonly ok: false; readonly code: HubErrorCode };

export interface ScheduleOptions {
  /** First simulated day, `YYYY-MM-DD`. */
  readonly startDate: string;
  readonly horizonDays: number;
  /** Share of slots already booked when a day opens, 0..1. */
  readonly initialBookedShare: number;
  readonly seed: number;
  readonly changeLogSize?: number;
}

const surnames = ['Орлов', 'Белов', 'Зайцев', 'Фролов', 'Егоров', 'Тихонов', 'Рябов', 'Медведев'];
const names = ['Алексей', 'Мария', 'Ольга', 'Сергей', 'Ирина', 'Дмитрий', 'Анна', 'Павел'];
const femaleNames = new Set(['Мария', 'Ольга', 'Ирина', 'Анна']);

/**
 * The sex a registry clerk would record from the name alone: HubService's Patient has no sex
 * member, so AddNewPatient cannot say it. The patronymic tells (…вич / …вна), else a first name
 * ending in а/я reads as female; anything else stays unknown.
 */
export function sexFromName(patient: Patient): SimSex | undefined {
  const patronymic = (patient.SecondName ?? '').trim().toLowerCase();
  if (/(ич|оглы)$/.test(patronymic)) return 'MALE';
  if (/(на|кызы)$/.test(patronymic)) return 'FEMALE';
  const name = (patient.Name ?? '').trim().toLowerCase();
  if (name === '') return undefined;
  return /[ая]$/.test(name) && !['никита', 'илья', 'фома', 'кузьма', 'лука'].includes(name) ? 'FEMALE' : 'MALE';
}

/** Full years between a birth date and a day (both `YYYY-MM-DD…`), or undefined when the birth date is not one. */
export function ageOn(birthday: string | undefined, date: string): number | undefined {
  const born = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthday ?? '');
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!born || !day) return undefined;
  const years = Number(day[1]) - Number(born[1]);
  return `${day[2]}${day[3]}` < `${born[2]}${born[3]}` ? years - 1 : years;
}

const digitsOf = (value: string | undefined): string => (value ?? '').replace(/\D/g, '');

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function isoWeekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

function localTime(date: string, minute: number): string {
  return [date, 'T', String(Math.floor(minute / 60)).padStart(2, '0'), ':', String(minute % 60).padStart(2, '0'), ':00'].join('');
}

/**
 * The simulator's whole mutable state: the schedule of every doctor over the horizon, patients,
 * bookings and the change log. Single-threaded, so every method is atomic.
 */
export class ScheduleState extends EventEmitter<ClinicEvents> {
  today: string;
  private seq = 0;
  private readonly slots = new Map<string, SimSlot>();
  private readonly slotsByDoctor = new Map<string, Map<string, SimSlot>>();
  private readonly patients = new Map<number, Map<string, Patient>>();
  private readonly facts = new Map<string, PatientFacts>();
  private readonly visits: SimVisit[] = [];
  private readonly activeVisits = new Map<string, SimVisit>();
  private readonly doctorKeys: string[];
  private readonly changes: SlotChange[] = [];
  private readonly sick = new Set<string>();
  /** SNILS changed through the admin API since the start, by `<idLpu>/<idDoc>`; null: taken away. */
  private readonly doctorSnilsChanges = new Map<string, string | null>();
  private readonly random: Random;
  private patientCounter = 0;
  readonly organisations: ReadonlyMap<number, SimOrganisation>;
  readonly doctors: ReadonlyMap<string, SimDoctor>;

  constructor(
    readonly region: Region,
    private readonly options: ScheduleOptions,
  ) {
    super();
    this.random = seededRandom(options.seed ^ 0x5eed);
    this.today = options.startDate;
    this.organisations = new Map(region.organisations.map((o) => [o.idLpu, o]));
    this.doctors = new Map(region.doctors.map((d) => [`${d.idLpu}/${d.idDoc}`, d]));
    this.doctorKeys = region.doctors.map((d) => `${d.idLpu}/${d.idDoc}`);
    for (const o of region.organisations) this.patients.set(o.idLpu, new Map());
    for (let i = 0; i < options.horizonDays; i++) this.openDay(addDays(this.today, i), true);
  }

  get version(): number {
    return this.seq;
  }

  get lastDay(): string {
    return addDays(this.today, this.options.horizonDays - 1);
  }

  doctor(idLpu: number, idDoc: string): SimDoctor | undefined {
    return this.doctors.get(`${idLpu}/${idDoc}`);
  }

  /** The doctor's SNILS as the MIS has it now (`XXX-XXX-XXX YY`), or null when it has none. */
  doctorSnils(doctor: SimDoctor): string | null {
    const key = `${doctor.idLpu}/${doctor.idDoc}`;
    return this.doctorSnilsChanges.has(key) ? (this.doctorSnilsChanges.get(key) ?? null) : doctor.snils;
  }

  /**
   * Records a new SNILS (11 digits, written as the MIS stores it) or none for a doctor: the next
   * GetDoctorList shows it. Undefined for an unknown doctor.
   */
  setDoctorSnils(idLpu: number, idDoc: string, digits: string | null): SimDoctor | undefined {
    const doctor = this.doctor(idLpu, idDoc);
    if (!doctor) return undefined;
    const snils = digits === null ? null : `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)} ${digits.slice(9, 11)}`;
    this.doctorSnilsChanges.set(`${idLpu}/${idDoc}`, snils);
    return doctor;
  }

  slot(idLpu: number, id: string): SimSlot | undefined {
    const slot = this.slots.get(id);
    return slot && slot.idLpu === idLpu ? slot : undefined;
  }

  slotById(id: string): SimSlot | undefined {
    return this.slots.get(id);
  }

  /** Slots of a doctor in time order, optionally only free ones within [from, to] (local date-times). */
  slotsOf(idLpu: number, idDoc: string, filter: { from?: string; to?: string; state?: SlotState } = {}): SimSlot[] {
    const out: SimSlot[] = [];
    for (const slot of this.slotsByDoctor.get(`${idLpu}/${idDoc}`)?.values() ?? []) {
      if (filter.state && slot.state !== filter.state) continue;
      if (filter.from && slot.start < filter.from) continue;
      if (filter.to && slot.start > filter.to) continue;
      out.push(slot);
    }
    return out.sort((a, b) => (a.date === b.date ? a.startMinute - b.startMinute : a.date < b.date ? -1 : 1));
  }

  /** Every slot of an organisation, optionally only those in one state (unsorted: a comparison keys them by id). */
  slotsOfOrganisation(idLpu: number, filter: { state?: SlotState } = {}): SimSlot[] {
    const out: SimSlot[] = [];
    for (const doctor of this.region.doctors) {
      if (doctor.idLpu !== idLpu) continue;
      for (const slot of this.slotsByDoctor.get(`${idLpu}/${doctor.idDoc}`)?.values() ?? []) if (!filter.state || slot.state === filter.state) out.push(slot);
    }
    return out;
  }

  isSick(idLpu: number, idDoc: string, date: string): boolean {
    return this.sick.has(`${idLpu}/${idDoc}/${date}`);
  }

  changesSince(since: number, limit: number): SlotChange[] {
    const out: SlotChange[] = [];
    for (const change of this.changes) {
      if (change.seq <= since) continue;
      out.push(change);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The oldest change still in the log; a poller behind it must re-read everything. */
  get oldestChange(): number {
    return this.changes[0]?.seq ?? this.seq;
  }

  counts(): { slots: number; free: number; booked: number; blocked: number; patients: number; visits: number } {
    let free = 0;
    let booked = 0;
    let blocked = 0;
    for (const slot of this.slots.values()) {
      if (slot.state === 'free') free++;
      else if (slot.state === 'booked') booked++;
      else blocked++;
    }
    let patients = 0;
    for (const map of this.patients.values()) patients += map.size;
    return { slots: this.slots.size, free, booked, blocked, patients, visits: this.visits.length };
  }

  // ---- patients ----

  findPatients(idLpu: number, query: Patient): string[] {
    const map = this.patients.get(idLpu);
    if (!map) return [];
    const norm = (s?: string) => (s ?? '').trim().toLowerCase();
    const out: string[] = [];
    // The strongest identifier given decides: policy, else SNILS (digits only), else name and birth date.
    const policy = norm(query.Polis_N);
    const snils = digitsOf(query.Snils);
    for (const [id, p] of map) {
      const byName =
        norm(query.Surname) !== '' &&
        norm(p.Surname) === norm(query.Surname) &&
        norm(p.Name) === norm(query.Name) &&
        (query.Birthday ?? '').slice(0, 10) === (p.Birthday ?? '').slice(0, 10);
      const matches = policy !== '' ? norm(p.Polis_N) === policy : snils !== '' ? digitsOf(p.Snils) === snils : byName;
      if (matches) out.push(id);
    }
    return out;
  }

  patient(idLpu: number, idPat: string): Patient | undefined {
    return this.patients.get(idLpu)?.get(idPat);
  }

  /** What the MIS knows of a patient beyond the wire contract, or undefined for an unknown one. */
  patientFacts(idLpu: number, idPat: string): PatientFacts | undefined {
    return this.patient(idLpu, idPat) ? this.facts.get(`${idLpu}/${idPat}`) : undefined;
  }

  /**
   * Registers a patient at the organisation (AddNewPatient), attached to it unless told otherwise:
   * a clinic registering a patient takes their attachment statement at the same desk.
   */
  addPatient(idLpu: number, patient: Patient, facts: Partial<PatientFacts> = {}): string {
    const map = this.patients.get(idLpu);
    if (!map) throw new Error(`unknown organisation ${idLpu}`);
    const idPat = `P${idLpu}-${++this.patientCounter}`;
    map.set(idPat, { ...patient, IdPat: idPat });
    this.facts.set(`${idLpu}/${idPat}`, { sex: facts.sex ?? sexFromName(patient), attached: facts.attached ?? true });
    return idPat;
  }

  // ---- booking through HubService ----

  book(idLpu: number, id: string, idPat: string, source: AppointmentSource, idAppointmentPrev?: string): BookOutcome {
    if (!this.patient(idLpu, idPat)) return { ok: false, code: HubErrorCode.PatientNotFound };
    const slot = this.slot(idLpu, id);
    if (!slot || slot.state === 'blocked') return { ok: false, code: HubErrorCode.NoAppointmentAtTime };
    if (slot.state === 'booked') return { ok: false, code: slot.booking?.idPat === idPat ? HubErrorCode.PatientAlreadyBooked : HubErrorCode.SlotTaken };
    let previous: SimSlot | undefined;
    if (idAppointmentPrev) {
      previous = this.slot(idLpu, idAppointmentPrev);
      if (!previous || previous.state !== 'booked' || previous.booking?.idPat !== idPat) return { ok: false, code: HubErrorCode.BookingNotFound };
    }
    const refusal = this.eligibility(idLpu, idPat, slot);
    if (refusal) return { ok: false, code: refusal };
    const sameDay = this.slotsOf(idLpu, slot.idDoc, { from: `${slot.date}T00:00:00`, to: `${slot.date}T23:59:59`, state: 'booked' });
    if (sameDay.some((s) => s.booking?.idPat === idPat && s !== previous)) return { ok: false, code: HubErrorCode.PatientAlreadyBooked };
    if (previous) this.release(previous, true);
    this.occupy(slot, idPat, source);
    return { ok: true, slot };
  }

  /** 304 when the patient does not fit the doctor's sex or age rule, 310 when the specialty needs attachment the patient lacks. */
  private eligibility(idLpu: number, idPat: string, slot: SimSlot): HubErrorCode | undefined {
    const doctor = this.doctor(idLpu, slot.idDoc);
    const rule = doctor ? specialtyRules[doctor.specialtyCode] : undefined;
    if (!rule) return undefined;
    const facts = this.patientFacts(idLpu, idPat);
    if (rule.sex && facts?.sex && facts.sex !== rule.sex) return HubErrorCode.PatientDoesNotFitDoctor;
    const age = ageOn(this.patient(idLpu, idPat)?.Birthday, slot.date);
    if (age !== undefined && ((rule.minAge !== undefined && age < rule.minAge) || (rule.maxAge !== undefined && age > rule.maxAge))) {
      return HubErrorCode.PatientDoesNotFitDoctor;
    }
    if (rule.attachmentRequired && !facts?.attached) return HubErrorCode.PatientNotAttached;
    return undefined;
  }

  /** Cancels a patient's booking (CreateClaimForRefusal). */
  cancel(idLpu: number, id: string, idPat: string): BookOutcome {
    const slot = this.slot(idLpu, id);
    if (!slot || slot.state !== 'booked' || slot.booking?.idPat !== idPat) return { ok: false, code: HubErrorCode.BookingNotFound };
    this.release(slot, true);
    return { ok: true, slot };
  }

  historyOf(idLpu: number, idPat: string): SimVisit[] {
    return this.visits.filter((v) => v.idLpu === idLpu && v.idPat === idPat);
  }

  // ---- life at the clinic ----

  /** A front-desk booking of a given slot or, without one, of a random free slot. Undefined when none is free. */
  walkIn(id?: string): SimSlot | undefined {
    const slot = id ? this.slots.get(id) : this.randomSlot('free');
    if (!slot || slot.state !== 'free') return undefined;
    const idPat = this.syntheticPatient(slot.idLpu);
    this.occupy(slot, idPat, AppointmentSource.frontDesk);
    this.emit('booked', slot, this.patient(slot.idLpu, idPat) ?? {});
    return slot;
  }

  /** A patient phones the front desk and cancels a random booking. */
  frontDeskCancel(): SimSlot | undefined {
    const slot = this.randomSlot('booked');
    const idPat = slot?.booking?.idPat;
    if (!slot || !idPat) return undefined;
    this.release(slot, true);
    this.emit('status', slot, idPat, AppointmentStatus.cancelledByPatient);
    return slot;
  }

  /** The doctor is ill on `date`: free slots are blocked, bookings cancelled by the clinic. */
  sickDay(idLpu: number, idDoc: string, date: string): number {
    this.sick.add(`${idLpu}/${idDoc}/${date}`);
    let changed = 0;
    for (const slot of this.slotsOf(idLpu, idDoc, { from: `${date}T00:00:00`, to: `${date}T23:59:59` })) {
      const idPat = slot.booking?.idPat;
      if (slot.state === 'booked' && idPat) {
        this.release(slot, true);
        this.emit('status', slot, idPat, AppointmentStatus.cancelledByClinic);
      }
      if (slot.state !== 'blocked') {
        slot.state = 'blocked';
        this.touch(slot, 'blocked');
        changed++;
      }
    }
    return changed;
  }

  /**
   * The clinic edits a doctor's schedule and the slot is gone (a shortened reception, a deleted
   * ticket). HubService lists free appointments only, so a caller sees it vanish as a booked one does.
   */
  removeSlot(id: string): SimSlot | undefined {
    const slot = this.slots.get(id);
    if (!slot) return undefined;
    this.slots.delete(id);
    this.slotsByDoctor.get(`${slot.idLpu}/${slot.idDoc}`)?.delete(id);
    this.activeVisits.delete(id);
    this.touch(slot, 'closed');
    return slot;
  }

  /** Night: yesterday's slots leave the schedule, a new day opens at the end of the horizon. */
  advanceDay(): { closed: number; opened: number } {
    let closed = 0;
    for (const slot of [...this.slots.values()]) {
      if (slot.date !== this.today) continue;
      this.slots.delete(slot.id);
      this.slotsByDoctor.get(`${slot.idLpu}/${slot.idDoc}`)?.delete(slot.id);
      this.activeVisits.delete(slot.id);
      this.touch(slot, 'closed');
      closed++;
    }
    this.today = addDays(this.today, 1);
    const opened = this.openDay(this.lastDay, false);
    return { closed, opened };
  }

  // ---- internals ----

  private openDay(date: string, initial: boolean): number {
    let opened = 0;
    const weekday = isoWeekday(date);
    // Near days are busier than far ones, as in any real schedule.
    const distance = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${this.today}T00:00:00Z`)) / 86_400_000);
    const share = this.options.initialBookedShare * Math.max(0.2, 1 - distance / this.options.horizonDays);
    for (const doctor of this.region.doctors) {
      if (!doctor.weekdays.includes(weekday)) continue;
      let num = 0;
      for (let m = doctor.startMinute; m + doctor.slotMinutes <= doctor.endMinute; m += doctor.slotMinutes) {
        const time = localTime(date, m);
        // join() builds a flat string; template concatenation would keep a rope per id.
        const id = [doctor.idDoc, '-', date.slice(0, 4), date.slice(5, 7), date.slice(8, 10), time.slice(11, 13), time.slice(14, 16)].join('');
        const slot = new SimSlot(id, doctor.idLpu, doctor.idDoc, date, m, doctor.slotMinutes, ++num, doctor.room);
        this.slots.set(slot.id, slot);
        const key = `${slot.idLpu}/${slot.idDoc}`;
        const own = this.slotsByDoctor.get(key) ?? new Map<string, SimSlot>();
        own.set(slot.id, slot);
        this.slotsByDoctor.set(key, own);
        this.touch(slot, 'opened');
        opened++;
        if (this.random() < share) this.occupyQuietly(slot, initial ? AppointmentSource.frontDesk : AppointmentSource.doctor);
      }
    }
    return opened;
  }

  /** A random slot in `state`: sampled through random doctors first, so it stays cheap with millions of slots. */
  private randomSlot(state: SlotState): SimSlot | undefined {
    for (let attempt = 0; attempt < 20; attempt++) {
      const own = this.slotsByDoctor.get(pick(this.random, this.doctorKeys));
      const candidates = own ? [...own.values()].filter((s) => s.state === state) : [];
      if (candidates.length > 0) return pick(this.random, candidates);
    }
    const candidates = [...this.slots.values()].filter((s) => s.state === state);
    return candidates.length === 0 ? undefined : pick(this.random, candidates);
  }

  /** A walk-in's patient: sex follows the first name; nine in ten are attached to the clinic (no extra draws, so seeds replay as before). */
  private syntheticPatient(idLpu: number): string {
    const year = 1940 + Math.floor(this.random() * 80);
    const policy = String(2300000000000000 + Math.floor(this.random() * 99999999999)).padStart(16, '0');
    const surname = pick(this.random, surnames);
    const name = pick(this.random, names);
    const female = femaleNames.has(name);
    return this.addPatient(
      idLpu,
      {
        Surname: female ? `${surname}а` : surname,
        Name: name,
        SecondName: female ? 'Ивановна' : 'Иванович',
        Birthday: `${year}-0${1 + Math.floor(this.random() * 9)}-1${Math.floor(this.random() * 9)}T00:00:00`,
        Polis_N: policy,
        CellPhone: `+7918${String(Math.floor(this.random() * 1e7)).padStart(7, '0')}`,
      },
      { sex: female ? 'FEMALE' : 'MALE', attached: Number(policy.slice(-1)) !== 0 },
    );
  }

  /**
   * A booking made before anyone watched (a day's opening share): the patient is only an id, with no
   * record or history, so a million-slot region stays small. Such an id answers 302 when asked about.
   */
  private occupyQuietly(slot: SimSlot, source: AppointmentSource): void {
    slot.state = 'booked';
    slot.booking = { idPat: ['P', slot.idLpu, '-', ++this.patientCounter].join(''), source, createdAt: `${this.today}T09:00:00` };
    this.touch(slot, 'booked');
  }

  private occupy(slot: SimSlot, idPat: string, source: AppointmentSource): void {
    const createdAt = `${this.today}T09:00:00`;
    slot.state = 'booked';
    slot.booking = { idPat, source, createdAt };
    const visit: SimVisit = { idLpu: slot.idLpu, idPat, idAppointment: slot.id, idDoc: slot.idDoc, visitStart: slot.start, createdAt, refused: false };
    this.visits.push(visit);
    this.activeVisits.set(slot.id, visit);
    this.touch(slot, 'booked');
  }

  private release(slot: SimSlot, refused: boolean): void {
    const visit = this.activeVisits.get(slot.id);
    if (visit) visit.refused = refused;
    this.activeVisits.delete(slot.id);
    slot.state = 'free';
    delete slot.booking;
    this.touch(slot, 'freed');
  }

  private touch(slot: SimSlot, change: SlotChangeKind): void {
    slot.version = ++this.seq;
    this.changes.push({
      seq: slot.version,
      idLpu: slot.idLpu,
      idDoc: slot.idDoc,
      idAppointment: slot.id,
      change,
      state: change === 'closed' ? 'closed' : slot.state,
      visitStart: slot.start,
    });
    const limit = this.options.changeLogSize ?? 100_000;
    if (this.changes.length > limit * 1.1) this.changes.splice(0, this.changes.length - limit);
  }
}
