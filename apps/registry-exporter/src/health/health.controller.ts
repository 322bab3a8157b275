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
  @ApiOperation({ summary: "Readiness: the database and Kafka's brokers answer and the consumer runs; the federal link is reported, never failing it" })
  @ApiOkResponse({ description: '{ status: "ready", checks, consumers, federal }' })
  @ApiServiceUnavailableResponse({ description: '{ status: "not_ready", checks, consumers, federal }' })
  async ready(@Res({ passthrough: true }) response: StatusResponse): Promise<Readiness> {
    const readiness = await this.health.readiness();
    response.status(readiness.status === 'ready' ? 200 : 503);
    return readiness;
  }
}
