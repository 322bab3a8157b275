import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@medbus/service-auth';
import { staffRoles } from '../auth/access.mapper';
import { RegionHealthQuery, type RegionHealth } from './region-health.query';

/** Whether each organisation's MIS data is current: the operators see it before they promise a slot, the supervisors on their dashboard. */
@ApiTags('region')
@ApiBearerAuth()
@Roles(...staffRoles)
@Controller('v1/region')
export class RegionHealthController {
  constructor(@Inject(RegionHealthQuery) private readonly region: RegionHealthQuery) {}

  @Get('health')
  @ApiOperation({ summary: 'Every organisation with its adapter, last heartbeat and state FRESH, STALE (the district warnings’ rules: MIS unreachable, sync stale, heartbeat silent) or UNKNOWN (no heartbeat yet), and the counts' })
  @ApiOkResponse({ description: '{ organisations: [{ oid, name, district, districtName, adapter, lastHeartbeatAt, state }], summary: { fresh, stale, unknown } }' })
  health(): Promise<RegionHealth> {
    return this.region.health();
  }
}
