import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@medbus/config';
import { CurrentCaller, Role, Roles, type Caller } from '@medbus/service-auth';
import { branchScopeOf } from '../auth/access.mapper';
import type { ContactCenterConfig } from '../contact-center.config';
import { cursorOf, uuidPattern } from '../page.mapper';
import { keyOf, parsed, taskDoneSchema, taskListSchema } from './bus-request.mapper';
import { PatientTaskNotFoundError } from './bus.errors';
import { PatientTaskQuery, type PatientTask } from './patient-task.query';
import { PatientTaskService, TaskKind, TaskOutcome, TaskStatus } from './patient-task.service';

/**
 * Tasks to call a patient: a waitlist offer to tell him of (closes itself when the offer expires or he
 * books it), an appointment whose slot or doctor was withdrawn (call to rebook). Operators see the
 * tasks of their branch and those of any branch; supervisors those of their reach.
 */
@ApiTags('patient-tasks')
@ApiBearerAuth()
@Controller('v1/patient-tasks')
export class PatientTasksController {
  constructor(
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_HEAD_BRANCH'>,
    @Inject(PatientTaskQuery) private readonly query: PatientTaskQuery,
    @Inject(PatientTaskService) private readonly tasks: PatientTaskService,
  ) {}

  @Get()
  @Roles(Role.OPERATOR, Role.BRANCH_SUPERVISOR, Role.HEAD_SUPERVISOR)
  @ApiOperation({ summary: 'Tasks to call patients, soonest due first' })
  @ApiQuery({ name: 'status', required: false, enum: Object.values(TaskStatus) })
  @ApiQuery({ name: 'kind', required: false, enum: Object.values(TaskKind) })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 500, default 100' })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiOkResponse({ description: '{ items, nextCursor }' })
  async list(@Query() raw: unknown, @CurrentCaller() caller: Caller): Promise<{ items: PatientTask[]; nextCursor: string | null }> {
    const q = parsed(taskListSchema, raw);
    const page = await this.query.page({
      status: q.status,
      kind: q.kind,
      branch: branchScopeOf(caller, this.config.CC_HEAD_BRANCH),
      limit: q.limit,
      ...(q.cursor === undefined ? {} : { after: keyOf(q.cursor) }),
    });
    return { items: page.items, nextCursor: page.last === undefined ? null : cursorOf(page.last) };
  }

  @Post(':id/done')
  @HttpCode(204)
  @Roles(Role.OPERATOR)
  @ApiOperation({ summary: 'Closes an open task with what came of the call' })
  @ApiBody({ description: `{ outcome: ${Object.values(TaskOutcome).join(' | ')} }` })
  @ApiNoContentResponse({ description: 'Closed' })
  @ApiNotFoundResponse({ description: 'CC.PATIENT_TASK_NOT_FOUND (also a task of another branch)' })
  @ApiConflictResponse({ description: 'CC.PATIENT_TASK_CLOSED: done, or expired with its offer' })
  async done(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<void> {
    // Not quoted back: a path id that is no uuid may be a patient's number typed there.
    if (!uuidPattern.test(id)) throw new PatientTaskNotFoundError('malformed');
    const { outcome } = parsed(taskDoneSchema, body);
    await this.tasks.done(id.toLowerCase(), outcome, caller.clientId, branchScopeOf(caller, this.config.CC_HEAD_BRANCH));
  }
}
