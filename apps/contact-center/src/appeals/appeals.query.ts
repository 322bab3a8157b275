import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import type { Caller } from '@medbus/service-auth';
import type { ContactCenterConfig } from '../contact-center.config';
import { reachesAppeal, type AppealReach } from './appeal-access.mapper';
import { AppealCipher } from './appeal-protection.service';
import { summaryOf, viewOf, placeOf, type AppealSummary, type AppealView } from './appeal-view.mapper';
import type { AppealStatus } from './appeal-workflow.mapper';
import { appealColumns, openAppealSql, type AppealEventRow, type AppealRow } from './appeal.entity';
import { AppealNotFoundError } from './appeals.errors';

/** The order a page is read in; its key column, ascending or descending, then id. */
export const AppealOrder = {
  newest: { column: 'created_at', direction: 'DESC' },
  mostUrgent: { column: 'deadline_at', direction: 'ASC' },
  followUpDue: { column: 'follow_up_due_at', direction: 'ASC' },
} as const;
export type AppealOrder = (typeof AppealOrder)[keyof typeof AppealOrder];

export interface AppealFilter {
  readonly reach: AppealReach;
  readonly status?: AppealStatus;
  readonly type?: string;
  /** Escalated or overdue (true), or neither (false). */
  readonly escalated?: boolean;
  /** Only open appeals (not resolved or closed). */
  readonly open?: boolean;
  /** Only resolved appeals whose follow-up call is due by then. */
  readonly followUpDueBy?: Date;
  /** Only appeals of the applicant whose number has this keyed hash (ApplicantPhoneHash = the calls' CallerHash). */
  readonly applicantPhoneHash?: string;
}

export interface AppealPage {
  readonly items: AppealSummary[];
  /** The last row's key: pass it back as `after` for the next page; undefined when this page is the last. */
  readonly last?: readonly [string, string];
}

/** Reads appeals for the API, within the caller's reach; decrypts only what the caller may read. */
@Injectable()
export class AppealsQuery {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_HEAD_BRANCH'>,
    @Inject(AppealCipher) private readonly cipher: AppealCipher,
  ) {}

  /** One appeal with its history; unknown and unreachable alike answer CC.APPEAL_NOT_FOUND. */
  async get(appealId: string, caller: Caller): Promise<AppealView> {
    const [row]: AppealRow[] = await this.dataSource.query(`SELECT ${appealColumns} FROM appeal WHERE id = $1`, [appealId]);
    if (!row || !reachesAppeal(caller, this.config.CC_HEAD_BRANCH, placeOf(row))) throw new AppealNotFoundError(appealId);
    const events: AppealEventRow[] = await this.dataSource.query(
      `SELECT at, actor, code, from_status, to_status, line, assigned_to FROM appeal_event WHERE appeal_id = $1 ORDER BY id`,
      [appealId],
    );
    return viewOf(row, events, caller, this.config.CC_HEAD_BRANCH, (stored, bound) => this.cipher.decrypt(stored, bound));
  }

  /** A page of appeals in keyset order (`after`: the previous page's `last`). */
  async page(filter: AppealFilter, order: AppealOrder, limit: number, after?: readonly [string, string]): Promise<AppealPage> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    const { reach } = filter;
    if (reach.branch !== null) where.push(`a.branch = ${param(reach.branch)}`);
    if (reach.kind === 'second-line') where.push(`a.line = 2 AND (a.assigned_to IS NULL OR a.assigned_to = ${param(reach.clientId)})`);
    if (filter.status !== undefined) where.push(`a.status = ${param(filter.status)}`);
    if (filter.type !== undefined) where.push(`a.type_code = ${param(filter.type)}`);
    if (filter.escalated !== undefined) where.push(`${filter.escalated ? '' : 'NOT '}(a.escalated_at IS NOT NULL OR a.overdue_at IS NOT NULL)`);
    if (filter.open) where.push(openAppealSql);
    if (filter.followUpDueBy !== undefined) where.push(`a.status = 'RESOLVED' AND a.follow_up_due_at <= ${param(filter.followUpDueBy)}`);
    if (filter.applicantPhoneHash !== undefined) where.push(`a.applicant_phone_hash = ${param(filter.applicantPhoneHash)}`);
    const key = `a.${order.column}`;
    if (after !== undefined) {
      where.push(`(${key}, a.id) ${order.direction === 'DESC' ? '<' : '>'} (${param(after[0])}::timestamptz, ${param(after[1])}::uuid)`);
    }
    const rows: AppealRow[] = await this.dataSource.query(
      `SELECT ${appealColumns} FROM appeal a
       ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
       ORDER BY ${key} ${order.direction}, a.id ${order.direction} LIMIT ${param(limit + 1)}`,
      params,
    );
    const items = rows.slice(0, limit);
    const lastRow = rows.length > limit ? items[items.length - 1] : undefined;
    const keyOf = (row: AppealRow): Date => (order === AppealOrder.newest ? row.created_at : order === AppealOrder.mostUrgent ? row.deadline_at : (row.follow_up_due_at ?? row.created_at));
    return { items: items.map(summaryOf), ...(lastRow === undefined ? {} : { last: [keyOf(lastRow).toISOString(), lastRow.id] as const }) };
  }
}
