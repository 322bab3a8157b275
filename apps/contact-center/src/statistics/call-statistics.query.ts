import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import type { ContactCenterConfig } from '../contact-center.config';
import type { DaySpan } from './statistics-period.mapper';

/** What supervisors watch over a set of calls (telephony.md: QueueMetrics' vocabulary). Times in seconds. */
export interface CallFigures {
  /** Calls that joined a queue. */
  readonly offered: number;
  readonly answered: number;
  /** Lost: the caller hung up before an answer. */
  readonly abandoned: number;
  readonly answeredWithinServiceLevel: number;
  /** Share of offered calls answered within CC_SERVICE_LEVEL_SECONDS, in %; null without calls. */
  readonly serviceLevelPercent: number | null;
  /** Over all calls, abandoned ones with the wait they gave up after (QueueMetrics' "avg wait"). */
  readonly averageWaitSeconds: number | null;
  readonly p90WaitSeconds: number | null;
  readonly maxWaitSeconds: number | null;
  /** Over answered calls only. */
  readonly averageWaitAnsweredSeconds: number | null;
  readonly averageTalkSeconds: number | null;
  /** Answered calls' waiting against their talking, as shares of 100 (the Krasnodar target is 30/70). */
  readonly waitTalkRatio: { readonly wait: number; readonly talk: number } | null;
  readonly lost: LostCallFigures;
}

export interface LostCallFigures {
  readonly total: number;
  /** Withheld numbers cannot be called back. */
  readonly withheldNumber: number;
  /** Their call-back task is done: the caller was reached, or called again himself. */
  readonly returned: number;
  /** With a number and not returned (yet, or unreachable, or the number was invalid). */
  readonly notReturned: number;
  /** From the moment the call was lost (its end) to its task's closing, over returned calls. */
  readonly returnMedianSeconds: number | null;
  readonly returnP90Seconds: number | null;
}

export interface BranchCallFigures {
  /** The branch, or null on the consolidated row (every branch in the request's reach). */
  readonly branch: string | null;
  /** The calendar day in CC_TIME_ZONE the row counts (daily), or the first day of the span. */
  readonly date: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly figures: CallFigures;
}

/**
 * THE definition of every call figure: one select list over `call c` joined to the call-back task `t`
 * that covers it (if any), null-safe so that an outer-joined empty branch counts zero. `$sl` is the
 * service level's threshold in seconds. A lost call is returned when its task is DONE because the
 * caller was reached or called again (callbacks' close reasons; INVALID_NUMBER is not a return).
 */
export function callFiguresSql(serviceLevelSeconds: string): string {
  const answered = `c.outcome = 'ANSWERED'`;
  const abandoned = `c.outcome = 'ABANDONED'`;
  const returned = `${abandoned} AND t.status = 'DONE' AND t.close_reason IN ('REACHED', 'CALLED_AGAIN')`;
  // A task's closing may be stamped by the service's clock, the lost call's end by the PBX's: a skew never makes a negative delay.
  const returnSeconds = `greatest(0, extract(epoch FROM t.closed_at - c.ended_at))`;
  const answeredWait = `sum(c.wait_seconds) FILTER (WHERE ${answered})`;
  const answeredTalk = `sum(c.talk_seconds) FILTER (WHERE ${answered})`;
  return `count(c.uniqueid) AS offered,
    count(*) FILTER (WHERE ${answered}) AS answered,
    count(*) FILTER (WHERE ${abandoned}) AS abandoned,
    count(*) FILTER (WHERE ${answered} AND c.wait_seconds <= ${serviceLevelSeconds}) AS answered_within_service_level,
    round(100.0 * count(*) FILTER (WHERE ${answered} AND c.wait_seconds <= ${serviceLevelSeconds}) / nullif(count(c.uniqueid), 0), 1) AS service_level_percent,
    round(avg(c.wait_seconds), 1) AS average_wait,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY c.wait_seconds)::numeric, 1) AS p90_wait,
    max(c.wait_seconds) AS max_wait,
    round(avg(c.wait_seconds) FILTER (WHERE ${answered}), 1) AS average_wait_answered,
    round(avg(c.talk_seconds) FILTER (WHERE ${answered}), 1) AS average_talk,
    round(100.0 * ${answeredWait} / nullif(${answeredWait} + ${answeredTalk}, 0)) AS wait_share,
    count(*) FILTER (WHERE ${abandoned} AND c.caller_hash IS NULL) AS lost_withheld,
    count(*) FILTER (WHERE ${returned}) AS lost_returned,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ${returnSeconds}) FILTER (WHERE ${returned})::numeric, 1) AS return_median,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY ${returnSeconds}) FILTER (WHERE ${returned})::numeric, 1) AS return_p90`;
}

/**
 * Figures per (span, branch) and per span over all branches, in one statement. `spans` are local
 * calendar days in $tz turned into instants by Postgres (DST-proof); a call belongs to the span of its
 * joined_at (PBX time). Branches: the one asked for, else every branch that ever had a call (a skip
 * scan of the (branch, joined_at) index) and every configured one, so a branch without calls shows zeros.
 * $1 first day, $2 day after the last, $3 time zone, $4 branch or null, $5 configured branches, $6 service level.
 */
