import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@medbus/service-auth';
import { HealthService, type Readiness } from './health.service';

interface StatusResponse {
  status(code: number): unknown;
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live(): { status: 'alive' } {
    return { status: 'alive' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers and every critical part (AMI link, bus consumer) works' })
  @ApiOkResponse({ description: '{ status: "ready", checks, details }' })
  @ApiServiceUnavailableResponse({ description: '{ status: "not_ready", checks, details }' })
  async ready(@Res({ passthrough: true }) response: StatusResponse): Promise<Readiness> {
    const readiness = await this.health.readiness();
    response.status(readiness.status === 'ready' ? 200 : 503);
    return readiness;
  }
}
