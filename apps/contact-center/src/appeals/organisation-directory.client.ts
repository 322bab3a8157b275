export interface OrganisationDistrict {
  readonly districtId: string;
  readonly districtName: string;
}

/**
 * Where an organisation is: the district an appeal about it is counted in when the operator names the
 * organisation but not the district. The bus module implements it over the organisations it follows
 * and exports it from BusModule, which AppealsModule imports; without such a provider appeals are
 * registered with the district the operator gives, or none ({@link noOrganisationDirectory}).
 */
export abstract class OrganisationDirectory {
  abstract districtOf(organisationOid: string): Promise<OrganisationDistrict | null>;
}

export const noOrganisationDirectory: OrganisationDirectory = { districtOf: async () => null };