function figuresStatement(daily: boolean): string {
  // An integer series: the planner knows how many days it yields (a timestamp series it guesses as 1,000).
  const spans = daily
    ? `SELECT $1::date + i AS day, ($1::date + i)::timestamp AT TIME ZONE $3 AS starts_at, ($1::date + i + 1)::timestamp AT TIME ZONE $3 AS ends_at
       FROM generate_series(0, $2::date - $1::date - 1) i`
    : `SELECT $1::date AS day, $1::date::timestamp AT TIME ZONE $3 AS starts_at, $2::date::timestamp AT TIME ZONE $3 AS ends_at`;
  // A day's calls are found by their local day (a hash join); a span's by its range.
  const inSpan = daily ? `(c.joined_at AT TIME ZONE $3)::date = s.day` : `c.joined_at >= s.starts_at AND c.joined_at < s.ends_at`;
  return `WITH RECURSIVE seen(branch) AS (
      SELECT min(branch) FROM call
      UNION ALL
      SELECT (SELECT min(n.branch) FROM call n WHERE n.branch > seen.branch) FROM seen WHERE seen.branch IS NOT NULL
    ), branches AS (
      SELECT branch FROM seen WHERE branch IS NOT NULL AND $4::text IS NULL
      UNION SELECT unnest($5::text[]) WHERE $4::text IS NULL
      UNION SELECT $4::text WHERE $4::text IS NOT NULL
    ), spans AS (${spans})
    SELECT to_char(s.day, 'YYYY-MM-DD') AS day, s.starts_at, s.ends_at, CASE WHEN GROUPING(b.branch) = 0 THEN b.branch END AS branch,
      ${callFiguresSql('$6')}
    FROM spans s CROSS JOIN branches b
    LEFT JOIN (call c LEFT JOIN callback_task_call tc ON tc.call_uniqueid = c.uniqueid LEFT JOIN callback_task t ON t.id = tc.task_id)
      ON c.branch = b.branch AND ${inSpan}
      -- the whole range again, as constants: the planner reads only its calls through the index
      AND c.joined_at >= $1::date::timestamp AT TIME ZONE $3 AND c.joined_at < $2::date::timestamp AT TIME ZONE $3
    GROUP BY GROUPING SETS ((s.day, s.starts_at, s.ends_at, b.branch), (s.day, s.starts_at, s.ends_at))
    ORDER BY s.day, GROUPING(b.branch), b.branch`;
}

const periodStatement = figuresStatement(false);
const dailyStatement = figuresStatement(true);

type Numeric = string | number | null;

interface FiguresRow {
  day: string;
  starts_at: Date;
  ends_at: Date;
  branch: string | null;
  offered: string;
  answered: string;
  abandoned: string;
  answered_within_service_level: string;
  service_level_percent: Numeric;
  average_wait: Numeric;
  p90_wait: Numeric;
  max_wait: Numeric;
  average_wait_answered: Numeric;
  average_talk: Numeric;
  wait_share: Numeric;
  lost_withheld: string;
  lost_returned: string;
  return_median: Numeric;
  return_p90: Numeric;
}

const numberOrNull = (value: Numeric): number | null => (value === null ? null : Number(value));

function figuresOf(row: FiguresRow): CallFigures {
  const abandoned = Number(row.abandoned);
  const withheld = Number(row.lost_withheld);
  const returned = Number(row.lost_returned);
  const waitShare = numberOrNull(row.wait_share);
  return {
    offered: Number(row.offered),
    answered: Number(row.answered),
    abandoned,
    answeredWithinServiceLevel: Number(row.answered_within_service_level),
    serviceLevelPercent: numberOrNull(row.service_level_percent),
    averageWaitSeconds: numberOrNull(row.average_wait),
    p90WaitSeconds: numberOrNull(row.p90_wait),
    maxWaitSeconds: numberOrNull(row.max_wait),
    averageWaitAnsweredSeconds: numberOrNull(row.average_wait_answered),
    averageTalkSeconds: numberOrNull(row.average_talk),
    waitTalkRatio: waitShare === null ? null : { wait: waitShare, talk: 100 - waitShare },
    lost: {
      total: abandoned,
      withheldNumber: withheld,
      returned,
      notReturned: abandoned - withheld - returned,
      returnMedianSeconds: numberOrNull(row.return_median),
      returnP90Seconds: numberOrNull(row.return_p90),
    },
  };
}

type StatisticsQueryConfig = Pick<ContactCenterConfig, 'CC_TIME_ZONE' | 'CC_HEAD_BRANCH' | 'CC_QUEUE_BRANCHES' | 'CC_SERVICE_LEVEL_SECONDS'>;

/** Call figures computed in Postgres from the calls and call-back tasks, per branch and consolidated. */
@Injectable()
export class CallStatisticsQuery {
  private readonly configuredBranches: string[];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: StatisticsQueryConfig,
  ) {
    this.configuredBranches = [...new Set([config.CC_HEAD_BRANCH, ...Object.values(config.CC_QUEUE_BRANCHES)])];
  }

  /** The span as a whole: one row per branch, then the consolidated row (branch null). */
  async period(span: DaySpan, branch: string | null): Promise<BranchCallFigures[]> {
    return this.run(periodStatement, span, branch);
  }

  /** One row per day per branch, each day followed by its consolidated row. */
  async daily(span: DaySpan, branch: string | null): Promise<BranchCallFigures[]> {
    return this.run(dailyStatement, span, branch);
  }

  private async run(statement: string, span: DaySpan, branch: string | null): Promise<BranchCallFigures[]> {
    const parameters = [span.from, span.until, this.config.CC_TIME_ZONE, branch, this.configuredBranches, this.config.CC_SERVICE_LEVEL_SECONDS];
    // JIT compiling a quarter's aggregate took seconds, longer than the plan it speeds up.
    const rows = await this.dataSource.transaction(async (manager): Promise<FiguresRow[]> => {
      await manager.query('SET LOCAL jit = off');
      return manager.query(statement, parameters);
    });
    return rows.map((row) => ({ branch: row.branch, date: row.day, startsAt: row.starts_at.toISOString(), endsAt: row.ends_at.toISOString(), figures: figuresOf(row) }));
  }
}
