import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CallerCipher } from '../calls/caller-protection.service';
import type { CallOutcome } from '../calls/ami-call.mapper';

/** A call just recorded, as the call-backs need it (the number in clear lives in memory only). */
export interface CallForCallbacks {
  readonly uniqueid: string;
  readonly branch: string;
  readonly outcome: CallOutcome;
  readonly callerHash: string | null;
  readonly callerNumber: string | null;
  readonly joinedAt: Date;
  readonly answeredAt: Date | null;
  readonly endedAt: Date;
}

export interface RecordCallsResult {
  /** Lost calls that opened a task or joined the caller's open one. */
  readonly lostWithTask: number;
  /** Lost calls with a withheld number: nobody to call back (the statistics show them). */
  readonly lostWithheld: number;
  /** Tasks closed because the caller reached us himself. */
  readonly closedCalledAgain: number;
}

/** The caller's calls in the order they ended, at most one per caller per round, so each round is one set. */
function roundsOf(calls: readonly CallForCallbacks[]): CallForCallbacks[][] {
  const rounds: CallForCallbacks[][] = [];
  const seen = new Map<string, number>();
  for (const call of [...calls].sort((a, b) => a.endedAt.getTime() - b.endedAt.getTime())) {
    if (call.callerHash === null || call.callerNumber === null) continue;
    const round = seen.get(call.callerHash) ?? 0;
    seen.set(call.callerHash, round + 1);
    (rounds[round] ??= []).push(call);
  }
  return rounds;
}

/**
 * Owner of `callback_task` and `callback_task_call`: turns lost calls into call-back tasks, one open
 * task per caller. `closed_at` is PBX time when the caller was reached (the OriginateResponse) or
 * called again (his answered call's answer), the service's time otherwise (INVALID_NUMBER, UNREACHED).
 */
@Injectable()
export class CallbacksService {
  private readonly dueListeners: (() => void)[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CallerCipher) private readonly cipher: CallerCipher,
  ) {}

  /** `listener` runs when tasks may have become due (the dialler wakes). */
  onDue(listener: () => void): void {
    this.dueListeners.push(listener);
  }

  /** Called by the calls module after the transaction that recorded calls committed. */
  notifyDue(): void {
    for (const listener of this.dueListeners) listener();
  }

  /**
   * In the calls' transaction, for calls recorded for the first time: a lost call with a number
   * opens a task for its caller or joins his open one (lost_calls + 1); an answered call that
   * joined after an open (or unreached) task's first lost call closes it CALLED_AGAIN.
   */
  async recordCalls(tx: EntityManager, calls: readonly CallForCallbacks[]): Promise<RecordCallsResult> {
    let lostWithTask = 0;
    let closedCalledAgain = 0;
    const lostWithheld = calls.filter((call) => call.outcome === 'ABANDONED' && call.callerHash === null).length;
    for (const round of roundsOf(calls)) {
      const lost = round.filter((call) => call.outcome === 'ABANDONED');
      const answered = round.filter((call) => call.outcome === 'ANSWERED' && call.answeredAt !== null);
      if (lost.length > 0) {
        const rows = lost.map((call) => {
          const id = randomUUID();
          return { id, uniqueid: call.uniqueid, caller_hash: call.callerHash, caller_number: this.cipher.encrypt(call.callerNumber ?? '', `callback_task:${id}`), branch: call.branch, lost_at: call.endedAt.toISOString() };
        });
        const linked: unknown[] = await tx.query(
          `WITH x AS (
             SELECT * FROM json_to_recordset($1::json) AS x(id uuid, uniqueid text, caller_hash text, caller_number text, branch text, lost_at timestamptz)
           ), upserted AS (
             INSERT INTO callback_task AS t (id, caller_hash, caller_number, branch, status, lost_calls, first_lost_at, last_lost_at, attempts, next_attempt_at)
             SELECT id, caller_hash, caller_number, branch, 'OPEN', 1, lost_at, lost_at, 0, clock_timestamp() FROM x
             ON CONFLICT (caller_hash) WHERE status IN ('OPEN', 'DIALLING')
             DO UPDATE SET lost_calls = t.lost_calls + 1, last_lost_at = greatest(t.last_lost_at, EXCLUDED.last_lost_at)
             RETURNING t.id, t.caller_hash
           )
           INSERT INTO callback_task_call (call_uniqueid, task_id)
           SELECT x.uniqueid, u.id FROM x JOIN upserted u ON u.caller_hash = x.caller_hash
           ON CONFLICT (call_uniqueid) DO NOTHING
           RETURNING call_uniqueid`,
          [JSON.stringify(rows)],
        );
        lostWithTask += linked.length;
      }
      if (answered.length > 0) {
        const rows = answered.map((call) => ({ caller_hash: call.callerHash, joined_at: call.joinedAt.toISOString(), answered_at: call.answeredAt?.toISOString() }));
        const closed: unknown[] = await tx.query(
          `WITH closed AS (
             UPDATE callback_task t SET status = 'DONE', close_reason = 'CALLED_AGAIN', closed_at = x.answered_at
             FROM json_to_recordset($1::json) AS x(caller_hash text, joined_at timestamptz, answered_at timestamptz)
             WHERE t.caller_hash = x.caller_hash AND t.status IN ('OPEN', 'DIALLING', 'UNREACHED') AND x.joined_at > t.first_lost_at
             RETURNING t.id
           )
           SELECT id FROM closed`,
          [JSON.stringify(rows)],
        );
        closedCalledAgain += closed.length;
      }
    }
    return { lostWithTask, lostWithheld, closedCalledAgain };
  }
}
