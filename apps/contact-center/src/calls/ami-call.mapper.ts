import type { AmiMessage } from '../pbx/ami.client';

export const CallOutcome = { answered: 'ANSWERED', abandoned: 'ABANDONED' } as const;
export type CallOutcome = (typeof CallOutcome)[keyof typeof CallOutcome];

export const CallSource = { ami: 'AMI', queueLog: 'QUEUE_LOG' } as const;
export type CallSource = (typeof CallSource)[keyof typeof CallSource];

/** A caller in a queue, held in memory by Uniqueid until the call ends. Times are PBX time. */
export interface CallInProgress {
  readonly uniqueid: string;
  readonly linkedid: string;
  readonly queue: string;
  /** As the PBX sent it (CallerIDNum); never logged, written only as hash and ciphertext. */
  readonly callerNumber: string | null;
  readonly joinedAt: Date;
  readonly answeredAt?: Date;
  readonly operator?: string;
}

/** A finished call, ready to be recorded once. */
export interface EndedCall {
  readonly uniqueid: string;
  readonly linkedid: string;
  readonly queue: string;
  readonly operator: string | null;
  readonly callerNumber: string | null;
  readonly joinedAt: Date;
  readonly answeredAt: Date | null;
  readonly endedAt: Date;
  readonly waitSeconds: number;
  readonly talkSeconds: number | null;
  readonly outcome: CallOutcome;
  readonly abandonPosition: number | null;
  readonly source: CallSource;
}

const withheld = new Set(['', '<unknown>', 'unknown', 'anonymous', 'restricted', 'private']);

/** The caller id as a number, or null when it is withheld. */
export function callerNumberOf(raw: string | undefined): string | null {
  const value = (raw ?? '').trim();
  return withheld.has(value.toLowerCase()) || !/\d/.test(value) ? null : value;
}

/** The event's PBX time (`Timestamp: 1764478800.123456`, timestampevents=yes); undefined without one. */
export function pbxTimeOf(message: AmiMessage): Date | undefined {
  const seconds = Number(message.timestamp);
  return message.timestamp !== undefined && Number.isFinite(seconds) && seconds > 0 ? new Date(Math.round(seconds * 1000)) : undefined;
}

const secondsOf = (value: string | undefined): number => Math.max(0, Math.round(Number(value ?? '0')) || 0);
const before = (at: Date, seconds: number): Date => new Date(at.getTime() - seconds * 1000);

/** A call's start from its QueueCallerJoin. */
export function callJoinedOf(message: AmiMessage, at: Date): CallInProgress {
  return { uniqueid: message.uniqueid ?? '', linkedid: message.linkedid ?? message.uniqueid ?? '', queue: message.queue ?? '', callerNumber: callerNumberOf(message.calleridnum), joinedAt: at };
}

/**
 * A finished call from its last queue event (AgentComplete or QueueCallerAbandon) and its start if it
 * was seen. Without the start (the link came up mid-call) the end event alone is enough: it names the
 * queue, the caller and the seconds waited and talked, from which the start is reckoned.
 */
export function endedCallOf(message: AmiMessage, at: Date, started: CallInProgress | undefined): EndedCall | undefined {
  const event = message.event;
  if (event !== 'AgentComplete' && event !== 'QueueCallerAbandon') return undefined;
  const uniqueid = message.uniqueid;
  if (!uniqueid) return undefined;
  const wait = secondsOf(message.holdtime);
  const common = {
    uniqueid,
    linkedid: started?.linkedid ?? message.linkedid ?? uniqueid,
    queue: started?.queue ?? message.queue ?? '',
    callerNumber: started ? started.callerNumber : callerNumberOf(message.calleridnum),
    endedAt: at,
    waitSeconds: wait,
    source: CallSource.ami,
  };
  if (event === 'QueueCallerAbandon') {
    return { ...common, operator: null, joinedAt: started?.joinedAt ?? before(at, wait), answeredAt: null, talkSeconds: null, outcome: CallOutcome.abandoned, abandonPosition: secondsOf(message.position) || null };
  }
  const talk = secondsOf(message.talktime);
  const answeredAt = started?.answeredAt ?? before(at, talk);
  return {
    ...common,
    operator: message.membername ?? started?.operator ?? null,
    joinedAt: started?.joinedAt ?? before(answeredAt, wait),
    answeredAt,
    talkSeconds: talk,
    outcome: CallOutcome.answered,
    abandonPosition: null,
  };
}

/**
 * Calls in progress by Uniqueid, fed AMI events in order: a join starts one, AgentConnect marks it
 * answered, AgentComplete or QueueCallerAbandon ends it (returned once, then forgotten).
 */
export class CallTracker {
  private readonly calls = new Map<string, CallInProgress>();

  apply(message: AmiMessage, at: Date): EndedCall | undefined {
    const uniqueid = message.uniqueid;
    if (!uniqueid) return undefined;
    switch (message.event) {
      case 'QueueCallerJoin':
        if (!this.calls.has(uniqueid)) this.calls.set(uniqueid, callJoinedOf(message, at));
        return undefined;
      case 'AgentConnect': {
        const call = this.calls.get(uniqueid);
        if (call) this.calls.set(uniqueid, { ...call, answeredAt: at, operator: message.membername ?? call.operator });
        return undefined;
      }
      case 'AgentComplete':
      case 'QueueCallerAbandon': {
        const ended = endedCallOf(message, at, this.calls.get(uniqueid));
        this.calls.delete(uniqueid);
        return ended;
      }
      default:
        return undefined;
    }
  }

  /** A call known from elsewhere (the queue_log) to be in progress; a call already held is kept. */
  adopt(call: CallInProgress): void {
    if (!this.calls.has(call.uniqueid)) this.calls.set(call.uniqueid, call);
  }

  /** Forgets a call that ended elsewhere (completed from the queue_log). */
  forget(uniqueid: string): void {
    this.calls.delete(uniqueid);
  }

  get(uniqueid: string): CallInProgress | undefined {
    return this.calls.get(uniqueid);
  }

  inProgress(): IterableIterator<CallInProgress> {
    return this.calls.values();
  }

  /** The earliest join among calls in progress (the queue_log is read again from there after a restart). */
  openSince(): Date | null {
    let earliest: Date | null = null;
    for (const call of this.calls.values()) if (!earliest || call.joinedAt < earliest) earliest = call.joinedAt;
    return earliest;
  }

  /** Drops calls that joined before `cutoff` and never ended (an end the PBX never reported). */
  dropOlderThan(cutoff: Date): number {
    let dropped = 0;
    for (const [uniqueid, call] of this.calls) {
      if (call.joinedAt < cutoff) {
        this.calls.delete(uniqueid);
        dropped++;
      }
    }
    return dropped;
  }
}
