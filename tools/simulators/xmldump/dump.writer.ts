import { localSpecialties, type SimDoctor, type SimOrganisation } from '../clinic/region.generator';
import type { ScheduleState, SimSlot } from '../clinic/schedule.state';

export const scheduleNamespace = 'urn:xmldump:schedule:1';

export type DumpKind = 'full' | 'partial';

/** Doctor-days by `<idLpu>/<idDoc>`: the dates (`YYYY-MM-DD`) a partial dump lists for that doctor. */
export type DoctorDays = ReadonlyMap<string, ReadonlySet<string>>;

export type DumpSpec = {
  readonly seq: number;
  /** Wall-clock time of the dump, ISO 8601 with offset. */
  readonly generated: string;
  /** Fault: the End element claims one ticket more than the dump holds. */
  readonly miscount?: boolean;
} & ({ readonly kind: 'full' } | { readonly kind: 'partial'; readonly base: number; readonly changed: DoctorDays });

export interface DumpCounts {
  readonly clinics: number;
  readonly doctors: number;
  readonly days: number;
  readonly tickets: number;
}

/** Where a dump goes, a chunk at a time; `write` resolves when the sink can take more. */
export interface DumpSink {
  write(text: string): Promise<void>;
}

/** The vendor's ticket states: `closed` is a blocked ticket (the doctor's sick day). */
export const ticketStateOf = { free: 'free', booked: 'busy', blocked: 'closed' } as const satisfies Record<SimSlot['state'], string>;

const specialtyByCode = new Map(localSpecialties.map((s) => [s.code, s]));

const escapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

export function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function clinicOpen(state: ScheduleState, org: SimOrganisation): string {
  const district = state.region.districts.find((d) => d.idDistrict === org.idDistrict);
  return [
    `<Clinic code="${org.idLpu}" oid="${escapeXml(org.oid)}" tz="${escapeXml(org.timeZone)}" active="true">`,
    `<Name>${escapeXml(org.fullName)}</Name>`,
    `<ShortName>${escapeXml(org.shortName)}</ShortName>`,
    district ? `<District code="${district.idDistrict}" okato="${String(district.okato).padStart(11, '0')}">${escapeXml(district.name)}</District>` : '',
    `<Address>${escapeXml(org.address)}</Address>\n`,
  ].join('');
}

function doctorOpen(state: ScheduleState, doctor: SimDoctor): string {
  const snils = state.doctorSnils(doctor)?.replace(/\D/g, '');
  const specialty = specialtyByCode.get(doctor.specialtyCode);
  const nsi = specialty?.nsi ? ` nsi="${escapeXml(specialty.nsi)}"` : '';
  return [
    `<Doctor code="${escapeXml(doctor.idDoc)}"${snils ? ` snils="${snils}"` : ''}>`,
    `<Name>${escapeXml(doctor.name)}</Name>`,
    `<Specialty code="${escapeXml(doctor.specialtyCode)}"${nsi}>${escapeXml(specialty?.name ?? doctor.specialtyCode)}</Specialty>\n`,
  ].join('');
}

function ticket(slot: SimSlot): string {
  return `<Ticket id="${escapeXml(slot.id)}" time="${hhmm(slot.startMinute)}" minutes="${slot.minutes}" room="${escapeXml(slot.room)}" state="${ticketStateOf[slot.state]}"/>\n`;
}

/** A Day element with its tickets (already in time order), or an empty one. */
function day(date: string, slots: readonly SimSlot[]): string {
  if (slots.length === 0) return `<Day date="${date}"/>\n`;
  return `<Day date="${date}">\n${slots.map(ticket).join('')}</Day>\n`;
}

/**
 * Writes one schedule dump to `sink`, a doctor at a time (never the whole dump in memory), and
 * returns what its End element counts. A full dump lists every clinic and doctor and every doctor-day
 * with tickets; a partial one the doctor-days of `changed` within the horizon, each complete, an
 * empty Day for one that has no tickets left, under their clinics and doctors.
 */
export async function writeDump(state: ScheduleState, spec: DumpSpec, sink: DumpSink): Promise<DumpCounts> {
  const from = state.today;
  const to = state.lastDay;
  const base = spec.kind === 'partial' ? ` base="${spec.base}"` : '';
  await sink.write(
    `<?xml version="1.0" encoding="UTF-8"?>\n<ScheduleDump xmlns="${scheduleNamespace}" kind="${spec.kind}" seq="${spec.seq}"${base} generated="${escapeXml(spec.generated)}" from="${from}" to="${to}">\n`,
  );
  let clinics = 0;
  let doctors = 0;
  let days = 0;
  let tickets = 0;
  const datesOf = (doctor: SimDoctor): string[] =>
    spec.kind === 'partial' ? [...(spec.changed.get(`${doctor.idLpu}/${doctor.idDoc}`) ?? [])].filter((d) => d >= from && d <= to).sort() : [];
  const doctorsByClinic = new Map<number, SimDoctor[]>();
  for (const doctor of state.region.doctors) {
    if (spec.kind === 'partial' && datesOf(doctor).length === 0) continue;
    const list = doctorsByClinic.get(doctor.idLpu) ?? [];
    list.push(doctor);
    doctorsByClinic.set(doctor.idLpu, list);
  }
  for (const org of state.region.organisations) {
    const own = doctorsByClinic.get(org.idLpu);
    if (spec.kind === 'partial' && !own) continue;
    clinics++;
    await sink.write(clinicOpen(state, org));
    for (const doctor of own ?? []) {
      doctors++;
      const parts = [doctorOpen(state, doctor)];
      if (spec.kind === 'full') {
        let current: SimSlot[] = [];
        for (const slot of state.slotsOf(doctor.idLpu, doctor.idDoc)) {
          if (current.length > 0 && current[0]?.date !== slot.date) {
            parts.push(day(current[0]?.date ?? '', current));
            days++;
            tickets += current.length;
            current = [];
          }
          current.push(slot);
        }
        if (current.length > 0) {
          parts.push(day(current[0]?.date ?? '', current));
          days++;
          tickets += current.length;
        }
      } else {
        for (const date of datesOf(doctor)) {
          const slots = state.slotsOf(doctor.idLpu, doctor.idDoc, { from: `${date}T00:00:00`, to: `${date}T23:59:59` });
          parts.push(day(date, slots));
          days++;
          tickets += slots.length;
        }
      }
      parts.push('</Doctor>\n');
      await sink.write(parts.join(''));
    }
    await sink.write('</Clinic>\n');
  }
  const counts = { clinics, doctors, days, tickets };
  await sink.write(`<End clinics="${clinics}" doctors="${doctors}" days="${days}" tickets="${spec.miscount ? tickets + 1 : tickets}"/>\n</ScheduleDump>\n`);
  return counts;
}

/** The doctor-days touched by the state's changes after `since`; undefined when the change log no longer reaches back that far. */
export function changedDoctorDays(state: ScheduleState, since: number): DoctorDays | undefined {
  if (since < state.oldestChange - 1) return undefined;
  const changed = new Map<string, Set<string>>();
  for (let cursor = since; ; ) {
    const batch = state.changesSince(cursor, 10_000);
    for (const change of batch) {
      const key = `${change.idLpu}/${change.idDoc}`;
      const dates = changed.get(key) ?? new Set<string>();
      dates.add(change.visitStart.slice(0, 10));
      changed.set(key, dates);
    }
    const last = batch.at(-1);
    if (!last || batch.length < 10_000) break;
    cursor = last.seq;
  }
  return changed;
}
