import { snilsDigitsOf } from '@medbus/identification';
import { NsiDictionary, defaultSpecialtyRules, resourceIdOf, ruleFor, type CodeMap, type DataQualityIssue, type Mapped, type ResourceState, type SpecialtyRule } from '@medbus/mis-adapter-kit';
import type { DumpDoctor } from './dump/dump.types';

/**
 * An XMLDump Doctor element as a resource of its clinic's organisation. The specialty's NSI code
 * comes from the code map, else from the vendor's own `nsi` attribute; with neither it is
 * published with nsiCode null and reported. A SNILS with a wrong check number is published as null
 * and reported (the issue names the field, never the value). The vendor publishes no patient
 * rules (sex, age, attachment): they come from the region's policy for the specialty's NSI code
 * (`rules`), and an unmapped specialty has none.
 */
export function toResourceState(
  doctor: DumpDoctor,
  organisationOid: string,
  codes: CodeMap,
  rules: Readonly<Record<string, SpecialtyRule>> = defaultSpecialtyRules,
): Mapped<ResourceState> {
  const resourceId = resourceIdOf(organisationOid, doctor.code);
  const entity = `resource ${resourceId}`;
  const issues: DataQualityIssue[] = [];
  const specialty = codes.code(NsiDictionary.specialty, doctor.specialty.code, doctor.specialty.name.trim() || doctor.specialty.code, entity, doctor.specialty.nsi);
  if (specialty.issue) issues.push(specialty.issue);
  const practitionerSnils = doctor.snils === undefined ? null : snilsDigitsOf(doctor.snils);
  if (doctor.snils !== undefined && practitionerSnils === null) issues.push({ kind: 'invalid_value', entity, field: 'snils' });
  const displayName = doctor.name.trim();
  if (!displayName) issues.push({ kind: 'missing_field', entity, field: 'Name' });
  return {
    value: {
      resourceId,
      organisationOid,
      localResourceId: doctor.code,
      federalPractitionerId: null,
      practitionerSnils,
      displayName: displayName || doctor.code,
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
