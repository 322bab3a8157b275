import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { BookingChannel, SlotStatus } from '@medbus/contracts';

/**
 * A slot as its MIS last described it; `removed` rows are tombstones. District, NSI codes and
 * `offered` are copies kept in step with the organisation and resource, for index-only search.
 */
@Entity({ name: 'inventory_slot' })
export class Slot {
  @PrimaryColumn({ name: 'slot_id', type: 'text' })
  slotId!: string;

  @Column({ name: 'organisation_oid', type: 'text' })
  organisationOid!: string;

  @Column({ name: 'resource_id', type: 'text' })
  resourceId!: string;

  @Column({ name: 'local_slot_id', type: 'text', nullable: true })
  localSlotId!: string | null;

  @Column({ name: 'local_resource_id', type: 'text', nullable: true })
  localResourceId!: string | null;

  @Column({ name: 'starts_at', type: 'timestamptz', nullable: true })
  startsAt!: Date | null;

  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true })
  endsAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  status!: SlotStatus | null;

  @Column({ name: 'booking_channels', type: 'text', array: true })
  bookingChannels!: BookingChannel[];

  @Column({ type: 'text', nullable: true })
  room!: string | null;

  @Column({ type: 'boolean' })
  removed!: boolean;

  @Column({ name: 'source_version', type: 'bigint' })
  sourceVersion!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'district_id', type: 'text', nullable: true })
  districtId!: string | null;

  @Column({ name: 'specialty_nsi_code', type: 'text', nullable: true })
  specialtyNsiCode!: string | null;

  @Column({ name: 'position_nsi_code', type: 'text', nullable: true })
  positionNsiCode!: string | null;

  @Column({ type: 'boolean' })
  offered!: boolean;
}
