import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** One appointment of a patient as the operator's screen shows it. */
export interface PatientAppointment {
  readonly appointmentId: string;
  readonly patientId: string;
  readonly organisationOid: string;
  readonly organisationShortName: string | null;
  readonly organisationFullName: string | null;
  readonly resourceId: string | null;
  readonly slotId: string;
  readonly startsAt: string | null;
  readonly channel: string | null;
  readonly status: 'BOOKED' | 'CANCELLED';
  readonly bookedAt: string | null;
  readonly cancelledAt: string | null;
  readonly replacesAppointmentId: string | null;
}

interface Row {
  appointment_id: string;
  patient_id: string;
  organisation_oid: string;
  short_name: string | null;
  full_name: string | null;
  resource_id: string | null;
  slot_id: string;
  starts_at: Date | null;
  channel: string | null;
  status: 'BOOKED' | 'CANCELLED';
  booked_at: Date | null;
  cancelled_at: Date | null;
  replaces_appointment_id: string | null;
}

/** A patient's history has at most this many appointments on the screen, the latest visits first. */
export const historyLimit = 500;

/** The patient's appointments, booked and cancelled through any channel, with their organisations' names. */
@Injectable()
export class PatientAppointmentQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async of(patientId: string): Promise<PatientAppointment[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT a.*, o.short_name, o.full_name FROM patient_appointment a LEFT JOIN organisation o ON o.oid = a.organisation_oid
       WHERE a.patient_id = $1 ORDER BY a.starts_at DESC NULLS LAST, a.appointment_id LIMIT ${historyLimit}`,
      [patientId],
    );
    return rows.map((row) => ({
      appointmentId: row.appointment_id,
      patientId: row.patient_id,
      organisationOid: row.organisation_oid,
      organisationShortName: row.short_name,
      organisationFullName: row.full_name,
      resourceId: row.resource_id,
      slotId: row.slot_id,
      startsAt: row.starts_at?.toISOString() ?? null,
      channel: row.channel,
      status: row.status,
      bookedAt: row.booked_at?.toISOString() ?? null,
      cancelledAt: row.cancelled_at?.toISOString() ?? null,
      replacesAppointmentId: row.replaces_appointment_id,
    }));
  }
}
