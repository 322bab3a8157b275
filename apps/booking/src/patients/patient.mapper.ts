import { ApiProperty } from '@nestjs/swagger';

export interface IdentifiedPatient {
  readonly patientId: string;
  readonly organisationOid: string;
  readonly registered: boolean;
  readonly attached: boolean | null;
}

export class IdentifiedPatientView implements IdentifiedPatient {
  @ApiProperty({ type: String, format: 'uuid', description: "medbus's id of the patient at this organisation; pass it to bookings." })
  patientId!: string;
  @ApiProperty({ type: String })
  organisationOid!: string;
  @ApiProperty({ type: Boolean, description: 'Whether the MIS registered the patient just now.' })
  registered!: boolean;
  @ApiProperty({ nullable: true, type: Boolean, description: 'Attached (прикреплён) to the organisation, when the MIS says.' })
  attached!: boolean | null;
}
