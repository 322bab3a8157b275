import type { OrganisationState } from '@medbus/mis-adapter-kit';
import type { OrganisationBody } from './inbound-request.mapper';

/** An organisation as the MIS pushed it, under the OID of the URL it was pushed to. */
export function toOrganisationState(organisationOid: string, body: OrganisationBody, misVendor: string): OrganisationState {
  return {
    organisationOid,
    fullName: body.fullName,
    shortName: body.shortName ?? body.fullName,
    districtId: body.district.id,
    districtName: body.district.name,
    misVendor,
    timeZone: body.timeZone,
    active: body.active,
    address: body.address?.trim() || null,
  };
}
