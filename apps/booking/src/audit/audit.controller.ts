import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Requires } from '../auth/auth.guard';
import { parseBody } from '../booking-request.mapper';
import { Permission } from '../clients/access.mapper';
import { AuditLog, type AuditRecord } from './audit.service';

class AuditRecordView {
  @ApiProperty({ type: String }) auditId!: string;
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true }) clientId!: string | null;
  @ApiProperty({ type: String, nullable: true }) role!: string | null;
  @ApiProperty({ type: String, example: 'appointment.cancel' }) action!: string;
  @ApiProperty({ enum: ['ALLOWED', 'REFUSED', 'FAILED'] }) outcome!: string;
  @ApiProperty({ type: String, nullable: true }) resourceType!: string | null;
  @ApiProperty({ type: String, nullable: true }) resourceId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) details!: Record<string, unknown> | null;
}

class AuditPage {
  @ApiProperty({ type: [AuditRecordView] }) items!: AuditRecordView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

const auditQuerySchema = z
  .object({
    clientId: z.string().max(100).optional(),
    action: z.string().max(100).optional(),
    resourceId: z.string().max(200).optional(),
    outcome: z.enum(['ALLOWED', 'REFUSED', 'FAILED']).optional(),
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
    cursor: z.string().regex(/^[1-9][0-9]{0,17}$/, 'is not a cursor this API issued').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

@ApiTags('audit')
@ApiBearerAuth()
@Requires(Permission.readAudit)
@Controller('v1/audit')
export class AuditController {
  constructor(@Inject(AuditLog) private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first (operations only): who read, created, changed or cancelled what, and refused authentications' })
  @ApiQuery({ name: 'clientId', required: false, type: String })
  @ApiQuery({ name: 'action', required: false, type: String, description: 'e.g. appointment.cancel, patient.identify, auth.authenticate' })
  @ApiQuery({ name: 'resourceId', required: false, type: String })
  @ApiQuery({ name: 'outcome', required: false, enum: ['ALLOWED', 'REFUSED', 'FAILED'] })
  @ApiQuery({ name: 'from', required: false, type: String, format: 'date-time' })
  @ApiQuery({ name: 'to', required: false, type: String, format: 'date-time' })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 500, default 100' })
  @ApiOkResponse({ type: AuditPage })
  async find(@Query() query: unknown): Promise<AuditPage> {
    const filter = parseBody(auditQuerySchema, query);
    const records = await this.audit.find({
      ...filter,
      from: filter.from ? new Date(filter.from) : undefined,
      to: filter.to ? new Date(filter.to) : undefined,
      before: filter.cursor,
      limit: filter.limit + 1,
    });
    const items = records.slice(0, filter.limit).map(viewOf);
    return { items, nextCursor: records.length > filter.limit ? items[items.length - 1].auditId : null };
  }
}

function viewOf(record: AuditRecord): AuditRecordView {
  return { ...record, at: record.at.toISOString(), resourceType: record.resourceType || null };
}
