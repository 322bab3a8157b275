import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { CallerCipher } from '../calls/caller-protection.service';
import type { ContactCenterConfig } from '../contact-center.config';
import type { OriginateResult } from '../pbx/pbx-link.service';
import { taskAfterAttempt } from './callback-attempt.mapper';
import { CallbackAttemptRunningError, CallbackClaimedError, CallbackClosedError, CallbackNotFoundError } from './callbacks.errors';

/** An attempt written and its task marked DIALLING: what the dialler needs to place the call. */
export interface StartedAttempt {
  readonly attemptId: string;
  readonly taskId: string;
  readonly branch: string;
  /** In clear, in memory only, for the Originate. */
  readonly number: string;
}

interface TaskForDial {
  id: string;
  branch: string;
  caller_number: string;
  status: string;
  assigned_to: string | null;
}

/**
 * Owner of `callback_attempt` and of a task's dialling states. An attempt is written (and committed)
 * before its Originate is sent and completed with the outcome after, so that a restart in between
 * leaves an attempt without outcome, which `failStale` marks FAILED and schedules again.
 */
@Injectable()
export class CallbackAttemptsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_CALLBACK_RETRY_MINUTES'>,
    @Inject(CallerCipher) private readonly cipher: CallerCipher,
  ) {}

  /** Takes up to `limit` due, unclaimed OPEN tasks (SKIP LOCKED: instances never take the same one). */
  async startDue(limit: number, now: Date): Promise<StartedAttempt[]> {
    if (limit <= 0) return [];
    return this.dataSource.transaction(async (tx) => {
      const tasks: TaskForDial[] = await tx.query(
        `SELECT id, branch, caller_number, status, assigned_to FROM callback_task
         WHERE status = 'OPEN' AND assigned_to IS NULL AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now.toISOString(), limit],
      );
      const started: StartedAttempt[] = [];
      for (const task of tasks) started.push(await this.start(tx, task, null, now));
      return started;
    });
  }

  /** An operator dials a task now (his claim, or unclaimed): 409 while an attempt runs or once it is DONE. */
  async startManual(taskId: string, operator: string, now: Date, mayDial: (branch: string) => void): Promise<StartedAttempt> {
    return this.dataSource.transaction(async (tx) => {
      const [task]: TaskForDial[] = await tx.query(`SELECT id, branch, caller_number, status, assigned_to FROM callback_task WHERE id = $1 FOR UPDATE`, [taskId]);
      if (!task) throw new CallbackNotFoundError(taskId);
      mayDial(task.branch);
      if (task.status === 'DIALLING') throw new CallbackAttemptRunningError(taskId);
      if (task.status === 'DONE') throw new CallbackClosedError(taskId, task.status);
      if (task.assigned_to !== null && task.assigned_to !== operator) throw new CallbackClaimedError(taskId);
      return this.start(tx, task, operator, now);
    });
  }

  /** Assigns an OPEN, DIALLING or UNREACHED task to `operator` (again for him is fine). */
  async claim(taskId: string, operator: string, mayClaim: (branch: string) => void): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const [task]: TaskForDial[] = await tx.query(`SELECT id, branch, caller_number, status, assigned_to FROM callback_task WHERE id = $1 FOR UPDATE`, [taskId]);
      if (!task) throw new CallbackNotFoundError(taskId);
      mayClaim(task.branch);
      if (task.status === 'DONE') throw new CallbackClosedError(taskId, task.status);
      if (task.assigned_to !== null && task.assigned_to !== operator) throw new CallbackClaimedError(taskId);
      await tx.query(`UPDATE callback_task SET assigned_to = $2 WHERE id = $1`, [taskId, operator]);
    });
  }

  /** Records the outcome and moves the task on, if it is still DIALLING (a caller who called again closed it meanwhile). */
  async finish(attemptId: string, result: OriginateResult, now: Date): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const [attempt]: { task_id: string }[] = await tx.query(
        `WITH done AS (
           UPDATE callback_attempt SET outcome = $2, finished_at = $3, pbx_uniqueid = $4 WHERE id = $1 AND outcome IS NULL RETURNING task_id
         ) SELECT task_id FROM done`,
        [attemptId, result.outcome, now.toISOString(), result.uniqueid],
      );
      if (!attempt) return;
      await this.moveOn(tx, attempt.task_id, result, now);
    });
  }

  /** Attempts started before `startedBefore` without an outcome (the service stopped mid-call): FAILED, and their tasks scheduled again. */
  async failStale(startedBefore: Date, now: Date): Promise<number> {
    const stale: { id: string }[] = await this.dataSource.query(`SELECT id FROM callback_attempt WHERE outcome IS NULL AND started_at < $1 ORDER BY started_at LIMIT 500`, [startedBefore.toISOString()]);
    for (const { id } of stale) await this.finish(id, { outcome: 'FAILED', at: now, uniqueid: null }, now);
    return stale.length;
  }

  private async start(tx: EntityManager, task: TaskForDial, operator: string | null, now: Date): Promise<StartedAttempt> {
    const attemptId = randomUUID();
    await tx.query(`UPDATE callback_task SET status = 'DIALLING', attempts = attempts + 1, closed_at = NULL WHERE id = $1`, [task.id]);
    await tx.query(`INSERT INTO callback_attempt (id, task_id, started_at, started_by) VALUES ($1, $2, $3, $4)`, [attemptId, task.id, now.toISOString(), operator]);
    return { attemptId, taskId: task.id, branch: task.branch, number: this.cipher.decrypt(task.caller_number, `callback_task:${task.id}`) };
  }

  private async moveOn(tx: EntityManager, taskId: string, result: OriginateResult, now: Date): Promise<void> {
    const [task]: { attempts: number; status: string }[] = await tx.query(`SELECT attempts, status FROM callback_task WHERE id = $1 FOR UPDATE`, [taskId]);
    if (!task || task.status !== 'DIALLING') return;
    const next = taskAfterAttempt(result.outcome, task.attempts, this.config.CC_CALLBACK_RETRY_MINUTES, now, result.at);
    await tx.query(`UPDATE callback_task SET status = $2, close_reason = $3, closed_at = $4, next_attempt_at = coalesce($5, next_attempt_at) WHERE id = $1`, [
      taskId,
      next.status,
      next.closeReason,
      next.closedAt?.toISOString() ?? null,
      next.nextAttemptAt?.toISOString() ?? null,
    ]);
  }
}
