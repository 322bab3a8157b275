import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { BookingChannel } from '@medbus/contracts';
import type { RuleRefusal } from '../booking.errors';

export interface BookRequest {
  readonly slotId: string;
  readonly patientId: string;
  /** A hold (or waitlist offer) the caller took on the slot; without one the slot must be unheld. */
  readonly holdId?: string;
  /** The specialty the patient asked for; refused when the slot's resource does not provide it. */
  readonly specialtyCode?: string;
}

export const appointmentStatuses = ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLING', 'CANCELLED', 'RESCHEDULED'] as const;
export type AppointmentStatus = (typeof appointmentStatuses)[number];

/** Statuses in which the appointment occupies its slot. */
export const activeStatuses: readonly AppointmentStatus[] = ['PENDING', 'CONFIRMED', 'CANCELLING'];

export class AppointmentRejection {
  @ApiProperty({ type: String, example: 'BOOKING.SLOT_TAKEN' })
  code!: string;
  @ApiProperty({ type: String })
  message!: string;
}

export class AppointmentView {
  @ApiProperty({ type: String, format: 'uuid' })
  appointmentId!: string;
  @ApiProperty({ enum: appointmentStatuses })
  status!: AppointmentStatus;
  @ApiProperty({ type: String })
  slotId!: string;
  @ApiProperty({ type: String })
  organisationOid!: string;
  @ApiProperty({ type: String })
  resourceId!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  startsAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  endsAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid' })
  patientId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Id of the booking at the MIS once confirmed.' })
  misAppointmentId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'For a reschedule: the appointment this one replaces.' })
  replacesAppointmentId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: AppointmentRejection, description: 'Why the MIS or medbus refused; set when REJECTED.' })
  rejection!: AppointmentRejection | null;
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;
}

/** A booking_appointment row as Postgres returns it. */
export interface AppointmentRow {
  readonly appointment_id: string;
  readonly patient_id: string;
  readonly slot_id: string;
  readonly organisation_oid: string;
  readonly resource_id: string;
  readonly local_slot_id: string;
  readonly local_resource_id: string;
  readonly starts_at: Date;
  readonly ends_at: Date | null;
  readonly status: AppointmentStatus;
  readonly channel: BookingChannel;
  readonly client_id: string;
  /** The adapter its commands go to, the only one whose outcomes count; null on appointments made before 0012. */
  readonly adapter_id: string | null;
  readonly mis_appointment_id: string | null;
  readonly replaces_appointment_id: string | null;
  readonly book_command_id: string;
  readonly cancel_command_id: string | null;
  readonly deadline: Date;
  readonly rejection_code: string | null;
  readonly rejection_message: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export function appointmentViewOf(row: AppointmentRow): AppointmentView {
  return {
    appointmentId: row.appointment_id,
    status: row.status,
    slotId: row.slot_id,
    organisationOid: row.organisation_oid,
    resourceId: row.resource_id,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at?.toISOString() ?? null,
    patientId: row.patient_id,
    misAppointmentId: row.mis_appointment_id,
    replacesAppointmentId: row.replaces_appointment_id,
    rejection: row.status === 'REJECTED' && row.rejection_code ? { code: row.rejection_code, message: row.rejection_message ?? '' } : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** What the rules know of the slot and its resource. */
export interface BookableSlot {
  readonly slotId: string;
  readonly organisationOid: string;
  readonly resourceId: string;
  readonly localSlotId: string | null;
  readonly localResourceId: string | null;
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
  readonly status: string | null;
  readonly offered: boolean;
  readonly removed: boolean;
  readonly specialtyNsiCode: string | null;
  readonly specialtyMisCode: string | null;
  readonly patientSex: 'MALE' | 'FEMALE' | null;
  readonly minPatientAgeYears: number | null;
  readonly maxPatientAgeYears: number | null;
  readonly attachmentRequired: boolean;
}

/** What the rules know of the patient (no names or documents). */
export interface PatientFacts {
  readonly patientId: string;
  readonly organisationOid: string;
  readonly sex: 'MALE' | 'FEMALE' | null;
  readonly birthDate: string | null;
  readonly attached: boolean | null;
}

/** Age in full years on `day` of someone born on `birthDate` (both `YYYY-MM-DD`). */
export function ageInYears(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/**
 * The first booking rule the request breaks, or undefined. What the patient's record does not
 * say (unknown sex, birth date or attachment) is left for the MIS to judge, which refuses with
 * its own code.
 */
export function refusalOf(slot: BookableSlot, patient: PatientFacts, now: Date, specialtyCode?: string): RuleRefusal | undefined {
  if (slot.removed || !slot.offered || !slot.startsAt || !slot.localSlotId || !slot.localResourceId) return 'SLOT_NOT_FOUND';
  if (slot.startsAt.getTime() <= now.getTime()) return 'SLOT_IN_PAST';
  if (slot.organisationOid !== patient.organisationOid) return 'OTHER_ORGANISATION';
  if (specialtyCode !== undefined && specialtyCode !== slot.specialtyNsiCode && specialtyCode !== slot.specialtyMisCode) {
    return 'SPECIALTY_NOT_PROVIDED';
  }
  if (slot.patientSex && patient.sex && slot.patientSex !== patient.sex) return 'PATIENT_NOT_ELIGIBLE';
  if (patient.birthDate && (slot.minPatientAgeYears !== null || slot.maxPatientAgeYears !== null)) {
    const age = ageInYears(patient.birthDate, slot.startsAt.toISOString().slice(0, 10));
    if (slot.minPatientAgeYears !== null && age < slot.minPatientAgeYears) return 'PATIENT_NOT_ELIGIBLE';
    if (slot.maxPatientAgeYears !== null && age > slot.maxPatientAgeYears) return 'PATIENT_NOT_ELIGIBLE';
  }
  if (slot.attachmentRequired && patient.attached === false) return 'PATIENT_NOT_ATTACHED';
  return undefined;
}
