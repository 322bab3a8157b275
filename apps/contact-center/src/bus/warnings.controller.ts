import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '@medbus/service-auth';
import { staffRoles } from '../auth/access.mapper';
import { parsed, warningListSchema } from './bus-request.mapper';
import { DistrictWarningQuery, type DistrictWarning } from './district-warning.query';

/** Warnings to the operators of a district that an organisation's MIS data may not be current. */
@ApiTags('warnings')
@ApiBearerAuth()
@Roles(...staffRoles)
@Controller('v1/warnings')
export class WarningsController {
  constructor(@Inject(DistrictWarningQuery) private readonly warnings: DistrictWarningQuery) {}

  @Get()
  @ApiOperation({ summary: "Warnings of an organisation's MIS unreachable, stale or silent, latest first (at most 500)" })
  @ApiQuery({ name: 'district', required: false, type: String, description: 'District id as the MIS publishes it' })
  @ApiQuery({ name: 'open', required: false, type: Boolean, description: 'true: not yet cleared; false: cleared' })
  @ApiOkResponse({ description: '{ items }' })
  async list(@Query() raw: unknown): Promise<{ items: DistrictWarning[] }> {
    const q = parsed(warningListSchema, raw);
    return { items: await this.warnings.list({ districtId: q.district, open: q.open }) };
  }
}
