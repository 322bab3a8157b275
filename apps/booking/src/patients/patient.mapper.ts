import { ApiProperty } from '@nestjs/swagger';
import { z } from 'zod';

const name = z.string().trim().min(1).max(100);

export const patientQuerySchema = z
  .object({
    organisationOid: z.string().min(1).max(200),
    /** ЕНП: the 16-digit unified OMS policy number. */
    policyNumber: z
      .string()
      .regex(/^\d{16}$/, 'must be 16 digits')
      .optional(),
    snils: z
      .string()
      .regex(/^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/, 'must be a SNILS (11 digits)')
      .optional(),
    surname: name.optional(),
    firstName: name.optional(),
    patronymic: name.optional(),
    birthDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
      .refine((d) => !Number.isNaN(Date.parse(d)) && d <= new Date().toISOString().slice(0, 10), 'must be a real date, not in the future')
      .optional(),
    sex: z.enum(['MALE', 'FEMALE']).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 ()-]{5,20}$/)
      .optional(),
  })
  .strict();

export type PatientQuery = z.input<typeof patientQuerySchema>;

export interface IdentifiedPatient {
  readonly patientId: string;
  readonly organisationOid: string;
  readonly registered: boolean;
  readonly attached: boolean | null;
}

export class IdentifiedPatientView implements IdentifiedPatient {
  @ApiProperty({ type: String, format: 'uuid', description: "medbus's id of the patient at this organisation; pass it to bookings." })
  patientId!: string;
  @ApiProperty({ type: String })
  organisationOid!: string;
  @ApiProperty({ type: Boolean, description: 'Whether the MIS registered the patient just now.' })
  registered!: boolean;
  @ApiProperty({ nullable: true, type: Boolean, description: 'Attached (прикреплён) to the organisation, when the MIS says.' })
  attached!: boolean | null;
}
