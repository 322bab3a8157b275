import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AppConfig } from '@medbus/config';
import { CurrentCaller, Role, Roles, type Caller } from '@medbus/service-auth';
import { branchFilterOf, branchScopeOf, readsPhoneNumbers, staffRoles } from '../auth/access.mapper';
import type { ContactCenterConfig } from '../contact-center.config';
import { CallbackAttemptsService } from './callback-attempts.service';
import { CallbackTasksQuery, type CallbackTaskDetail, type CallbackTaskView, type UnreturnedCall } from './callback-tasks.query';
import { CallbackNotFoundError, CallbackOtherBranchError } from './callbacks.errors';
import { Clock } from '../clock.service';
import { DiallerPoller } from './dialler.poller';
import { cursorOf } from '../page.mapper';
import { keyOf, parsedQuery, taskKeyOf } from './list-query.mapper';

const listSchema = z
  .object({
    branch: z.string().min(1).max(63).optional(),
    status: z.enum(['OPEN', 'DIALLING', 'DONE', 'UNREACHED']).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
const unreturnedSchema = listSchema.omit({ status: true });
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Call-back tasks: lists for staff, claiming and dialling for the operators of the task's branch. */
@ApiTags('callbacks')
@ApiBearerAuth()
@Roles(...staffRoles)
@Controller('v1/callbacks')
export class CallbacksController {
  constructor(
    @Inject(CallbackTasksQuery) private readonly tasks: CallbackTasksQuery,
    @Inject(CallbackAttemptsService) private readonly attempts: CallbackAttemptsService,
    @Inject(DiallerPoller) private readonly dialler: DiallerPoller,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_HEAD_BRANCH'>,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Call-back tasks, oldest lost call first (keyset pages); numbers in clear only for an operator of the task’s branch' })
  @ApiQuery({ name: 'branch', required: false, type: String })
  @ApiQuery({ name: 'status', required: false, enum: ['OPEN', 'DIALLING', 'DONE', 'UNREACHED'] })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 500, default 100' })
  @ApiOkResponse({ description: '{ items, nextCursor }' })
  @ApiForbiddenResponse({ description: 'CC.BRANCH_FORBIDDEN' })
  async list(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<{ items: CallbackTaskView[]; nextCursor: string | null }> {
    const q = parsedQuery(listSchema, query);
    const branch = branchFilterOf(caller, this.config.CC_HEAD_BRANCH, q.branch);
    const page = await this.tasks.list({ branch, ...(q.status ? { status: q.status } : {}), ...(q.cursor ? { after: taskKeyOf(q.cursor) } : {}), limit: q.limit }, this.inClear(caller));
    return { items: page.items, nextCursor: page.last ? cursorOf(page.last) : null };
  }

  @Get('unreturned')
  @ApiOperation({ summary: 'Every lost call not yet returned (task open, dialling or unreached), oldest first, with its age' })
  @ApiQuery({ name: 'branch', required: false, type: String })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 500, default 100' })
  @ApiOkResponse({ description: '{ items, nextCursor }' })
  async unreturned(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<{ items: UnreturnedCall[]; nextCursor: string | null }> {
    const q = parsedQuery(unreturnedSchema, query);
    const branch = branchFilterOf(caller, this.config.CC_HEAD_BRANCH, q.branch);
    const page = await this.tasks.unreturned({ branch, ...(q.cursor ? { after: keyOf(q.cursor) } : {}), limit: q.limit }, this.clock.now());
    return { items: page.items, nextCursor: page.last ? cursorOf(page.last) : null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A call-back task with the lost calls it covers and its attempts' })
  @ApiNotFoundResponse({ description: 'CC.CALLBACK_NOT_FOUND (also for a task of a branch outside the caller’s reach)' })
  async one(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<CallbackTaskDetail> {
    const reach = branchScopeOf(caller, this.config.CC_HEAD_BRANCH);
    const task = uuidPattern.test(id) ? await this.tasks.get(id, this.inClear(caller)) : undefined;
    if (!task || (reach !== null && task.branch !== reach)) throw new CallbackNotFoundError(uuidPattern.test(id) ? id : 'malformed');
    return task;
  }

  @Post(':id/claim')
  @HttpCode(200)
  @Roles(Role.OPERATOR)
  @ApiOperation({ summary: 'The calling operator takes the task (of his branch); the dialler then leaves it to him' })
  @ApiConflictResponse({ description: 'CC.CALLBACK_CLOSED, CC.CALLBACK_CLAIMED' })
  @ApiForbiddenResponse({ description: 'CC.CALLBACK_OTHER_BRANCH' })
  async claim(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<CallbackTaskDetail> {
    if (!uuidPattern.test(id)) throw new CallbackNotFoundError('malformed');
    await this.attempts.claim(id, caller.clientId, this.ownBranch(caller, id));
    return this.one(caller, id);
  }

  @Post(':id/attempts')
  @HttpCode(202)
  @Roles(Role.OPERATOR)
  @ApiOperation({ summary: 'Dials the caller now through the PBX (Originate); the outcome appears on the task' })
  @ApiAcceptedResponse({ description: '{ attemptId }' })
  @ApiConflictResponse({ description: 'CC.CALLBACK_ATTEMPT_RUNNING, CC.CALLBACK_CLOSED, CC.CALLBACK_CLAIMED' })
  @ApiForbiddenResponse({ description: 'CC.CALLBACK_OTHER_BRANCH' })
  async dial(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<{ attemptId: string }> {
    if (!uuidPattern.test(id)) throw new CallbackNotFoundError('malformed');
    return { attemptId: await this.dialler.dialNow(id, caller.clientId, this.ownBranch(caller, id)) };
  }

  private inClear(caller: Caller): (branch: string) => boolean {
    return (branch) => readsPhoneNumbers(caller, this.config.CC_HEAD_BRANCH, branch);
  }

  private ownBranch(caller: Caller, id: string): (branch: string) => void {
    return (branch) => {
      if (branchScopeOf(caller, this.config.CC_HEAD_BRANCH) !== branch) throw new CallbackOtherBranchError(id);
    };
  }
}
