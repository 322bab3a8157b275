import { Body, Controller, Get, Inject, Param, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, Role, Roles, type Caller } from '@medbus/service-auth';
import { staffRoles } from '../auth/access.mapper';
import { appealTypeSchema, parsed } from './appeal-request.mapper';
import { AppealTypesService, type AppealType } from './appeal-types.service';
import { InvalidAppealRequestError } from './appeals.errors';

interface StatusResponse {
  status(code: number): unknown;
}

/** Appeal types and the regulation of each: how many days an appeal's review may take, when it is escalated. */
@ApiTags('appeals')
@ApiBearerAuth()
@Controller('v1/appeal-types')
export class AppealTypesController {
  constructor(@Inject(AppealTypesService) private readonly types: AppealTypesService) {}

  @Get()
  @Roles(...staffRoles)
  @ApiOperation({ summary: 'Every appeal type with its regulation' })
  async list(): Promise<{ items: AppealType[] }> {
    return { items: await this.types.list() };
  }

  @Put(':code')
  @Roles(Role.HEAD_SUPERVISOR)
  @ApiOperation({ summary: 'Creates or changes a type’s regulation; it applies to appeals registered from now on, appeals already registered keep their deadline' })
  @ApiBody({ description: '{ name, reviewDays, escalateBeforeHours?, active? }' })
  @ApiOkResponse({ description: '{ type, appliesTo: "appeals registered from now on" } (201 when the type is new)' })
  async put(@Param('code') code: string, @Body() body: unknown, @CurrentCaller() caller: Caller, @Res({ passthrough: true }) response: StatusResponse): Promise<{ type: AppealType; appliesTo: string }> {
    if (!/^[A-Z][A-Z0-9_]{0,39}$/.test(code)) throw new InvalidAppealRequestError(['code: must be an appeal type code']);
    const { type, created } = await this.types.put(code, parsed(appealTypeSchema, body), caller.clientId);
    response.status(created ? 201 : 200);
    return { type, appliesTo: 'appeals registered from now on; appeals already registered keep their deadline' };
  }
}
