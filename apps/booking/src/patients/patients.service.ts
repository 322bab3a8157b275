import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MisAdapterClient } from './mis-adapter.client';
import { patientQuerySchema, type IdentifiedPatient, type PatientQuery } from './patient.mapper';
import { invalidRequest } from '../booking.errors';

/**
 * Identifies a patient at an organisation through its MIS and gives back medbus's id for that
 * patient there. Only the MIS's id and the facts the booking rules need are kept.
 */
@Injectable()
export class PatientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(MisAdapterClient) private readonly adapters: MisAdapterClient,
  ) {}

  async identify(query: PatientQuery, register: boolean): Promise<IdentifiedPatient> {
    const parsed = patientQuerySchema.safeParse(query);
    if (!parsed.success) throw invalidRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    const q = parsed.data;
    if (!q.policyNumber && !q.snils && !(q.surname && q.firstName && q.birthDate)) {
      throw invalidRequest(['give policyNumber, or snils, or surname, firstName and birthDate']);
    }
    if (register && !(q.surname && q.firstName && q.birthDate)) throw invalidRequest(['registering a patient needs surname, firstName and birthDate']);
    const found = await this.adapters.identify({ ...q, register });
    const rows: { patient_id: string }[] = await this.dataSource.query(
      `INSERT INTO booking_patient (patient_id, organisation_oid, mis_patient_id, sex, birth_date, attached)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (organisation_oid, mis_patient_id) DO UPDATE SET
         sex = coalesce(excluded.sex, booking_patient.sex),
         birth_date = coalesce(excluded.birth_date, booking_patient.birth_date),
         attached = coalesce(excluded.attached, booking_patient.attached),
         updated_at = now()
       RETURNING patient_id`,
      [randomUUID(), q.organisationOid, found.misPatientId, q.sex ?? null, q.birthDate ?? null, found.attached],
    );
    return { patientId: rows[0].patient_id, organisationOid: q.organisationOid, registered: found.registered, attached: found.attached };
  }
}
