import { ApiProperty } from '@nestjs/swagger';
import { z } from 'zod';

export const waitlistReasons = ['NO_FREE_SLOTS', 'NO_CONVENIENT_TIME', 'NO_SPECIALIST'] as const;
export type WaitlistReason = (typeof waitlistReasons)[number];

export const waitlistRequestSchema = z
  .object({
    patientId: z.string().uuid(),
    organisationOid: z.string().min(1).max(200),
    specialtyCode: z.string().min(1).max(100).optional(),
    resourceId: z.string().min(1).max(300).optional(),
    preferredIntervals: z
      .array(z.object({ from: z.string().datetime({ offset: true }), to: z.string().datetime({ offset: true }) }).strict())
      .min(1)
      .max(20),
    /** Kept to call or text the patient about an offer; never logged nor put in events. */
    contactPhone: z
      .string()
      .regex(/^\+?[0-9 ()-]{5,20}$/)
      .optional(),
    reason: z.enum(waitlistReasons).optional(),
  })
  .strict();

export type WaitlistRequest = z.output<typeof waitlistRequestSchema>;

export class WaitlistOffer {
  @ApiProperty({ type: String, format: 'uuid', description: 'Pass as holdId when booking the reserved slot.' })
  offerId!: string;
  @ApiProperty({ type: String })
  slotId!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  reservedUntil!: string;
}

export class WaitlistEntryView {
  @ApiProperty({ type: String, format: 'uuid' })
  entryId!: string;
  @ApiProperty({ type: String, format: 'uuid' })
  patientId!: string;
  @ApiProperty({ type: String })
  organisationOid!: string;
  @ApiProperty({ nullable: true, type: String })
  specialtyCode!: string | null;
  @ApiProperty({ nullable: true, type: String })
  resourceId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The phone to call or text about an offer; stored encrypted.' })
  contactPhone!: string | null;
  @ApiProperty({ enum: ['WAITING', 'OFFERED', 'BOOKED', 'CANCELLED'] })
  status!: string;
  @ApiProperty({ enum: waitlistReasons })
  reason!: string;
  @ApiProperty({ nullable: true, type: WaitlistOffer })
  offer!: WaitlistOffer | null;
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;
}

export interface WaitlistEntryRow {
  client_id: string;
  entry_id: string;
  patient_id: string;
  organisation_oid: string;
  specialty_code: string | null;
  resource_id: string | null;
  /** Ciphertext (DataCipher). */
  contact_phone: string | null;
  status: string;
  reason: string;
  created_at: Date;
  updated_at: Date;
  offer_id: string | null;
  offer_slot_id: string | null;
  offer_expires_at: Date | null;
}

export function waitlistEntryViewOf(row: WaitlistEntryRow, contactPhone: string | null): WaitlistEntryView {
  return {
    entryId: row.entry_id,
    patientId: row.patient_id,
    organisationOid: row.organisation_oid,
    specialtyCode: row.specialty_code,
    resourceId: row.resource_id,
    contactPhone,
    status: row.status,
    reason: row.reason,
    offer:
      row.offer_id && row.offer_slot_id && row.offer_expires_at
        ? { offerId: row.offer_id, slotId: row.offer_slot_id, reservedUntil: row.offer_expires_at.toISOString() }
        : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
