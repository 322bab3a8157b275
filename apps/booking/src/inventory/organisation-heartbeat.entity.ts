import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The latest adapter heartbeat that named an organisation: the source of its freshness. */
@Entity({ name: 'inventory_organisation_heartbeat' })
export class OrganisationHeartbeat {
  @PrimaryColumn({ name: 'organisation_oid', type: 'text' })
  organisationOid!: string;

  @Column({ name: 'adapter_id', type: 'text' })
  adapterId!: string;

  @Column({ name: 'mis_vendor', type: 'text' })
  misVendor!: string;

  @Column({ name: 'mis_reachable', type: 'boolean' })
  misReachable!: boolean;

  @Column({ name: 'last_successful_sync_at', type: 'timestamptz', nullable: true })
  lastSuccessfulSyncAt!: Date | null;

  @Column({ name: 'heartbeat_interval_ms', type: 'bigint' })
  heartbeatIntervalMs!: string;

  @Column({ name: 'heartbeat_at', type: 'timestamptz' })
  heartbeatAt!: Date;
}
