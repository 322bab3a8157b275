import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CallerCipher, shownNumber } from './caller-protection.service';

export interface CallView {
  readonly uniqueid: string;
  readonly linkedid: string;
  readonly branch: string;
  readonly queue: string;
  readonly operator: string | null;
  /** In clear for an operator of the call's branch, else masked; null when the caller withheld it. */
  readonly callerNumber: string | null;
  readonly joinedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string;
  readonly waitSeconds: number;
  readonly talkSeconds: number | null;
  readonly outcome: string;
  readonly abandonPosition: number | null;
  readonly source: string;
  /** The call-back task that covers this lost call, if any. */
  readonly callbackTaskId: string | null;
}

export interface CallFilter {
  /** null: every branch. */
  readonly branch: string | null;
  readonly from?: Date;
  readonly to?: Date;
  readonly outcome?: string;
  /** The last row of the previous page: (joined_at ISO, uniqueid). */
  readonly after?: readonly [string, string];
  readonly limit: number;
}

interface CallRow {
  uniqueid: string;
  linkedid: string;
  branch: string;
  queue: string;
  operator: string | null;
  caller_number: string | null;
  joined_at: Date;
  answered_at: Date | null;
  ended_at: Date;
  wait_seconds: number;
  talk_seconds: number | null;
  outcome: string;
  abandon_position: number | null;
  source: string;
  task_id: string | null;
}

const select = `SELECT c.uniqueid, c.linkedid, c.branch, c.queue, c.operator, c.caller_number, c.joined_at, c.answered_at, c.ended_at,
  c.wait_seconds, c.talk_seconds, c.outcome, c.abandon_position, c.source, tc.task_id
  FROM call c LEFT JOIN callback_task_call tc ON tc.call_uniqueid = c.uniqueid`;

/** A caller's earlier call on the operator console's card: no number (it is the caller on the line). */
export interface EarlierCall {
  readonly uniqueid: string;
  readonly branch: string;
  readonly joinedAt: string;
  readonly outcome: string;
  readonly holdSeconds: number;
  readonly talkSeconds: number | null;
}

/** Reads of recorded calls, newest first by (joined_at, uniqueid); numbers decrypted only to be shown or masked. */
@Injectable()
export class CallsQuery {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CallerCipher) private readonly cipher: CallerCipher,
  ) {}

  async list(filter: CallFilter, inClear: (branch: string) => boolean): Promise<{ items: CallView[]; last?: [string, string] }> {
    const rows: CallRow[] = await this.dataSource.query(
      `${select}
       WHERE ($1::text IS NULL OR c.branch = $1) AND ($2::timestamptz IS NULL OR c.joined_at >= $2) AND ($3::timestamptz IS NULL OR c.joined_at < $3)
         AND ($4::text IS NULL OR c.outcome = $4) AND ($5::timestamptz IS NULL OR (c.joined_at, c.uniqueid) < ($5, $6::text))
       ORDER BY c.joined_at DESC, c.uniqueid DESC
       LIMIT $7`,
      [filter.branch, filter.from?.toISOString() ?? null, filter.to?.toISOString() ?? null, filter.outcome ?? null, filter.after?.[0] ?? null, filter.after?.[1] ?? null, filter.limit],
    );
    const items = rows.map((row) => this.viewOf(row, inClear(row.branch)));
    const last = rows.length === filter.limit ? rows[rows.length - 1] : undefined;
    return { items, ...(last ? { last: [last.joined_at.toISOString(), last.uniqueid] as [string, string] } : {}) };
  }

  async get(uniqueid: string, inClear: (branch: string) => boolean): Promise<CallView | undefined> {
    const [row]: CallRow[] = await this.dataSource.query(`${select} WHERE c.uniqueid = $1`, [uniqueid]);
    return row ? this.viewOf(row, inClear(row.branch)) : undefined;
  }

  /** The calls of the caller whose number has this keyed hash, newest first, within `branch` (null: all). */
  async ofCaller(callerHash: string, branch: string | null, limit: number): Promise<EarlierCall[]> {
    const rows: { uniqueid: string; branch: string; joined_at: Date; outcome: string; wait_seconds: number; talk_seconds: number | null }[] = await this.dataSource.query(
      `SELECT uniqueid, branch, joined_at, outcome, wait_seconds, talk_seconds FROM call
       WHERE caller_hash = $1 AND ($2::text IS NULL OR branch = $2)
       ORDER BY joined_at DESC, uniqueid DESC LIMIT $3`,
      [callerHash, branch, limit],
    );
    return rows.map((row) => ({ uniqueid: row.uniqueid, branch: row.branch, joinedAt: row.joined_at.toISOString(), outcome: row.outcome, holdSeconds: row.wait_seconds, talkSeconds: row.talk_seconds }));
  }

  private viewOf(row: CallRow, inClear: boolean): CallView {
    return {
      uniqueid: row.uniqueid,
      linkedid: row.linkedid,
      branch: row.branch,
      queue: row.queue,
      operator: row.operator,
      callerNumber: row.caller_number === null ? null : shownNumber(this.cipher.decrypt(row.caller_number, `call:${row.uniqueid}`), inClear),
      joinedAt: row.joined_at.toISOString(),
      answeredAt: row.answered_at?.toISOString() ?? null,
      endedAt: row.ended_at.toISOString(),
      waitSeconds: row.wait_seconds,
      talkSeconds: row.talk_seconds,
      outcome: row.outcome,
      abandonPosition: row.abandon_position,
      source: row.source,
      callbackTaskId: row.task_id,
    };
  }
}
