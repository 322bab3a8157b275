import { z } from 'zod';
import { BookingChannel, type PatientSex } from '@medbus/contracts';

/** Who may be booked to a resource of a specialty: the fields ResourcePublished carries. */
export interface PatientRule {
  readonly patientSex: Extract<PatientSex, 'MALE' | 'FEMALE'> | null;
  readonly minPatientAgeYears: number | null;
  readonly maxPatientAgeYears: number | null;
  readonly attachmentRequired: boolean;
}

/** The region's policy for one specialty: who may be booked, and through which channels not. */
export interface SpecialtyRule extends PatientRule {
  /**
   * Channels that may not book the specialty's slots: a narrow specialist needs a referral, which
   * the patient's own portals cannot check; absent: none closed.
   */
  readonly closedChannels?: readonly BookingChannel[];
}

export const noRule: PatientRule = { patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false };

/**
 * The region's booking policy per specialty, keyed by NSI 1.2.643.5.1.13.13.11.1066 code (the
 * codes the code map yields; these are the demo region's). HubService publishes no rules, so they
 * are configuration: primary care (district therapist, paediatrician, general practice) books
 * attached patients only (прикрепление, приказ Минздрава № 406н); paediatrics takes under-18s,
 * adult therapy 18 and over; obstetrics and gynaecology women only. Endocrinology is seen on a
 * therapist's referral, so the patient's own portals (regional and federal) cannot book it; the
 * contact centre and front desk book it with the referral in hand. `SPECIALTY_RULES_PATH`
 * replaces this table as a whole.
 */
export const defaultSpecialtyRules: Readonly<Record<string, SpecialtyRule>> = {
  '76': { ...noRule, minPatientAgeYears: 18, attachmentRequired: true },
  '49': { ...noRule, maxPatientAgeYears: 17, attachmentRequired: true },
  '2': { ...noRule, patientSex: 'FEMALE' },
  '95': { ...noRule, closedChannels: [BookingChannel.FEDERAL_PORTAL, BookingChannel.PORTAL] },
};

const channels = Object.values(BookingChannel) as [BookingChannel, ...BookingChannel[]];

const ruleSchema = z
  .object({
    patientSex: z.enum(['MALE', 'FEMALE']).nullable().default(null),
    minPatientAgeYears: z.number().int().min(0).max(150).nullable().default(null),
    maxPatientAgeYears: z.number().int().min(0).max(150).nullable().default(null),
    attachmentRequired: z.boolean().default(false),
    closedChannels: z.array(z.enum(channels)).max(channels.length).optional(),
  })
  .strict()
  .refine((r) => r.minPatientAgeYears === null || r.maxPatientAgeYears === null || r.minPatientAgeYears <= r.maxPatientAgeYears, 'minPatientAgeYears must not exceed maxPatientAgeYears');

/** `{ "<NSI 1066 code>": { patientSex?, minPatientAgeYears?, maxPatientAgeYears?, attachmentRequired?, closedChannels? } }`. */
export const specialtyRulesSchema = z.record(z.string().min(1), ruleSchema);

/** Who may be booked to a resource of a specialty's NSI code; a specialty without a rule (or unmapped) accepts anyone. */
export function ruleFor(rules: Readonly<Record<string, SpecialtyRule>>, nsiCode: string | null): PatientRule {
  const rule = (nsiCode !== null && rules[nsiCode]) || noRule;
  return {
    patientSex: rule.patientSex,
    minPatientAgeYears: rule.minPatientAgeYears,
    maxPatientAgeYears: rule.maxPatientAgeYears,
    attachmentRequired: rule.attachmentRequired,
  };
}

/** The adapter's channels less those the specialty's rule closes; an unmapped specialty closes none. */
export function channelsFor(
  rules: Readonly<Record<string, SpecialtyRule>>,
  nsiCode: string | null,
  bookingChannels: readonly BookingChannel[],
): BookingChannel[] {
  const closed = (nsiCode !== null && rules[nsiCode]?.closedChannels) || [];
  return bookingChannels.filter((channel) => !closed.includes(channel));
}
