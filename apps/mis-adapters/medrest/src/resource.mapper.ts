import type { PatientSex } from '@medbus/contracts';
import { snilsDigitsOf } from '@medbus/identification';
import { NsiDictionary, resourceIdOf, type CodeMap, type DataQualityIssue, type Mapped, type ResourceState } from '@medbus/mis-adapter-kit';
import type { MedRestPractitioner, MedRestSpecialty } from './medrest-response.mapper';

/** Who may be booked to a resource: the fields ResourcePublished carries. */
export interface PatientRule {
  readonly patientSex: Extract<PatientSex, 'MALE' | 'FEMALE'> | null;
  readonly minPatientAgeYears: number | null;
  readonly maxPatientAgeYears: number | null;
  readonly attachmentRequired: boolean;
}

const anyone: PatientRule = { patientSex: null, minPatientAgeYears: null, maxPatientAgeYears: null, attachmentRequired: false };

/** The restrictions MedREST enforces per local specialty code (`GET /specialties`), as resource rules. */
export function rulesOf(specialties: readonly MedRestSpecialty[]): ReadonlyMap<string, PatientRule> {
  return new Map(
    specialties.map(({ code, restrictions }) => [
      code,
      {
        patientSex: restrictions.sex === 'male' ? 'MALE' : restrictions.sex === 'female' ? 'FEMALE' : null,
        minPatientAgeYears: restrictions.min_age,
        maxPatientAgeYears: restrictions.max_age,
        attachmentRequired: restrictions.attachment_required,
      },
    ]),
  );
}

/**
 * A MedREST practitioner as a resource. Specialty and position are coded by the code map, else by
 * the vendor's own `nsi`; with neither they are published with nsiCode null and reported. The
 * SNILS is carried as its 11 digits (the federal registry identifies a doctor by it); one with a
 * wrong check number is published as null and reported without its value. Who may be booked comes
 * from the restrictions the MIS publishes for the specialty; a specialty missing from its
 * dictionary is reported and restricts no one.
 */
export function toResourceState(practitioner: MedRestPractitioner, organisationOid: string, codes: CodeMap, rules: ReadonlyMap<string, PatientRule>): Mapped<ResourceState> {
  const resourceId = resourceIdOf(organisationOid, practitioner.id);
  const entity = `resource ${resourceId}`;
  const issues: DataQualityIssue[] = [];
  const { specialty: specialtyOf, position: positionOf } = practitioner;
  const specialty = codes.code(NsiDictionary.specialty, specialtyOf.code, specialtyOf.name.trim() || specialtyOf.code, entity, specialtyOf.nsi);
  if (specialty.issue) issues.push(specialty.issue);
  const position = positionOf ? codes.code(NsiDictionary.position, positionOf.code, positionOf.name.trim() || positionOf.code, entity, positionOf.nsi) : undefined;
  if (position?.issue) issues.push(position.issue);
  const displayName = practitioner.name?.trim();
  if (!displayName) issues.push({ kind: 'missing_field', entity, field: 'name' });
  const snilsText = practitioner.snils?.trim();
  const practitionerSnils = snilsText ? snilsDigitsOf(snilsText) : null;
  if (snilsText && practitionerSnils === null) issues.push({ kind: 'invalid_value', entity, field: 'snils' });
  const rule = rules.get(specialtyOf.code);
  if (!rule) issues.push({ kind: 'invalid_value', entity, dictionary: NsiDictionary.specialty, misCode: specialtyOf.code, field: 'specialty.code' });
  return {
    value: {
      resourceId,
      organisationOid,
      localResourceId: practitioner.id,
      federalPractitionerId: null,
      practitionerSnils,
      displayName: displayName || practitioner.id,
      specialty: specialty.coding,
      position: position?.coding ?? null,
      departmentOid: null,
      departmentName: null,
      room: practitioner.room?.trim() || null,
      active: true,
      ...(rule ?? anyone),
    },
    issues,
  };
}
