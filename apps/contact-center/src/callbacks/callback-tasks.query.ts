import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CallerCipher, shownNumber } from '../calls/caller-protection.service';

export interface CallbackTaskView {
  readonly id: string;
  readonly branch: string;
  /** In clear for an operator of the task's branch, else masked. */
  readonly callerNumber: string;
  readonly status: string;
  readonly closeReason: string | null;
  readonly lostCalls: number;
  readonly firstLostAt: string;
  readonly lastLostAt: string;
  readonly createdAt: string;
  readonly assignedTo: string | null;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly closedAt: string | null;
}

export interface CallbackTaskDetail extends CallbackTaskView {
  readonly calls: { uniqueid: string; queue: string; joinedAt: string; endedAt: string; waitSeconds: number }[];
  readonly attemptLog: { id: string; startedAt: string; startedBy: string | null; outcome: string | null; finishedAt: string | null }[];
}

export interface UnreturnedCall {
  readonly uniqueid: string;
  readonly branch: string;
  readonly lostAt: string;
  /** Seconds since the call was lost (the service's clock against the PBX's end time). */
  readonly ageSeconds: number;
  readonly taskId: string;
  readonly taskStatus: string;
  readonly attempts: number;
}

interface TaskRow {
  id: string;
  branch: string;
  caller_number: string;
  status: string;
  close_reason: string | null;
  lost_calls: number;
  first_lost_at: Date;
  last_lost_at: Date;
  created_at: Date;
  assigned_to: string | null;
  attempts: number;
  next_attempt_at: Date;
  closed_at: Date | null;
}

/** A task whose lost calls are not yet returned: still to dial, being dialled, or given up unreached. */
const unreturnedSql = `status IN ('OPEN', 'DIALLING', 'UNREACHED')`;

const taskColumns = `id, branch, caller_number, status, close_reason, lost_calls, first_lost_at, last_lost_at, created_at, assigned_to, attempts, next_attempt_at, closed_at`;

