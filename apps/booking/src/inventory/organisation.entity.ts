import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A medical organisation as its MIS last described it; `removed` rows are tombstones. */
@Entity({ name: 'inventory_organisation' })
export class Organisation {
  @PrimaryColumn({ name: 'organisation_oid', type: 'text' })
  organisationOid!: string;

  @Column({ name: 'full_name', type: 'text', nullable: true })
  fullName!: string | null;

  @Column({ name: 'short_name', type: 'text', nullable: true })
  shortName!: string | null;

  @Column({ name: 'district_id', type: 'text', nullable: true })
  districtId!: string | null;

  @Column({ name: 'district_name', type: 'text', nullable: true })
  districtName!: string | null;

  @Column({ name: 'mis_vendor', type: 'text', nullable: true })
  misVendor!: string | null;

  @Column({ name: 'time_zone', type: 'text', nullable: true })
  timeZone!: string | null;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ type: 'boolean' })
  removed!: boolean;

  @Column({ name: 'source_version', type: 'bigint' })
  sourceVersion!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;
}
