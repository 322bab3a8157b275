import { organisationOidPattern, type DataQualityIssue, type Mapped, type OrganisationState } from '@medbus/mis-adapter-kit';
import type { HubClinic, HubDistrict } from './hubservice-response.mapper';

/**
 * A HubService clinic (GetLPUList) as an organisation; its Description is the one-line address. The ФРМО OID is the organisation's key
 * everywhere in medbus, so a clinic without a valid one cannot be published: it is reported.
 */
export function toOrganisationState(clinic: HubClinic, district: HubDistrict, misVendor: string, timeZone: string): Mapped<OrganisationState> {
  const oid = clinic.Oid?.trim();
  if (!oid || !organisationOidPattern.test(oid)) {
    return { issues: [{ kind: clinic.Oid ? 'invalid_value' : 'missing_field', entity: `clinic IdLPU=${clinic.IdLPU}`, field: 'Oid' }] };
  }
  const issues: DataQualityIssue[] = [];
  const fullName = clinic.LPUFullName?.trim() || clinic.LPUShortName?.trim() || '';
  if (!fullName) issues.push({ kind: 'missing_field', entity: `organisation ${oid}`, field: 'LPUFullName' });
  return {
    value: {
      organisationOid: oid,
      fullName: fullName || oid,
      shortName: clinic.LPUShortName?.trim() || fullName || oid,
      districtId: String(district.IdDistrict),
      districtName: district.DistrictName?.trim() ?? '',
      misVendor,
      timeZone,
      active: clinic.IsActive,
      address: clinic.Description?.trim() || null,
    },
    issues,
  };
}
