export const queueLogEvents = ['ENTERQUEUE', 'CONNECT', 'COMPLETECALLER', 'COMPLETEAGENT', 'ABANDON', 'RINGNOANSWER', 'ADDMEMBER', 'REMOVEMEMBER', 'PAUSE', 'UNPAUSE'] as const;
export type QueueLogEvent = (typeof queueLogEvents)[number];

/** One queue_log fact; `uniqueid` is `NONE` for member events, `agent` is `NONE` for a caller's entry. */
export interface QueueLogEntry {
  readonly at: number;
  readonly uniqueid: string;
  readonly queue: string;
  readonly agent: string;
  readonly event: QueueLogEvent;
  readonly data: readonly (string | number)[];
}

/** Asterisk's queue_log line: `epoch|uniqueid|queue|agent|EVENT|data1|data2|data3`. */
export function queueLogLine(entry: QueueLogEntry): string {
  const data = entry.data.map((d) => String(d).replace(/[|\r\n]/g, ' '));
  return [Math.floor(entry.at / 1000), entry.uniqueid, entry.queue, entry.agent, entry.event, ...data].join('|');
}

/** Builders with the data fields real Asterisk writes for each event. */
export const QueueLogFacts = {
  /** data: url (empty), caller id, position. */
  enterQueue: (at: number, uniqueid: string, queue: string, callerNumber: string, position: number): QueueLogEntry => ({ at, uniqueid, queue, agent: 'NONE', event: 'ENTERQUEUE', data: ['', callerNumber, position] }),
  /** data: hold time, the agent leg's uniqueid, ring time (s). */
  connect: (at: number, uniqueid: string, queue: string, agent: string, holdSeconds: number, agentUniqueid: string, ringSeconds: number): QueueLogEntry => ({ at, uniqueid, queue, agent, event: 'CONNECT', data: [holdSeconds, agentUniqueid, ringSeconds] }),
  /** data: hold time, talk time, original position. */
  complete: (at: number, uniqueid: string, queue: string, agent: string, by: 'caller' | 'agent', holdSeconds: number, talkSeconds: number, originalPosition: number): QueueLogEntry => ({ at, uniqueid, queue, agent, event: by === 'caller' ? 'COMPLETECALLER' : 'COMPLETEAGENT', data: [holdSeconds, talkSeconds, originalPosition] }),
  /** data: position, original position, wait time. */
  abandon: (at: number, uniqueid: string, queue: string, position: number, originalPosition: number, waitSeconds: number): QueueLogEntry => ({ at, uniqueid, queue, agent: 'NONE', event: 'ABANDON', data: [position, originalPosition, waitSeconds] }),
  /** data: ring time in ms. */
  ringNoAnswer: (at: number, uniqueid: string, queue: string, agent: string, ringMs: number): QueueLogEntry => ({ at, uniqueid, queue, agent, event: 'RINGNOANSWER', data: [ringMs] }),
  member: (at: number, queue: string, agent: string, event: 'ADDMEMBER' | 'REMOVEMEMBER' | 'PAUSE' | 'UNPAUSE', reason = ''): QueueLogEntry => ({ at, uniqueid: 'NONE', queue, agent, event, data: [reason] }),
} as const;

export interface QueueLogPage {
  readonly lines: string[];
  /** The sequence number of the last line returned: pass it as `after` for the next page. */
  readonly last: number | undefined;
}

/** The queue_log kept in memory, in write order; each line gets a sequence number from 1. */
export class QueueLog {
  private entries: { seq: number; epoch: number; line: string }[] = [];
  private seq = 0;

  append(entry: QueueLogEntry): void {
    this.entries.push({ seq: ++this.seq, epoch: Math.floor(entry.at / 1000), line: queueLogLine(entry) });
  }

  /** Lines with epoch ≥ since and sequence > after, in write order, at most `limit`. */
  read(since: number, after: number, limit: number): QueueLogPage {
    const lines: string[] = [];
    let last: number | undefined;
    let i = binarySearchAfter(this.entries, after);
    for (; i < this.entries.length && lines.length < limit; i++) {
      const entry = this.entries[i];
      if (!entry || entry.epoch < since) continue;
      lines.push(entry.line);
      last = entry.seq;
    }
    return { lines, last };
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
  }
}

function binarySearchAfter(entries: readonly { seq: number }[], after: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((entries[mid]?.seq ?? 0) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
