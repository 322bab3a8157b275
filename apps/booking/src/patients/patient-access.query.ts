import type { DataSource, EntityManager } from 'typeorm';
import { actsForAnyPatient, type Caller } from '../clients/access.mapper';

/**
 * Whether the caller may act for a patient: a region-wide role (an operator) for any identified
 * patient, any other client only for the patients it identified itself (booking_patient_client,
 * written by PatientsService).
 */
export async function actsForPatient(db: Pick<DataSource | EntityManager, 'query'>, caller: Caller, patientId: string, access: 'read' | 'write'): Promise<boolean> {
  if (actsForAnyPatient(caller, access)) return true;
  const rows: unknown[] = await db.query(`SELECT 1 FROM booking_patient_client WHERE patient_id = $1 AND client_id = $2`, [patientId, caller.clientId]);
  return rows.length > 0;
}
