import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '@medbus/config';
import type { BookingConfig } from '../booking.config';
import { invalidRequest, rateLimited } from '../booking.errors';
import type { Caller } from '../clients/access.mapper';
import { MisAdapterClient } from './mis-adapter.client';
import { PatientQueryInvalidError, assertIdentifies, patientQuerySchema, type PatientQuery } from '@medbus/identification';
import type { IdentifiedPatient } from './patient.mapper';

/**
 * Identifies a patient at an organisation through its MIS and gives back medbus's id for that
 * patient there. Only the MIS's id and the facts the booking rules need are kept, and which client
 * identified the patient (a client without region-wide scope acts only for those). Each client's
 * identifications are rate-limited: every one is a look-up at a clinic's MIS, and an answer tells
 * whether a policy number exists there.
 */
@Injectable()
export class PatientsService {
  private readonly limiter: RateLimiterMemory;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(MisAdapterClient) private readonly adapters: MisAdapterClient,
    @Inject(AppConfig) config: BookingConfig,
  ) {
    this.limiter = new RateLimiterMemory({ keyPrefix: 'identify', points: config.BOOKING_IDENTIFY_PER_MINUTE, duration: 60 });
  }

  async identify(caller: Caller, query: PatientQuery, register: boolean): Promise<IdentifiedPatient> {
    const parsed = patientQuerySchema.safeParse(query);
    if (!parsed.success) throw invalidRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    const q = parsed.data;
    try {
      assertIdentifies({ ...q, register }, new Date().toISOString().slice(0, 10));
    } catch (error) {
      if (error instanceof PatientQueryInvalidError) throw invalidRequest([error.message]);
      throw error;
    }
    await this.limiter.consume(caller.clientId).catch((refusal: unknown) => {
      if (refusal instanceof RateLimiterRes) throw rateLimited({ retryAfterSeconds: Math.ceil(refusal.msBeforeNext / 1000) });
      throw refusal;
    });
    const found = await this.adapters.identify({ ...q, register });
    const patientId = await this.dataSource.transaction(async (tx) => {
    const rows: { patient_id: string }[] = await tx.query(
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
      await tx.query(
        `INSERT INTO booking_patient_client (patient_id, client_id) VALUES ($1, $2)
         ON CONFLICT (patient_id, client_id) DO UPDATE SET identified_at = now()`,
        [rows[0].patient_id, caller.clientId],
      );
      return rows[0].patient_id;
    });
    return { patientId, organisationOid: q.organisationOid, registered: found.registered, attached: found.attached };
  }
}
