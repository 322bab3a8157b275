import type { SimDoctor, SimOrganisation } from '../clinic/region.generator';
import type { ScheduleState, SimSlot } from '../clinic/schedule.state';
import type { ChangeTracker } from './change.tracker';
import {
  changeView,
  facilityView,
  parseFacilityId,
  parsePractitionerId,
  parseSlotId,
  practitionerView,
  slotView,
  specialtiesView,
} from './medrest.mapper';
import { decodeFeedCursor, encodeFeedCursor, pageSizeOf, paginate, type Page } from './page.cursor';
import { ProblemError } from './problem.errors';

/** Widest `from`..`to` a slot listing accepts, in days. */
export const maxSlotWindowDays = 62;

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

const pad = (n: number): string => String(n).padStart(8, '0');

function dayCount(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function dateParameter(query: URLSearchParams, name: string, fallback: string): string {
  const value = query.get(name) ?? fallback;
  if (!isoDate.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new ProblemError('validation_failed', `${name} must be a date, YYYY-MM-DD.`, { errors: [{ field: name, message: 'YYYY-MM-DD' }] });
  }
  return value;
}

/** The read side of the API: facilities, practitioners, slots and the change feed. */
export class ScheduleQuery {
  private readonly doctorIndex: ReadonlyMap<SimDoctor, number>;

  constructor(
    private readonly state: ScheduleState,
    private readonly tracker: ChangeTracker,
    /** Names this run of the simulator in change-feed cursors: a restarted simulator's log starts over. */
    private readonly run: string,
  ) {
    this.doctorIndex = new Map(state.region.doctors.map((d, i) => [d, i]));
  }

  facilities(query: URLSearchParams): Page<Record<string, unknown>> {
    const page = paginate(this.state.region.organisations, (o) => pad(o.idLpu), 'facilities', { limit: query.get('limit'), cursor: query.get('cursor') });
    return { ...page, data: page.data.map((o) => this.facilityOf(o)) };
  }

  facility(id: string): Record<string, unknown> {
    return this.facilityOf(this.organisation(id));
  }

  practitioners(facility: string, query: URLSearchParams): Page<Record<string, unknown>> {
    const org = this.organisation(facility);
    const doctors = this.state.region.doctors.filter((d) => d.idLpu === org.idLpu);
    const page = paginate(doctors, (d) => pad(this.doctorIndex.get(d) ?? 0), `practitioners:${org.idLpu}`, { limit: query.get('limit'), cursor: query.get('cursor') });
    return { ...page, data: page.data.map((d) => practitionerView(d, this.state.doctorSnils(d))) };
  }

  practitioner(id: string): Record<string, unknown> {
    const doctor = this.doctor(id);
    return practitionerView(doctor, this.state.doctorSnils(doctor));
  }

  /** Every slot of a practitioner from `from` to `to` (clinic-local dates, inclusive), in time order. */
  slots(practitioner: string, query: URLSearchParams): Page<Record<string, unknown>> {
    const doctor = this.doctor(practitioner);
    const from = dateParameter(query, 'from', this.state.today);
    const to = dateParameter(query, 'to', this.state.lastDay);
    const days = dayCount(from, to);
    if (days < 0 || days >= maxSlotWindowDays) {
      throw new ProblemError('validation_failed', `to must be on or after from, at most ${maxSlotWindowDays} days in all.`, { errors: [{ field: 'to', message: 'window' }] });
    }
    const slots = this.state.slotsOf(doctor.idLpu, doctor.idDoc, { from: `${from}T00:00:00`, to: `${to}T23:59:59` });
    const org = this.state.organisations.get(doctor.idLpu) as SimOrganisation;
    const page = paginate(slots, (s) => `${s.date}${String(s.startMinute).padStart(4, '0')}`, `slots:${doctor.idLpu}/${doctor.idDoc}:${from}:${to}`, {
      limit: query.get('limit'),
      cursor: query.get('cursor'),
    });
    return { ...page, data: page.data.map((s) => slotView(s, org, this.tracker.updatedAt(s.version))) };
  }

  slot(id: string): Record<string, unknown> {
    const slot = this.slotOf(id);
    return slotView(slot, this.state.organisations.get(slot.idLpu) as SimOrganisation, this.tracker.updatedAt(slot.version));
  }

  /**
   * The change feed after `since`. Without `since`: no changes and a cursor at the head, to follow
   * from now. `reset`: the cursor is older than the feed keeps (or from an earlier run); read the
   * listings again, then follow from the cursor answered.
   */
  changes(query: URLSearchParams): Page<Record<string, unknown>> & { readonly reset: boolean; readonly has_more: boolean } {
    const size = pageSizeOf(query.get('limit'));
    const since = query.get('since');
    const head = { data: [], next_cursor: encodeFeedCursor(this.run, this.state.version), has_more: false };
    if (since === null) return { ...head, reset: false };
    const { run, seq } = decodeFeedCursor(since);
    if (run !== this.run || seq > this.state.version || seq < this.state.oldestChange - 1) return { ...head, reset: true };
    const changes = this.state.changesSince(seq, size);
    const data = changes.map((c) => changeView(c, this.state.organisations.get(c.idLpu) as SimOrganisation, this.tracker.updatedAt(c.seq)));
    return { data, next_cursor: encodeFeedCursor(this.run, changes.at(-1)?.seq ?? seq), reset: false, has_more: changes.length === size };
  }

  specialties(): Page<Record<string, unknown>> {
    return { data: specialtiesView(), next_cursor: null };
  }

  slotOf(id: string): SimSlot {
    const modelId = parseSlotId(id);
    const slot = modelId === undefined ? undefined : this.state.slotById(modelId);
    if (!slot) throw new ProblemError('slot_not_found', 'No slot with this id is in the schedule.');
    return slot;
  }

  private facilityOf(org: SimOrganisation): Record<string, unknown> {
    return facilityView(org, this.state.region.districts.find((d) => d.idDistrict === org.idDistrict));
  }

  private organisation(id: string): SimOrganisation {
    const idLpu = parseFacilityId(id);
    const org = idLpu === undefined ? undefined : this.state.organisations.get(idLpu);
    if (!org) throw new ProblemError('facility_not_found', 'No facility with this id.');
    return org;
  }

  private doctor(id: string): SimDoctor {
    const key = parsePractitionerId(id);
    const doctor = key === undefined ? undefined : this.state.doctor(key.idLpu, key.idDoc);
    if (!doctor) throw new ProblemError('practitioner_not_found', 'No practitioner with this id.');
    return doctor;
  }
}
