import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, Role, Roles, type Caller } from '@medbus/service-auth';
import { staffRoles, supervisorRoles } from '../auth/access.mapper';
import { articleSchema, cursorOf, offsetOf, parsed, searchSchema, slugOf } from './knowledge-request.mapper';
import { KnowledgeQuery, type Article, type ArticleSummary } from './knowledge.query';
import { KnowledgeService } from './knowledge.service';

interface StatusResponse {
  status(code: number): unknown;
}

/** The knowledge base operators read during a call: regulations, FAQ, scripts. */
@ApiTags('knowledge')
@ApiBearerAuth()
@Controller('v1/knowledge/articles')
export class KnowledgeController {
  constructor(
    @Inject(KnowledgeQuery) private readonly query: KnowledgeQuery,
    @Inject(KnowledgeService) private readonly knowledge: KnowledgeService,
  ) {}

  @Get()
  @Roles(...staffRoles)
  @ApiOperation({ summary: 'Full-text search in Russian (any word form: «записаться к педиатру» finds «Запись к педиатрам»), best first with a snippet; without q, every article by title' })
  @ApiQuery({ name: 'q', required: false, type: String, description: 'Web-search syntax: words, "a phrase", -excluded, or' })
  @ApiQuery({ name: 'kind', required: false, enum: ['REGULATION', 'FAQ', 'SCRIPT'] })
  @ApiQuery({ name: 'appealType', required: false, type: String, description: 'Only articles linked from this appeal type' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 100, default 20' })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiOkResponse({ description: '{ items: [{ slug, kind, title, tags, appealTypes, updatedAt, snippet, rank }], nextCursor }' })
  async search(@Query() raw: unknown): Promise<{ items: ArticleSummary[]; nextCursor: string | null }> {
    const q = parsed(searchSchema, raw);
    const offset = offsetOf(q.cursor);
    const { items, more } = await this.query.search({ q: q.q, kind: q.kind, appealType: q.appealType, limit: q.limit, offset });
    return { items, nextCursor: more ? cursorOf(offset + q.limit) : null };
  }

  @Get(':slug')
  @Roles(...staffRoles)
  @ApiOperation({ summary: 'One article, its body in markdown' })
  @ApiNotFoundResponse({ description: 'CC.KB_ARTICLE_NOT_FOUND' })
  async get(@Param('slug') slug: string): Promise<Article> {
    return this.query.get(slugOf(slug));
  }

  @Put(':slug')
  @Roles(...supervisorRoles)
  @ApiOperation({ summary: 'Creates or replaces an article with its links to appeal types (201 when new)' })
  @ApiBody({ description: '{ kind: REGULATION | FAQ | SCRIPT, title, body (markdown), tags?, appealTypes? }' })
  async put(@Param('slug') slug: string, @Body() body: unknown, @CurrentCaller() caller: Caller, @Res({ passthrough: true }) response: StatusResponse): Promise<Article> {
    const { created } = await this.knowledge.put(slugOf(slug), parsed(articleSchema, body), caller.clientId);
    response.status(created ? 201 : 200);
    return this.query.get(slug);
  }

  @Delete(':slug')
  @HttpCode(204)
  @Roles(Role.HEAD_SUPERVISOR)
  @ApiOperation({ summary: 'Deletes an article and its links' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'CC.KB_ARTICLE_NOT_FOUND' })
  async delete(@Param('slug') slug: string): Promise<void> {
    await this.knowledge.delete(slugOf(slug));
  }
}
