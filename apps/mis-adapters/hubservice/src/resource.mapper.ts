import { snilsDigitsOf } from '@medbus/identification';
import { NsiDictionary, resourceIdOf, type CodeMap, type DataQualityIssue, type Mapped, type ResourceState } from '@medbus/mis-adapter-kit';
import type { HubDoctor, HubSpesiality } from './hubservice-response.mapper';
import { defaultSpecialtyRules, ruleFor, type SpecialtyRule } from '@medbus/mis-adapter-kit';

/**
 * A HubService doctor (GetDoctorList under one specialty) as a resource. The specialty's NSI code
 * comes from the code map, else from the vendor's FerIdSpesiality; with neither it is published
 * with nsiCode null and reported. The doctor's SNILS is carried as its 11 digits, since the federal
 * registry identifies a doctor by it; one with a wrong check number is published as null and
 * reported (the issue names the field, never the value).
 * Sex, age and attachment rules come from the region's policy for the specialty's NSI code
 * (HubService publishes none); an unmapped specialty has none.
 */
export function toResourceState(
  doctor: HubDoctor,
  spesiality: HubSpesiality,
  organisationOid: string,
  codes: CodeMap,
  rules: Readonly<Record<string, SpecialtyRule>> = defaultSpecialtyRules,
): Mapped<ResourceState> {
  const resourceId = resourceIdOf(organisationOid, doctor.IdDoc);
  const issues: DataQualityIssue[] = [];
  const specialty = codes.code(
    NsiDictionary.specialty,
    spesiality.IdSpesiality,
    spesiality.NameSpesiality?.trim() || spesiality.IdSpesiality,
    `resource ${resourceId}`,
    spesiality.FerIdSpesiality,
  );
  if (specialty.issue) issues.push(specialty.issue);
  const displayName = doctor.Name?.trim();
  if (!displayName) issues.push({ kind: 'missing_field', entity: `resource ${resourceId}`, field: 'Name' });
  const snilsText = doctor.Snils?.trim();
  const practitionerSnils = snilsText ? snilsDigitsOf(snilsText) : null;
  if (snilsText && practitionerSnils === null) issues.push({ kind: 'invalid_value', entity: `resource ${resourceId}`, field: 'Snils' });
  return {
    value: {
      resourceId,
      organisationOid,
      localResourceId: doctor.IdDoc,
      federalPractitionerId: null,
      practitionerSnils,
      displayName: displayName || doctor.IdDoc,
      specialty: specialty.coding,
      position: null,
      departmentOid: null,
      departmentName: null,
      room: null,
      active: true,
      ...ruleFor(rules, specialty.coding.nsiCode),
    },
    issues,
  };
}
