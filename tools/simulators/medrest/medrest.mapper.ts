import type { Patient } from '@medbus/hubservice';
import { localPositions, localSpecialties, specialtyRules, type SimDistrict, type SimDoctor, type SimOrganisation } from '../clinic/region.generator';
import type { PatientFacts, SimSlot, SlotChange, SlotState } from '../clinic/schedule.state';

/**
 * MedREST's ids are the clinic model's, prefixed: a facility is `fac-<idLpu>`, a practitioner
 * `prc-<idLpu>-<idDoc>`, a slot `slt-<slot id>` (unique in the region), a patient `pat-<idLpu>-<idPat>`.
 */
export const facilityId = (idLpu: number): string => `fac-${idLpu}`;
export const practitionerId = (idLpu: number, idDoc: string): string => `prc-${idLpu}-${idDoc}`;
export const slotId = (modelSlotId: string): string => `slt-${modelSlotId}`;
export const patientId = (idLpu: number, idPat: string): string => `pat-${idLpu}-${idPat}`;

export function parseFacilityId(id: string): number | undefined {
  const match = /^fac-(\d{1,6})$/.exec(id);
  return match ? Number(match[1]) : undefined;
}

export function parsePractitionerId(id: string): { readonly idLpu: number; readonly idDoc: string } | undefined {
  const match = /^prc-(\d{1,6})-([A-Za-z0-9]{1,32})$/.exec(id);
  return match ? { idLpu: Number(match[1]), idDoc: match[2] as string } : undefined;
}

export function parseSlotId(id: string): string | undefined {
  return /^slt-[A-Za-z0-9-]{1,64}$/.test(id) ? id.slice(4) : undefined;
}

export function parsePatientId(id: string): { readonly idLpu: number; readonly idPat: string } | undefined {
  const match = /^pat-(\d{1,6})-([A-Za-z0-9-]{1,40})$/.exec(id);
  return match ? { idLpu: Number(match[1]), idPat: match[2] as string } : undefined;
}

const offsets = new Map<string, string>();

/**
 * The UTC offset (`+03:00`) of a zone on a clinic-local date. Russia has kept no daylight saving
 * time since 2014, so one offset per zone and day is exact for the region's zones.
 */
export function offsetOn(timeZone: string, date: string): string {
  const key = `${timeZone}|${date}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(`${date}T12:00:00Z`))
    .find((part) => part.type === 'timeZoneName')?.value;
  const offset = name === undefined || name === 'GMT' ? '+00:00' : name.replace('GMT', '');
  offsets.set(key, offset);
  return offset;
}

/** A clinic-local `YYYY-MM-DDTHH:MM:SS` as ISO 8601 with the clinic's offset. */
export const withOffset = (local: string, timeZone: string): string => `${local}${offsetOn(timeZone, local.slice(0, 10))}`;

export type WireSlotStatus = 'available' | 'booked' | 'blocked';

export const wireStatusOf = (state: SlotState): WireSlotStatus => (state === 'free' ? 'available' : state);

const specialtyByCode = new Map(localSpecialties.map((s) => [s.code, s]));
const positionByCode = new Map(localPositions.map((p) => [p.code, p]));

export function facilityView(org: SimOrganisation, district: SimDistrict | undefined): Record<string, unknown> {
  return {
    id: facilityId(org.idLpu),
    registry_oid: org.oid,
    name: org.fullName,
    short_name: org.shortName,
    district: district ? { code: String(district.okato), name: district.name } : null,
    time_zone: org.timeZone,
    address: org.address,
    active: true,
  };
}

export function specialtyView(code: string): { code: string; name: string; nsi: string | null } {
  const specialty = specialtyByCode.get(code);
  return { code, name: specialty?.name ?? code, nsi: specialty?.nsi ?? null };
}

export function practitionerView(doctor: SimDoctor, snils: string | null): Record<string, unknown> {
  const position = positionByCode.get(doctor.positionCode);
  return {
    id: practitionerId(doctor.idLpu, doctor.idDoc),
    facility_id: facilityId(doctor.idLpu),
    name: doctor.name,
    snils,
    specialty: specialtyView(doctor.specialtyCode),
    position: { code: doctor.positionCode, name: position?.name ?? doctor.positionCode, nsi: position?.nsi ?? null },
    room: doctor.room,
  };
}

/** The specialties dictionary with the booking restrictions MedREST enforces. */
export function specialtiesView(): Record<string, unknown>[] {
  return localSpecialties.map((s) => {
    const rule = specialtyRules[s.code];
    return {
      ...specialtyView(s.code),
      restrictions: {
        sex: rule?.sex === undefined ? null : rule.sex.toLowerCase(),
        min_age: rule?.minAge ?? null,
        max_age: rule?.maxAge ?? null,
        attachment_required: rule?.attachmentRequired ?? false,
      },
    };
  });
}

export function slotView(slot: SimSlot, org: SimOrganisation, updatedAt: string): Record<string, unknown> {
  return {
    id: slotId(slot.id),
    facility_id: facilityId(slot.idLpu),
    practitioner_id: practitionerId(slot.idLpu, slot.idDoc),
    start: withOffset(slot.start, org.timeZone),
    end: withOffset(slot.end, org.timeZone),
    duration_minutes: slot.minutes,
    status: wireStatusOf(slot.state),
    room: slot.room,
    ticket_number: slot.num,
    revision: slot.version,
    updated_at: updatedAt,
  };
}

export function changeView(change: SlotChange, org: SimOrganisation, updatedAt: string): Record<string, unknown> {
  return {
    revision: change.seq,
    slot_id: slotId(change.idAppointment),
    facility_id: facilityId(change.idLpu),
    practitioner_id: practitionerId(change.idLpu, change.idDoc),
    change: change.change === 'closed' ? 'deleted' : change.change,
    status: change.state === 'closed' ? 'deleted' : wireStatusOf(change.state),
    start: withOffset(change.visitStart, org.timeZone),
    updated_at: updatedAt,
  };
}

export function patientView(idLpu: number, idPat: string, patient: Patient, facts: PatientFacts): Record<string, unknown> {
  return {
    id: patientId(idLpu, idPat),
    facility_id: facilityId(idLpu),
    family_name: patient.Surname ?? null,
    given_name: patient.Name ?? null,
    middle_name: patient.SecondName ?? null,
    birth_date: patient.Birthday?.slice(0, 10) ?? null,
    sex: facts.sex === undefined ? null : facts.sex.toLowerCase(),
    policy_number: patient.Polis_N ?? null,
    snils: patient.Snils ?? null,
    phone: patient.CellPhone ?? null,
    attached: facts.attached,
  };
}

/** SNILS as MedREST stores it, `XXX-XXX-XXX YY`, from 11 digits with any punctuation. */
export function snilsFormatted(value: string): string {
  const d = value.replace(/\D/g, '');
  return `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6, 9)} ${d.slice(9, 11)}`;
}
