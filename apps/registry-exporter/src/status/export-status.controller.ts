import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, Role, Roles, type Caller } from '@medbus/service-auth';
import { Clock } from '../export/clock.service';
import { InvalidExportQueryError, OrganisationNotFoundError, ReconciliationNotFoundError } from '../exporter.errors';
import { ReconciliationPoller } from '../reconciliation/reconciliation.poller';
import { ReconciliationService, ReconciliationTrigger, type ReconciliationRun } from '../reconciliation/reconciliation.service';
import { ExportStatusQuery, type DataQualityPage, type FederalLinkStatus, type OrganisationExportStatus } from './export-status.query';

const dataQualityQuerySchema = z
  .object({
    organisation: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(1000).optional(),
  })
  .strict();

const oidPattern = /^[0-9]+(\.[0-9]+){1,40}$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parsed<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidExportQueryError(result.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`));
  return result.data;
}

/** A cursor is the last row's key, opaque to callers. */
function cursorOf(key: readonly [string, string, string]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function keyOf(cursor: string): [string, string, string] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 3 && key.every((part) => typeof part === 'string')) return key as [string, string, string];
  } catch {
    // refused below
  }
  throw new InvalidExportQueryError(['cursor: is not a cursor this API issued']);
}

/** The export to the federal registry as operations follow it: per organisation, data-quality errors, reconciliation. */
@ApiTags('export')
@ApiBearerAuth()
@Roles(Role.OPERATIONS, Role.OPERATOR)
@Controller('v1/export')
export class ExportStatusController {
  constructor(
    @Inject(ExportStatusQuery) private readonly status: ExportStatusQuery,
    @Inject(ReconciliationService) private readonly reconciliation: ReconciliationService,
    @Inject(ReconciliationPoller) private readonly poller: ReconciliationPoller,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  @Get('status')
  @ApiOperation({ summary: 'Per organisation: exported locations and slots, backlog, held back, rejected, data-quality errors, last success and error; and the federal link' })
  @ApiOkResponse({ description: '{ federal, organisations[] }' })
  async all(): Promise<{ federal: FederalLinkStatus; organisations: OrganisationExportStatus[] }> {
    const [federal, organisations] = await Promise.all([this.status.federalLink(), this.status.organisations(this.clock.now())]);
    return { federal, organisations };
  }

  @Get('status/:organisationOid')
  @ApiOperation({ summary: "One organisation's export, with the federal link" })
  @ApiParam({ name: 'organisationOid', description: 'ФРМО OID' })
  @ApiNotFoundResponse({ description: 'EXPORT.ORGANISATION_NOT_FOUND' })
  async one(@Param('organisationOid') organisationOid: string): Promise<OrganisationExportStatus & { federal: FederalLinkStatus }> {
    if (!oidPattern.test(organisationOid)) throw new InvalidExportQueryError(['organisationOid: is not an OID']);
    const [federal, [organisation]] = await Promise.all([this.status.federalLink(), this.status.organisations(this.clock.now(), organisationOid)]);
    if (!organisation) throw new OrganisationNotFoundError(organisationOid);
    return { ...organisation, federal };
  }

  @Get('data-quality')
  @ApiOperation({ summary: 'What holds objects back or what the federal side refused, per organisation and object (ids and codes only, never a SNILS)' })
  @ApiQuery({ name: 'organisation', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 500, default 100' })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  async dataQuality(@Query() query: unknown): Promise<DataQualityPage> {
    const filter = parsed(dataQualityQuerySchema, query);
    const page = await this.status.dataQuality({ organisationOid: filter.organisation, limit: filter.limit, ...(filter.cursor === undefined ? {} : { after: keyOf(filter.cursor) }) });
    return { items: page.items, nextCursor: page.last === undefined ? null : cursorOf(page.last) };
  }

  @Post('reconciliations')
  @HttpCode(202)
  @Roles(Role.OPERATIONS)
  @ApiOperation({ summary: 'Starts a reconciliation with the federal side; while one is requested or running, answers that one' })
  @ApiAcceptedResponse({ description: '{ reconciliationId, status, created }' })
  async reconcile(@CurrentCaller() caller: Caller): Promise<{ reconciliationId: string; status: string; created: boolean }> {
    const { reconciliationId, created } = await this.reconciliation.request(ReconciliationTrigger.demand, caller.clientId);
    this.poller.wake();
    const run = await this.reconciliation.get(reconciliationId);
    return { reconciliationId, status: run.status, created };
  }

  @Get('reconciliations/:id')
  @ApiOperation({ summary: 'A reconciliation run: status, and what it found and repaired per kind and organisation' })
  @ApiNotFoundResponse({ description: 'EXPORT.RECONCILIATION_NOT_FOUND' })
  async reconciliationRun(@Param('id') id: string): Promise<ReconciliationRun> {
    if (!uuidPattern.test(id)) throw new ReconciliationNotFoundError(id);
    return this.reconciliation.get(id);
  }
}
