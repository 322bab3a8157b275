import { organisationOidPattern, type DataQualityIssue, type Mapped, type OrganisationState } from '@medbus/mis-adapter-kit';
import { isTimeZone } from './medrest.config';
import type { MedRestFacility } from './medrest-response.mapper';

/**
 * A MedREST facility as an organisation. Its `registry_oid` (ФРМО) is the organisation's key
 * everywhere in medbus, so a facility without a valid one cannot be published: it is reported. A
 * `time_zone` that is not an IANA zone is reported and replaced by `fallbackZone` (slot times carry
 * their own offset; the zone only places the facility's calendar days).
 */
export function toOrganisationState(facility: MedRestFacility, misVendor: string, fallbackZone: string): Mapped<OrganisationState> {
  const oid = facility.registry_oid?.trim();
  if (!oid || !organisationOidPattern.test(oid)) {
    return { issues: [{ kind: oid ? 'invalid_value' : 'missing_field', entity: `facility ${facility.id}`, field: 'registry_oid' }] };
  }
  const issues: DataQualityIssue[] = [];
  const fullName = facility.name.trim() || facility.short_name?.trim() || '';
  if (!fullName) issues.push({ kind: 'missing_field', entity: `organisation ${oid}`, field: 'name' });
  const zoneKnown = isTimeZone(facility.time_zone);
  if (!zoneKnown) issues.push({ kind: 'invalid_value', entity: `organisation ${oid}`, field: 'time_zone' });
  return {
    value: {
      organisationOid: oid,
      fullName: fullName || oid,
      shortName: facility.short_name?.trim() || fullName || oid,
      districtId: facility.district?.code.trim() ?? '',
      districtName: facility.district?.name.trim() ?? '',
      misVendor,
      timeZone: zoneKnown ? facility.time_zone : fallbackZone,
      active: facility.active,
      address: facility.address?.trim() || null,
    },
    issues,
  };
}
