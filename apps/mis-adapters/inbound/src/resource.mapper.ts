import { snilsDigitsOf } from '@medbus/identification';
import { NsiDictionary, resourceIdOf, ruleFor, type CodeMap, type DataQualityIssue, type PatientRule, type ResourceState, type SpecialtyRule } from '@medbus/mis-adapter-kit';
import type { ResourceBody } from './inbound-request.mapper';

export interface MappedResources {
  readonly states: ResourceState[];
  readonly issues: DataQualityIssue[];
}

/**
 * A resource as the MIS pushed it. The specialty's NSI code comes from the region's code map, else from
 * the MIS's own `nsiCode`; with neither it is published with nsiCode null and reported. A SNILS with a
 * wrong check number is published as null and reported (the issue names the field, never the value).
 * Who may be booked is the MIS's `patientRules` when it sends them, else the region's rule for the specialty.
 */
export function toResourceState(
  organisationOid: string,
  body: ResourceBody,
  codes: CodeMap,
  rules: Readonly<Record<string, SpecialtyRule>>,
): { readonly value: ResourceState; readonly issues: DataQualityIssue[] } {
  const resourceId = resourceIdOf(organisationOid, body.localId);
  const entity = `resource ${resourceId}`;
  const issues: DataQualityIssue[] = [];
  const specialty = codes.code(NsiDictionary.specialty, body.specialty.localCode, body.specialty.display, entity, body.specialty.nsiCode);
  if (specialty.issue) issues.push(specialty.issue);
  const position = body.position ? codes.code(NsiDictionary.position, body.position.localCode, body.position.display, entity, body.position.nsiCode) : undefined;
  if (position?.issue) issues.push(position.issue);
  const practitionerSnils = body.snils === undefined ? null : snilsDigitsOf(body.snils);
  if (body.snils !== undefined && practitionerSnils === null) issues.push({ kind: 'invalid_value', entity, field: 'snils' });
  const rule: PatientRule = body.patientRules
    ? {
        patientSex: body.patientRules.sex,
        minPatientAgeYears: body.patientRules.minAgeYears,
        maxPatientAgeYears: body.patientRules.maxAgeYears,
        attachmentRequired: body.patientRules.attachmentRequired,
      }
    : ruleFor(rules, specialty.coding.nsiCode);
  return {
    value: {
      resourceId,
      organisationOid,
      localResourceId: body.localId,
      federalPractitionerId: null,
      practitionerSnils,
      displayName: body.name,
      specialty: specialty.coding,
      position: position?.coding ?? null,
      departmentOid: body.department?.oid ?? null,
      departmentName: body.department?.name ?? null,
      room: body.room ?? null,
      active: body.active,
      ...rule,
    },
    issues,
  };
}

/** An organisation's complete list of resources. */
export function toResourceStates(
  organisationOid: string,
  listed: readonly ResourceBody[],
  codes: CodeMap,
  rules: Readonly<Record<string, SpecialtyRule>>,
): MappedResources {
  const states: ResourceState[] = [];
  const issues: DataQualityIssue[] = [];
  for (const body of listed) {
    const mapped = toResourceState(organisationOid, body, codes, rules);
    states.push(mapped.value);
    issues.push(...mapped.issues);
  }
  return { states, issues };
}
