import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AppConfig } from '@medbus/config';
import { NotFoundError } from '@medbus/errors';
import { CurrentCaller, Roles, type Caller } from '@medbus/service-auth';
import { branchFilterOf, readsPhoneNumbers, staffRoles } from '../auth/access.mapper';
import { cursorOf } from '../page.mapper';
import { keyOf, parsedQuery } from '../callbacks/list-query.mapper';
import type { ContactCenterConfig } from '../contact-center.config';
import { CallsQuery, type CallView } from './calls.query';

const listSchema = z
  .object({
    branch: z.string().min(1).max(63).optional(),
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
    outcome: z.enum(['ANSWERED', 'ABANDONED']).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** An Asterisk Uniqueid: the epoch seconds of the channel's creation and a sequence number. */
const uniqueidPattern = /^[0-9]{1,20}\.[0-9]{1,10}$/;

/** Recorded calls for the contact centre's staff: a branch's people see their branch, the head centre's supervisor all. */
@ApiTags('calls')
@ApiBearerAuth()
@Roles(...staffRoles)
@Controller('v1/calls')
export class CallsController {
  constructor(
    @Inject(CallsQuery) private readonly calls: CallsQuery,
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_HEAD_BRANCH'>,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Calls newest first (keyset pages); the number in clear only for an operator of the call’s branch, else masked' })
  @ApiQuery({ name: 'branch', required: false, type: String })
  @ApiQuery({ name: 'from', required: false, type: String, description: 'ISO instant, joined at or after (PBX time)' })
  @ApiQuery({ name: 'to', required: false, type: String, description: 'ISO instant, joined before' })
  @ApiQuery({ name: 'outcome', required: false, enum: ['ANSWERED', 'ABANDONED'] })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 500, default 100' })
  @ApiOkResponse({ description: '{ items, nextCursor }' })
  @ApiForbiddenResponse({ description: 'CC.BRANCH_FORBIDDEN: a branch outside the caller’s reach' })
  async list(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<{ items: CallView[]; nextCursor: string | null }> {
    const q = parsedQuery(listSchema, query);
    const branch = branchFilterOf(caller, this.config.CC_HEAD_BRANCH, q.branch);
    const page = await this.calls.list(
      { branch, ...(q.from ? { from: new Date(q.from) } : {}), ...(q.to ? { to: new Date(q.to) } : {}), ...(q.outcome ? { outcome: q.outcome } : {}), ...(q.cursor ? { after: keyOf(q.cursor) } : {}), limit: q.limit },
      (recordBranch) => readsPhoneNumbers(caller, this.config.CC_HEAD_BRANCH, recordBranch),
    );
    return { items: page.items, nextCursor: page.last ? cursorOf(page.last) : null };
  }

  @Get(':uniqueid')
  @ApiOperation({ summary: 'One call by the PBX’s Uniqueid' })
  @ApiNotFoundResponse({ description: 'CC.CALL_NOT_FOUND (also for a call of a branch outside the caller’s reach)' })
  async one(@CurrentCaller() caller: Caller, @Param('uniqueid') uniqueid: string): Promise<CallView> {
    const reach = branchFilterOf(caller, this.config.CC_HEAD_BRANCH, undefined);
    const call = uniqueid.length <= 150 ? await this.calls.get(uniqueid, (branch) => readsPhoneNumbers(caller, this.config.CC_HEAD_BRANCH, branch)) : undefined;
    // Quoted back only in the PBX's form: anything else may be a caller's number typed there.
    if (!call || (reach !== null && call.branch !== reach)) throw new NotFoundError('CC.CALL_NOT_FOUND', 'no such call', { details: { uniqueid: uniqueidPattern.test(uniqueid) ? uniqueid : 'malformed' } });
    return call;
  }
}
