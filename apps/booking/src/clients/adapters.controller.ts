import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/auth.guard';
import { Permission } from './access.mapper';
import { AdapterRegistry } from './adapter-registry.service';

class AdapterView {
  @ApiProperty({ type: String, description: "the adapter's id, also the suffix of its Kafka topics (`mis.slot.<adapterId>`)" }) adapterId!: string;
  @ApiProperty({ type: [String], description: 'ФРМО OIDs of the organisations registered to it' }) organisations!: string[];
}

class AdapterList {
  @ApiProperty({ type: [AdapterView] }) items!: AdapterView[];
}

@ApiTags('clients')
@ApiBearerAuth()
@Requires(Permission.readAdapters)
@Controller('v1/adapters')
export class AdaptersController {
  constructor(@Inject(AdapterRegistry) private readonly registry: AdapterRegistry) {}

  @Get()
  @ApiOperation({ summary: 'Every live MIS adapter and the organisations registered to it (the federal registry and operations)' })
  @ApiOkResponse({ type: AdapterList })
  @ApiForbiddenResponse({ description: "AUTH.FORBIDDEN: the client's role may not read the adapters" })
  async list(): Promise<AdapterList> {
    return { items: await this.registry.list() };
  }
}
