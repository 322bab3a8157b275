import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { AppealStatisticsQuery, type AppealDimension, type AppealStatistics } from '../appeals/appeal-statistics.query';
import { Clock } from '../clock.service';
import { LiveQueueService, type LiveBranchFigures } from '../calls/live-queue.service';
import type { ContactCenterConfig } from '../contact-center.config';
import { CallStatisticsQuery, type BranchCallFigures, type CallFigures } from './call-statistics.query';
import { addDays, daySpan, localDayOf, type DaySpan } from './statistics-period.mapper';

export interface StatisticsPeriod {
  /** First and last calendar day counted, in `timeZone`. */
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  /** The same days as instants: calls that joined in [startsAt, endsAt), PBX time. */
  readonly startsAt: string;
  readonly endsAt: string;
}

export interface CallStatistics {
  readonly period: StatisticsPeriod;
  readonly serviceLevelSeconds: number;
  readonly branches: ({ readonly branch: string } & CallFigures)[];
  /** Every branch of `branches` together (a branch supervisor's: his branch alone). */
  readonly consolidated: CallFigures;
}

export interface AppealStatisticsAnswer extends AppealStatistics {
  readonly period: StatisticsPeriod;
  readonly by: AppealDimension;
  /** When "overdue" was judged: now. */
  readonly asOf: string;
}

export type LiveQueueFigures = Omit<LiveBranchFigures, 'branch'>;

export interface LiveStatistics {
  readonly asOf: string;
  /** The queues now, per branch with anything to show (the one asked for always), and all of them together. */
  readonly queues: { readonly branches: LiveBranchFigures[]; readonly consolidated: LiveQueueFigures };
  /** Today's call figures so far, at most {@link liveFiguresMaxAgeMs} old. */
  readonly today: CallStatistics;
}

export interface DailyCallStatistics {
  readonly period: StatisticsPeriod;
  readonly serviceLevelSeconds: number;
  readonly days: ({ readonly date: string } & Omit<CallStatistics, 'period' | 'serviceLevelSeconds'>)[];
}

/** How long the figures of today served to the live wallboard may be old. */
export const liveFiguresMaxAgeMs = 2_000;

function split(rows: readonly BranchCallFigures[]): Omit<CallStatistics, 'period' | 'serviceLevelSeconds'> {
  const consolidated = rows.find((row) => row.branch === null);
  if (!consolidated) throw new Error('the statistics statement answered no consolidated row');
  return {
    branches: rows.flatMap((row) => (row.branch === null ? [] : [{ branch: row.branch, ...row.figures }])),
    consolidated: consolidated.figures,
  };
}

function consolidatedQueues(branches: readonly LiveBranchFigures[]): LiveQueueFigures {
  const sum = (of: (branch: LiveBranchFigures) => number): number => branches.reduce((total, branch) => total + of(branch), 0);
  return {
    waiting: sum((b) => b.waiting),
    longestWaitSeconds: Math.max(0, ...branches.map((b) => b.longestWaitSeconds)),
    operators: { loggedIn: sum((b) => b.operators.loggedIn), paused: sum((b) => b.operators.paused), talking: sum((b) => b.operators.talking), available: sum((b) => b.operators.available) },
  };
}

/** The statistics supervisors read: calls per branch and consolidated, for a period, per day, and today live. */
@Injectable()
export class StatisticsService {
  private readonly todays = new Map<string, { readonly at: number; readonly figures: Promise<CallStatistics> }>();

  constructor(
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_TIME_ZONE' | 'CC_SERVICE_LEVEL_SECONDS'>,
    @Inject(CallStatisticsQuery) private readonly calls: CallStatisticsQuery,
    @Inject(AppealStatisticsQuery) private readonly appeals: AppealStatisticsQuery,
    @Inject(LiveQueueService) private readonly queues: LiveQueueService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** The region's calendar day now. */
  today(): string {
    return localDayOf(this.clock.now(), this.config.CC_TIME_ZONE);
  }

  async callsIn(span: DaySpan, branch: string | null): Promise<{ statistics: CallStatistics; rows: BranchCallFigures[] }> {
    const rows = await this.calls.period(span, branch);
    return { statistics: { period: this.periodOf(span, rows), serviceLevelSeconds: this.config.CC_SERVICE_LEVEL_SECONDS, ...split(rows) }, rows };
  }

  async dailyIn(span: DaySpan, branch: string | null): Promise<{ statistics: DailyCallStatistics; rows: BranchCallFigures[] }> {
    const rows = await this.calls.daily(span, branch);
    const days = [...new Set(rows.map((row) => row.date))].map((date) => ({ date, ...split(rows.filter((row) => row.date === date)) }));
    return { statistics: { period: this.periodOf(span, rows), serviceLevelSeconds: this.config.CC_SERVICE_LEVEL_SECONDS, days }, rows };
  }

  /** Appeals registered in [startsAt, endsAt), as they stand now: the appeals module's one definition of each count. */
  async appealsIn(range: { readonly startsAt: Date; readonly endsAt: Date }, branch: string | null, by: AppealDimension): Promise<AppealStatisticsAnswer> {
    const zone = this.config.CC_TIME_ZONE;
    const asOf = this.clock.now();
    const statistics = await this.appeals.count({ from: range.startsAt, to: range.endsAt, branch, by, asOf });
    const period = {
      from: localDayOf(range.startsAt, zone),
      to: localDayOf(new Date(range.endsAt.getTime() - 1), zone),
      timeZone: zone,
      startsAt: range.startsAt.toISOString(),
      endsAt: range.endsAt.toISOString(),
    };
    return { period, by, asOf: asOf.toISOString(), ...statistics };
  }

  /** The wallboard: the PBX's queues now (from memory) and today's figures so far. */
  async live(branch: string | null): Promise<LiveStatistics> {
    const today = await this.todaySoFar(branch);
    const branches = this.queues.figures(branch);
    return { asOf: this.clock.now().toISOString(), queues: { branches, consolidated: consolidatedQueues(branches) }, today };
  }

  /**
   * Today's figures so far, at most {@link liveFiguresMaxAgeMs} old: a wallboard polled by many
   * supervisors at once costs one statement per branch filter and interval (concurrent requests
   * share the one in flight; a failed one is not kept).
   */
  async todaySoFar(branch: string | null): Promise<CallStatistics> {
    const now = this.clock.now().getTime();
    const key = `${branch ?? ''}|${this.today()}`;
    const cached = this.todays.get(key);
    if (cached && now - cached.at < liveFiguresMaxAgeMs) return cached.figures;
    const figures = this.callsIn(daySpan(this.today()), branch).then((answer) => answer.statistics);
    this.todays.set(key, { at: now, figures });
    figures.catch(() => this.todays.get(key)?.figures === figures && this.todays.delete(key));
    for (const [other, entry] of this.todays) if (now - entry.at >= liveFiguresMaxAgeMs && other !== key) this.todays.delete(other);
    return figures;
  }

  private periodOf(span: DaySpan, rows: readonly BranchCallFigures[]): StatisticsPeriod {
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) throw new Error('the statistics statement answered no rows');
    return { from: span.from, to: addDays(span.until, -1), timeZone: this.config.CC_TIME_ZONE, startsAt: first.startsAt, endsAt: last.endsAt };
  }
}
