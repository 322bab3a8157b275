import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A bookable resource (usually a practitioner) as its MIS last described it; `removed` rows are tombstones. */
@Entity({ name: 'inventory_practitioner' })
export class Practitioner {
  @PrimaryColumn({ name: 'resource_id', type: 'text' })
  resourceId!: string;

  @Column({ name: 'organisation_oid', type: 'text' })
  organisationOid!: string;

  @Column({ name: 'local_resource_id', type: 'text', nullable: true })
  localResourceId!: string | null;

  @Column({ name: 'federal_practitioner_id', type: 'text', nullable: true })
  federalPractitionerId!: string | null;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ name: 'specialty_nsi_code', type: 'text', nullable: true })
  specialtyNsiCode!: string | null;

  @Column({ name: 'specialty_mis_code', type: 'text', nullable: true })
  specialtyMisCode!: string | null;

  @Column({ name: 'specialty_name', type: 'text', nullable: true })
  specialtyName!: string | null;

  @Column({ name: 'position_nsi_code', type: 'text', nullable: true })
  positionNsiCode!: string | null;

  @Column({ name: 'position_mis_code', type: 'text', nullable: true })
  positionMisCode!: string | null;

  @Column({ name: 'position_name', type: 'text', nullable: true })
  positionName!: string | null;

  @Column({ name: 'department_oid', type: 'text', nullable: true })
  departmentOid!: string | null;

  @Column({ name: 'department_name', type: 'text', nullable: true })
  departmentName!: string | null;

  @Column({ type: 'text', nullable: true })
  room!: string | null;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ type: 'boolean' })
  removed!: boolean;

  @Column({ name: 'source_version', type: 'bigint' })
  sourceVersion!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;
}
