import type { DataQualityIssue, Mapped, OrganisationState } from '@medbus/mis-adapter-kit';
import type { DumpClinic } from './dump/dump.types';

/**
 * An XMLDump Clinic element as an organisation. The reader has checked the OID and the zone; the
 * district is optional in the vendor's format, and one without it is published with an empty
 * district and reported.
 */
export function toOrganisationState(clinic: DumpClinic, misVendor: string): Mapped<OrganisationState> {
  const issues: DataQualityIssue[] = [];
  const entity = `organisation ${clinic.oid}`;
  if (!clinic.district) issues.push({ kind: 'missing_field', entity, field: 'District' });
  const fullName = clinic.name.trim() || clinic.shortName?.trim() || clinic.oid;
  return {
    value: {
      organisationOid: clinic.oid,
      fullName,
      shortName: clinic.shortName?.trim() || fullName,
      districtId: clinic.district?.code ?? '',
      districtName: clinic.district?.name.trim() ?? '',
      misVendor,
      timeZone: clinic.tz,
      active: clinic.active,
      address: clinic.address?.trim() || null,
    },
    issues,
  };
}
