import { z } from 'zod';
import type { PatientSex } from '@medbus/contracts';

/** Who may be booked to a resource of a specialty: the fields ResourcePublished carries. */
export interface SpecialtyRule {
  readonly patientSex: Extract<PatientSex, 'MALE' | 'FEMALE'> | null;
  readonly minPatientAgeYears: number | null;
  readonly maxPatientAgeYears: number | null;
  readonly attachmentRequired: boolean;
}

export const noRule: SpecialtyRule = { patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false };

/**
 * The region's booking policy per specialty, keyed by NSI 1.2.643.5.1.13.13.11.1066 code (the
 * codes the code map yields; these are the demo region's). HubService publishes no rules, so they
 * are configuration: primary care (district therapist, paediatrician, general practice) books
 * attached patients only (прикрепление, приказ Минздрава № 406н); paediatrics takes under-18s,
 * adult therapy 18 and over; obstetrics and gynaecology women only. `SPECIALTY_RULES_PATH`
 * replaces this table as a whole.
 */
export const defaultSpecialtyRules: Readonly<Record<string, SpecialtyRule>> = {
  '76': { ...noRule, minPatientAgeYears: 18, attachmentRequired: true },
  '49': { ...noRule, maxPatientAgeYears: 17, attachmentRequired: true },
  '2': { ...noRule, patientSex: 'FEMALE' },
};

const ruleSchema = z
  .object({
    patientSex: z.enum(['MALE', 'FEMALE']).nullable().default(null),
    minPatientAgeYears: z.number().int().min(0).max(150).nullable().default(null),
    maxPatientAgeYears: z.number().int().min(0).max(150).nullable().default(null),
    attachmentRequired: z.boolean().default(false),
  })
  .strict()
  .refine((r) => r.minPatientAgeYears === null || r.maxPatientAgeYears === null || r.minPatientAgeYears <= r.maxPatientAgeYears, 'minPatientAgeYears must not exceed maxPatientAgeYears');

/** `{ "<NSI 1066 code>": { patientSex?, minPatientAgeYears?, maxPatientAgeYears?, attachmentRequired? } }`. */
export const specialtyRulesSchema = z.record(z.string().min(1), ruleSchema);

/** The rule for a specialty's NSI code; a specialty without one (or unmapped) accepts anyone. */
export function ruleFor(rules: Readonly<Record<string, SpecialtyRule>>, nsiCode: string | null): SpecialtyRule {
  return (nsiCode !== null && rules[nsiCode]) || noRule;
}