/** Reads of call-back tasks; numbers decrypted only to be shown in clear or masked. */
@Injectable()
export class CallbackTasksQuery {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CallerCipher) private readonly cipher: CallerCipher,
  ) {}

  /** Oldest first by (first_lost_at, id). */
  async list(filter: { branch: string | null; status?: string; after?: readonly [string, string]; limit: number }, inClear: (branch: string) => boolean): Promise<{ items: CallbackTaskView[]; last?: [string, string] }> {
    const rows: TaskRow[] = await this.dataSource.query(
      `SELECT ${taskColumns} FROM callback_task
       WHERE ($1::text IS NULL OR branch = $1) AND ($2::text IS NULL OR status = $2) AND ($3::timestamptz IS NULL OR (first_lost_at, id) > ($3, $4::uuid))
       ORDER BY first_lost_at, id LIMIT $5`,
      [filter.branch, filter.status ?? null, filter.after?.[0] ?? null, filter.after?.[1] ?? null, filter.limit],
    );
    const last = rows.length === filter.limit ? rows[rows.length - 1] : undefined;
    return { items: rows.map((row) => this.viewOf(row, inClear(row.branch))), ...(last ? { last: [last.first_lost_at.toISOString(), last.id] as [string, string] } : {}) };
  }

  async get(id: string, inClear: (branch: string) => boolean): Promise<CallbackTaskDetail | undefined> {
    const [row]: TaskRow[] = await this.dataSource.query(`SELECT ${taskColumns} FROM callback_task WHERE id = $1`, [id]);
    if (!row) return undefined;
    const calls: { uniqueid: string; queue: string; joined_at: Date; ended_at: Date; wait_seconds: number }[] = await this.dataSource.query(
      `SELECT c.uniqueid, c.queue, c.joined_at, c.ended_at, c.wait_seconds FROM callback_task_call tc JOIN call c ON c.uniqueid = tc.call_uniqueid WHERE tc.task_id = $1 ORDER BY c.joined_at`,
      [id],
    );
    const attempts: { id: string; started_at: Date; started_by: string | null; outcome: string | null; finished_at: Date | null }[] = await this.dataSource.query(
      `SELECT id, started_at, started_by, outcome, finished_at FROM callback_attempt WHERE task_id = $1 ORDER BY started_at`,
      [id],
    );
    return {
      ...this.viewOf(row, inClear(row.branch)),
      calls: calls.map((c) => ({ uniqueid: c.uniqueid, queue: c.queue, joinedAt: c.joined_at.toISOString(), endedAt: c.ended_at.toISOString(), waitSeconds: c.wait_seconds })),
      attemptLog: attempts.map((a) => ({ id: a.id, startedAt: a.started_at.toISOString(), startedBy: a.started_by, outcome: a.outcome, finishedAt: a.finished_at?.toISOString() ?? null })),
    };
  }

  /** The open call-back tasks (OPEN, DIALLING, UNREACHED) of the caller whose number has this keyed hash, within `branch` (null: all), oldest first. */
  async openOfCaller(callerHash: string, branch: string | null): Promise<{ id: string; branch: string; status: string; lostCalls: number; createdAt: string }[]> {
    const rows: { id: string; branch: string; status: string; lost_calls: number; created_at: Date }[] = await this.dataSource.query(
      `SELECT id, branch, status, lost_calls, created_at FROM callback_task
       WHERE caller_hash = $1 AND ${unreturnedSql} AND ($2::text IS NULL OR branch = $2)
       ORDER BY created_at, id LIMIT 50`,
      [callerHash, branch],
    );
    return rows.map((row) => ({ id: row.id, branch: row.branch, status: row.status, lostCalls: row.lost_calls, createdAt: row.created_at.toISOString() }));
  }

  /**
   * Every lost call not yet returned — its task OPEN, DIALLING or UNREACHED — oldest first, with its
   * age: the "no lost call left without a call-back, and the service shows any that are".
   * (Lost calls with a withheld number have no task: the statistics count them apart.)
   */
  async unreturned(filter: { branch: string | null; after?: readonly [string, string]; limit: number }, now: Date): Promise<{ items: UnreturnedCall[]; last?: [string, string] }> {
    const rows: { uniqueid: string; branch: string; ended_at: Date; task_id: string; status: string; attempts: number }[] = await this.dataSource.query(
      `SELECT c.uniqueid, c.branch, c.ended_at, t.id AS task_id, t.status, t.attempts
       FROM callback_task t JOIN callback_task_call tc ON tc.task_id = t.id JOIN call c ON c.uniqueid = tc.call_uniqueid
       WHERE t.${unreturnedSql} AND ($1::text IS NULL OR t.branch = $1)
         AND ($2::timestamptz IS NULL OR (c.ended_at, c.uniqueid) > ($2, $3::text))
       ORDER BY c.ended_at, c.uniqueid LIMIT $4`,
      [filter.branch, filter.after?.[0] ?? null, filter.after?.[1] ?? null, filter.limit],
    );
    const last = rows.length === filter.limit ? rows[rows.length - 1] : undefined;
    return {
      items: rows.map((r) => ({ uniqueid: r.uniqueid, branch: r.branch, lostAt: r.ended_at.toISOString(), ageSeconds: Math.max(0, Math.round((now.getTime() - r.ended_at.getTime()) / 1000)), taskId: r.task_id, taskStatus: r.status, attempts: r.attempts })),
      ...(last ? { last: [last.ended_at.toISOString(), last.uniqueid] as [string, string] } : {}),
    };
  }

  /**
   * For the statistics: over lost calls that ended in [from, to) (PBX time) in `branch` (null: all),
   * how many there were, how many have a number, how many were returned (their task DONE, REACHED or
   * CALLED_AGAIN), and the median seconds from the lost call's end to its task's closing over those.
   */
  async lostCallFigures(from: Date, to: Date, branch: string | null): Promise<{ lost: number; withNumber: number; returned: number; medianReturnSeconds: number | null }> {
    const [row]: { lost: string; with_number: string; returned: string; median: string | null }[] = await this.dataSource.query(
      `SELECT count(*) AS lost, count(c.caller_hash) AS with_number,
         count(*) FILTER (WHERE t.status = 'DONE' AND t.close_reason IN ('REACHED', 'CALLED_AGAIN')) AS returned,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.closed_at - c.ended_at)) FILTER (WHERE t.status = 'DONE' AND t.close_reason IN ('REACHED', 'CALLED_AGAIN')) AS median
       FROM call c LEFT JOIN callback_task_call tc ON tc.call_uniqueid = c.uniqueid LEFT JOIN callback_task t ON t.id = tc.task_id
       WHERE c.outcome = 'ABANDONED' AND c.ended_at >= $1 AND c.ended_at < $2 AND ($3::text IS NULL OR c.branch = $3)`,
      [from.toISOString(), to.toISOString(), branch],
    );
    return { lost: Number(row?.lost ?? 0), withNumber: Number(row?.with_number ?? 0), returned: Number(row?.returned ?? 0), medianReturnSeconds: row?.median == null ? null : Number(row.median) };
  }

  private viewOf(row: TaskRow, inClear: boolean): CallbackTaskView {
    return {
      id: row.id,
      branch: row.branch,
      callerNumber: shownNumber(this.cipher.decrypt(row.caller_number, `callback_task:${row.id}`), inClear),
      status: row.status,
      closeReason: row.close_reason,
      lostCalls: row.lost_calls,
      firstLostAt: row.first_lost_at.toISOString(),
      lastLostAt: row.last_lost_at.toISOString(),
      createdAt: row.created_at.toISOString(),
      assignedTo: row.assigned_to,
      attempts: row.attempts,
      nextAttemptAt: row.status === 'OPEN' ? row.next_attempt_at.toISOString() : null,
      closedAt: row.closed_at?.toISOString() ?? null,
    };
  }
}
