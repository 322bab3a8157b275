import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@medbus/config';
import { CurrentCaller, Role, Roles, type Caller } from '@medbus/service-auth';
import { staffRoles, supervisorRoles } from '../auth/access.mapper';
import type { ContactCenterConfig } from '../contact-center.config';
import { appealReachOf } from './appeal-access.mapper';
import { cursorOf, uuidPattern } from '../page.mapper';
import { followUpSchema, idempotencyKeySchema, keyOf, listSchema, pageSchema, parsed, registrationSchema, transitionSchema } from './appeal-request.mapper';
import type { AppealSummary, AppealView } from './appeal-view.mapper';
import { AppealNotFoundError } from './appeals.errors';
import { AppealOrder, AppealsQuery, type AppealFilter, type AppealPage } from './appeals.query';
import { AppealsService } from './appeals.service';
import { Clock } from '../clock.service';

interface StatusResponse {
  status(code: number): unknown;
}

interface AppealList {
  readonly items: AppealSummary[];
  readonly nextCursor: string | null;
}

const listOf = (page: AppealPage): AppealList => ({ items: page.items, nextCursor: page.last === undefined ? null : cursorOf(page.last) });

/** A path id that is no uuid is not found, and not quoted back: it may be an applicant's number typed there. */
function appealIdOf(id: string): string {
  if (!uuidPattern.test(id)) throw new AppealNotFoundError('malformed');
  return id.toLowerCase();
}

/**
 * Appeals (обращения): registered by operators, worked on the first line or passed to the second,
 * resolved within the regulation's deadline and closed after a follow-up call. Texts and numbers are
 * shown as the caller's role allows (appeal-access.mapper.ts): supervisors read texts, never numbers.
 */
@ApiTags('appeals')
@ApiBearerAuth()
@Controller('v1/appeals')
export class AppealsController {
  constructor(
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_HEAD_BRANCH'>,
    @Inject(AppealsService) private readonly appeals: AppealsService,
    @Inject(AppealsQuery) private readonly query: AppealsQuery,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  @Post()
  @Roles(Role.OPERATOR)
  @ApiOperation({ summary: 'Registers an appeal in the operator’s branch; its deadline follows its type’s regulation in force now' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The same key with the same body answers the appeal registered first (200); with another body, 409 CC.IDEMPOTENCY_KEY_REUSED' })
  @ApiBody({ description: '{ type, text, applicantPhone, profileCode?, organisationOid?, districtId?, patientId? }' })
  @ApiCreatedResponse({ description: 'The appeal as the operator sees it' })
  async register(@Body() body: unknown, @Headers('idempotency-key') key: string | undefined, @CurrentCaller() caller: Caller, @Res({ passthrough: true }) response: StatusResponse): Promise<AppealView> {
    const input = parsed(registrationSchema, body);
    const { appeal, created } = await this.appeals.register(input, caller, parsed(idempotencyKeySchema, key));
    response.status(created ? 201 : 200);
    return this.query.get(appeal.id, caller);
  }

  @Get()
  @Roles(...staffRoles)
  @ApiOperation({ summary: 'Appeals within the caller’s reach, newest first (no text or number: open one to read them)' })
  @ApiQuery({ name: 'status', required: false, type: String })
  @ApiQuery({ name: 'type', required: false, type: String })
  @ApiQuery({ name: 'branch', required: false, type: String, description: 'Outside the caller’s reach: 403 CC.BRANCH_FORBIDDEN' })
  @ApiQuery({ name: 'escalated', required: false, type: Boolean, description: 'Escalated or overdue' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 200, default 50' })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiOkResponse({ description: '{ items, nextCursor }' })
  async list(@Query() raw: unknown, @CurrentCaller() caller: Caller): Promise<AppealList> {
    const q = parsed(listSchema, raw);
    const filter: AppealFilter = { reach: appealReachOf(caller, this.config.CC_HEAD_BRANCH, q.branch), status: q.status, type: q.type, escalated: q.escalated };
    return listOf(await this.query.page(filter, AppealOrder.newest, q.limit, q.cursor === undefined ? undefined : keyOf(q.cursor)));
  }

  @Get('escalated')
  @Roles(...supervisorRoles)
  @ApiOperation({ summary: 'Open appeals escalated before their deadline or past it, the most urgent first' })
  @ApiQuery({ name: 'branch', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  async escalated(@Query() raw: unknown, @CurrentCaller() caller: Caller): Promise<AppealList> {
    const q = parsed(pageSchema, raw);
    const filter: AppealFilter = { reach: appealReachOf(caller, this.config.CC_HEAD_BRANCH, q.branch), escalated: true, open: true };
    return listOf(await this.query.page(filter, AppealOrder.mostUrgent, q.limit, q.cursor === undefined ? undefined : keyOf(q.cursor)));
  }

  @Get('follow-ups-due')
  @Roles(Role.OPERATOR, ...supervisorRoles)
  @ApiOperation({ summary: 'Resolved appeals whose follow-up call (was the problem solved?) is due now, the longest due first' })
  @ApiQuery({ name: 'branch', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  async followUpsDue(@Query() raw: unknown, @CurrentCaller() caller: Caller): Promise<AppealList> {
    const q = parsed(pageSchema, raw);
    const filter: AppealFilter = { reach: appealReachOf(caller, this.config.CC_HEAD_BRANCH, q.branch), followUpDueBy: this.clock.now() };
    return listOf(await this.query.page(filter, AppealOrder.followUpDue, q.limit, q.cursor === undefined ? undefined : keyOf(q.cursor)));
  }

  @Get(':id')
  @Roles(...staffRoles)
  @ApiOperation({ summary: 'One appeal with its history; the number in clear only for its branch’s operators and its second-line doctor' })
  @ApiNotFoundResponse({ description: 'CC.APPEAL_NOT_FOUND (also for an appeal outside the caller’s reach)' })
  async get(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<AppealView> {
    return this.query.get(appealIdOf(id), caller);
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @Roles(...staffRoles)
  @ApiOperation({ summary: 'Moves the appeal on: take it, pass it to the second line (note: the hand-over), resolve it (note: the answer), reassign it' })
  @ApiBody({ description: '{ to, note?, assignTo? }' })
  @ApiConflictResponse({ description: 'CC.APPEAL_TRANSITION_NOT_ALLOWED' })
  async transition(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<AppealView> {
    const appealId = appealIdOf(id);
    await this.appeals.transition(appealId, parsed(transitionSchema, body), caller);
    return this.query.get(appealId, caller);
  }

  @Post(':id/follow-up')
  @HttpCode(200)
  @Roles(Role.OPERATOR)
  @ApiOperation({ summary: 'Records the follow-up call: SATISFIED closes, NOT_SATISFIED reopens, NOT_REACHED sets the next call (closed after the third)' })
  @ApiBody({ description: '{ outcome: SATISFIED | NOT_SATISFIED | NOT_REACHED, note? }' })
  @ApiConflictResponse({ description: 'CC.APPEAL_TRANSITION_NOT_ALLOWED: the appeal is not awaiting a follow-up' })
  async followUp(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<AppealView> {
    const appealId = appealIdOf(id);
    await this.appeals.followUp(appealId, parsed(followUpSchema, body), caller);
    return this.query.get(appealId, caller);
  }
}
