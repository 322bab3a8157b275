import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OrganisationDirectory, type OrganisationDistrict } from '../appeals/organisation-directory.client';

/** Where an organisation is, as its MIS last published it (the `organisation` table the bus projection keeps). */
@Injectable()
export class OrganisationQuery extends OrganisationDirectory {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  /** Null for an organisation never heard of, or published without a district. */
  async districtOf(organisationOid: string): Promise<OrganisationDistrict | null> {
    const [row]: { district_id: string; district_name: string }[] = await this.dataSource.query(
      `SELECT district_id, district_name FROM organisation WHERE oid = $1 AND district_id IS NOT NULL AND district_name IS NOT NULL`,
      [organisationOid],
    );
    return row ? { districtId: row.district_id, districtName: row.district_name } : null;
  }
}
