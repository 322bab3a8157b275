import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { CallbacksService, type CallForCallbacks, type RecordCallsResult } from '../callbacks/callbacks.service';
import type { ContactCenterConfig } from '../contact-center.config';
import { branchOfQueue } from '../pbx/queue-branch.mapper';
import type { EndedCall } from './ami-call.mapper';
import { CallerCipher, CallerHash } from './caller-protection.service';

/** How far the PBX's events were applied (PBX time), and the earliest call still in progress then. */
export interface PbxCursor {
  readonly lastEventAt: Date;
  readonly openSince: Date | null;
}

export interface RecordResult extends RecordCallsResult {
  /** Calls recorded now; the rest were recorded before (seen live and in the queue_log, or replayed). */
  readonly recorded: number;
}

const callColumns = `uniqueid text, linkedid text, branch text, queue text, operator text, caller_hash text, caller_number text,
  joined_at timestamptz, answered_at timestamptz, ended_at timestamptz, wait_seconds integer, talk_seconds integer,
  outcome text, abandon_position integer, source text`;

/**
 * Owner of `call` and `pbx_cursor`. Records a batch of ended calls in one transaction: each call once
 * (its Uniqueid is the key: a call seen again changes nothing), the number as keyed hash and ciphertext
 * bound to `call:<uniqueid>`, the call-backs of the calls recorded now, and the cursor.
 */
@Injectable()
export class CallsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_QUEUE_BRANCHES'>,
    @Inject(CallerCipher) private readonly cipher: CallerCipher,
    @Inject(CallerHash) private readonly hash: CallerHash,
    @Inject(CallbacksService) private readonly callbacks: CallbacksService,
  ) {}

  async record(calls: readonly EndedCall[], cursor?: PbxCursor): Promise<RecordResult> {
    const unique = [...new Map(calls.map((call) => [call.uniqueid, call])).values()];
    const prepared = unique.map((call) => {
      const callerHash = call.callerNumber === null ? null : (this.hash.of(call.callerNumber) ?? null);
      const callerNumber = callerHash === null ? null : call.callerNumber;
      return { call, branch: branchOfQueue(call.queue, this.config.CC_QUEUE_BRANCHES), callerHash, callerNumber };
    });
    const rows = prepared.map(({ call, branch, callerHash, callerNumber }) => ({
      uniqueid: call.uniqueid,
      linkedid: call.linkedid,
      branch,
      queue: call.queue,
      operator: call.operator,
      caller_hash: callerHash,
      caller_number: callerNumber === null ? null : this.cipher.encrypt(callerNumber, `call:${call.uniqueid}`),
      joined_at: call.joinedAt.toISOString(),
      answered_at: call.answeredAt?.toISOString() ?? null,
      ended_at: call.endedAt.toISOString(),
      wait_seconds: call.waitSeconds,
      talk_seconds: call.talkSeconds,
      outcome: call.outcome,
      abandon_position: call.abandonPosition,
      source: call.source,
    }));
    const result = await this.dataSource.transaction(async (tx) => {
      const inserted: { uniqueid: string }[] =
        rows.length === 0
          ? []
          : await tx.query(
              `INSERT INTO call (uniqueid, linkedid, branch, queue, operator, caller_hash, caller_number, joined_at, answered_at, ended_at, wait_seconds, talk_seconds, outcome, abandon_position, source)
               SELECT uniqueid, linkedid, branch, queue, operator, caller_hash, caller_number, joined_at, answered_at, ended_at, wait_seconds, talk_seconds, outcome, abandon_position, source
               FROM json_to_recordset($1::json) AS x(${callColumns})
               ON CONFLICT (uniqueid) DO NOTHING
               RETURNING uniqueid`,
              [JSON.stringify(rows)],
            );
      const fresh = new Set(inserted.map((row) => row.uniqueid));
      const forCallbacks: CallForCallbacks[] = prepared
        .filter(({ call }) => fresh.has(call.uniqueid))
        .map(({ call, branch, callerHash, callerNumber }) => ({ uniqueid: call.uniqueid, branch, outcome: call.outcome, callerHash, callerNumber, joinedAt: call.joinedAt, answeredAt: call.answeredAt, endedAt: call.endedAt }));
      const callbacks = await this.callbacks.recordCalls(tx, forCallbacks);
      if (cursor) {
        await tx.query(
          `INSERT INTO pbx_cursor (id, last_event_at, open_since) VALUES ('pbx', $1, $2)
           ON CONFLICT (id) DO UPDATE SET last_event_at = greatest(pbx_cursor.last_event_at, EXCLUDED.last_event_at), open_since = EXCLUDED.open_since, updated_at = clock_timestamp()`,
          [cursor.lastEventAt.toISOString(), cursor.openSince?.toISOString() ?? null],
        );
      }
      return { recorded: fresh.size, ...callbacks };
    });
    if (result.lostWithTask > 0) this.callbacks.notifyDue();
    return result;
  }

  async cursor(): Promise<PbxCursor | undefined> {
    const [row]: { last_event_at: Date; open_since: Date | null }[] = await this.dataSource.query(`SELECT last_event_at, open_since FROM pbx_cursor WHERE id = 'pbx'`);
    return row ? { lastEventAt: row.last_event_at, openSince: row.open_since } : undefined;
  }
}
