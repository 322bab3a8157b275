import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@medbus/config';
import { CurrentCaller, Role, Roles, type Caller } from '@medbus/service-auth';
import { AppealDimension } from '../appeals/appeal-statistics.query';
import { branchFilterOf, supervisorRoles } from '../auth/access.mapper';
import type { ContactCenterConfig } from '../contact-center.config';
import { appealFiguresCsv, callFiguresCsv, liveCsv } from './statistics-csv.mapper';
import { appealsQuerySchema, callsQuerySchema, callsSpanOf, dailyQuerySchema, instantRangeOf, liveQuerySchema, parsed, rangeOf, wantsCsv } from './statistics-request.mapper';
import { StatisticsService, type AppealStatisticsAnswer, type CallStatistics, type DailyCallStatistics, type LiveStatistics } from './statistics.service';

interface CsvResponse {
  setHeader(name: string, value: string): unknown;
}

const branchQuery = { name: 'branch', required: false, type: String, description: 'One branch; by default every branch the caller reaches, with their consolidation. Another branch than his own is 403 CC.BRANCH_FORBIDDEN for a branch supervisor.' } as const;
const formatQuery = { name: 'format', required: false, enum: ['json', 'csv'], description: 'csv: RFC 4180, UTF-8 with BOM, as an attachment (also with Accept: text/csv)' } as const;

/**
 * Statistics of the contact centre (telephony.md's vocabulary) per branch and consolidated. Only
 * counts and durations: never a caller's number. Calls belong to the day of their joining (PBX
 * time) in CC_TIME_ZONE; weeks are ISO weeks.
 */
@ApiTags('statistics')
@ApiBearerAuth()
@Controller('v1/statistics')
export class StatisticsController {
  constructor(
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_HEAD_BRANCH' | 'CC_TIME_ZONE'>,
    @Inject(StatisticsService) private readonly statistics: StatisticsService,
  ) {}

  @Get('live')
  @Roles(Role.OPERATOR, ...supervisorRoles)
  @ApiOperation({ summary: 'The wallboard: callers waiting and the longest wait, operators logged in, available, paused and talking, per branch and in all, now; and today’s call figures so far (at most 2 s old). An operator reads his own branch only.' })
  @ApiProduces('application/json', 'text/csv')
  @ApiQuery({ ...branchQuery, description: 'One branch; by default every branch the caller reaches. An operator or branch supervisor asking another branch gets 403 CC.BRANCH_FORBIDDEN.' })
  @ApiQuery(formatQuery)
  @ApiOkResponse({ description: '{ asOf, queues: { branches[], consolidated }, today: { period, serviceLevelSeconds, branches[], consolidated } }' })
  @ApiForbiddenResponse({ description: 'CC.BRANCH_FORBIDDEN' })
  async live(@Query() query: unknown, @Headers('accept') accept: string | undefined, @CurrentCaller() caller: Caller, @Res({ passthrough: true }) response: CsvResponse): Promise<LiveStatistics | string> {
    const request = parsed(liveQuerySchema, query);
    const live = await this.statistics.live(branchFilterOf(caller, this.config.CC_HEAD_BRANCH, request.branch));
    if (!wantsCsv(request.format, accept)) return live;
    return this.attach(response, `live-${live.asOf.replace(/[:.]/g, '-')}`, liveCsv(live));
  }

