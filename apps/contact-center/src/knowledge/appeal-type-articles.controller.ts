import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@medbus/service-auth';
import { AppealTypesService } from '../appeals/appeal-types.service';
import { AppealTypeNotFoundError } from '../appeals/appeals.errors';
import { staffRoles } from '../auth/access.mapper';
import { KnowledgeQuery, type ArticleSummary } from './knowledge.query';

/** Articles linked from an appeal type: what the operator reads when registering an appeal of it. */
@ApiTags('knowledge')
@ApiBearerAuth()
@Controller('v1/appeal-types')
export class AppealTypeArticlesController {
  constructor(
    @Inject(AppealTypesService) private readonly types: AppealTypesService,
    @Inject(KnowledgeQuery) private readonly query: KnowledgeQuery,
  ) {}

  @Get(':code/articles')
  @Roles(...staffRoles)
  @ApiOperation({ summary: 'Articles linked from an appeal type, by title' })
  @ApiNotFoundResponse({ description: 'CC.APPEAL_TYPE_NOT_FOUND' })
  async articles(@Param('code') code: string): Promise<{ items: ArticleSummary[] }> {
    if (!/^[A-Z][A-Z0-9_]{0,39}$/.test(code)) throw new AppealTypeNotFoundError(code);
    await this.types.get(code);
    return { items: (await this.query.search({ appealType: code, limit: 100, offset: 0 })).items };
  }
}