  @Get('calls')
  @Roles(...supervisorRoles)
  @ApiOperation({ summary: 'Calls offered, answered and lost, service level, waits, talk, wait/talk shares and lost calls returned, for a day, an ISO week or a range of at most 93 days' })
  @ApiProduces('application/json', 'text/csv')
  @ApiQuery({ name: 'period', required: false, enum: ['day', 'week'], description: 'With date (default: today); not with from/to' })
  @ApiQuery({ name: 'date', required: false, type: String, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'from', required: false, type: String, description: 'YYYY-MM-DD, with to; both days counted' })
  @ApiQuery({ name: 'to', required: false, type: String, description: 'YYYY-MM-DD' })
  @ApiQuery(branchQuery)
  @ApiQuery(formatQuery)
  @ApiOkResponse({ description: '{ period, serviceLevelSeconds, branches[], consolidated }' })
  @ApiForbiddenResponse({ description: 'CC.BRANCH_FORBIDDEN' })
  async calls(@Query() query: unknown, @Headers('accept') accept: string | undefined, @CurrentCaller() caller: Caller, @Res({ passthrough: true }) response: CsvResponse): Promise<CallStatistics | string> {
    const request = parsed(callsQuerySchema, query);
    const branch = branchFilterOf(caller, this.config.CC_HEAD_BRANCH, request.branch);
    const { statistics, rows } = await this.statistics.callsIn(callsSpanOf(request, this.statistics.today()), branch);
    if (!wantsCsv(request.format, accept)) return statistics;
    return this.attach(response, `calls-${statistics.period.from}-${statistics.period.to}`, callFiguresCsv(rows));
  }

  @Get('calls/daily')
  @Roles(...supervisorRoles)
  @ApiOperation({ summary: 'The call figures of every day of a range (at most 93 days), per branch and consolidated' })
  @ApiProduces('application/json', 'text/csv')
  @ApiQuery({ name: 'from', required: true, type: String, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'to', required: true, type: String, description: 'YYYY-MM-DD, counted' })
  @ApiQuery(branchQuery)
  @ApiQuery(formatQuery)
  @ApiOkResponse({ description: '{ period, serviceLevelSeconds, days[{ date, branches[], consolidated }] }' })
  @ApiForbiddenResponse({ description: 'CC.BRANCH_FORBIDDEN' })
  async daily(@Query() query: unknown, @Headers('accept') accept: string | undefined, @CurrentCaller() caller: Caller, @Res({ passthrough: true }) response: CsvResponse): Promise<DailyCallStatistics | string> {
    const request = parsed(dailyQuerySchema, query);
    const branch = branchFilterOf(caller, this.config.CC_HEAD_BRANCH, request.branch);
    const { statistics, rows } = await this.statistics.dailyIn(rangeOf(request.from, request.to), branch);
    if (!wantsCsv(request.format, accept)) return statistics;
    return this.attach(response, `calls-daily-${statistics.period.from}-${statistics.period.to}`, callFiguresCsv(rows));
  }

  @Get('appeals')
  @Roles(...supervisorRoles)
  @ApiOperation({ summary: 'Appeals registered in a range (at most 93 days) by type, medical profile, organisation, district or branch, as they stand now: registered, resolved (within the deadline), closed, escalated, overdue, follow-ups done and satisfied' })
  @ApiProduces('application/json', 'text/csv')
  @ApiQuery({ name: 'from', required: true, type: String, description: 'YYYY-MM-DD (from its midnight in CC_TIME_ZONE) or an ISO 8601 instant with offset' })
  @ApiQuery({ name: 'to', required: true, type: String, description: 'YYYY-MM-DD (the day counted) or an ISO 8601 instant (excluded)' })
  @ApiQuery({ name: 'by', required: false, enum: Object.values(AppealDimension), description: 'default type' })
  @ApiQuery(branchQuery)
  @ApiQuery(formatQuery)
  @ApiOkResponse({ description: '{ period, by, asOf, rows[{ key, name, ...counts }], total }' })
  @ApiForbiddenResponse({ description: 'CC.BRANCH_FORBIDDEN' })
  async appeals(@Query() query: unknown, @Headers('accept') accept: string | undefined, @CurrentCaller() caller: Caller, @Res({ passthrough: true }) response: CsvResponse): Promise<AppealStatisticsAnswer | string> {
    const request = parsed(appealsQuerySchema, query);
    const branch = branchFilterOf(caller, this.config.CC_HEAD_BRANCH, request.branch);
    const statistics = await this.statistics.appealsIn(instantRangeOf(request.from, request.to, this.config.CC_TIME_ZONE), branch, request.by);
    if (!wantsCsv(request.format, accept)) return statistics;
    return this.attach(response, `appeals-by-${request.by}-${statistics.period.from}-${statistics.period.to}`, appealFiguresCsv(request.by, statistics));
  }

  private attach(response: CsvResponse, name: string, csv: string): string {
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
    return csv;
  }
}
