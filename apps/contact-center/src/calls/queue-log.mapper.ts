import { CallOutcome, CallSource, callerNumberOf, type CallInProgress, type EndedCall } from './ami-call.mapper';

/** One line of Asterisk's queue_log: `epoch|uniqueid|queue|agent|EVENT|data1|data2|data3`. */
export interface QueueLogEntry {
  readonly at: Date;
  readonly uniqueid: string;
  readonly queue: string;
  readonly agent: string;
  readonly event: string;
  readonly data: readonly string[];
}

/** Parses one line; undefined for a blank or malformed one (skipped, never fatal). */
export function parseQueueLogLine(line: string): QueueLogEntry | undefined {
  const parts = line.trim().split('|');
  if (parts.length < 5) return undefined;
  const [epoch, uniqueid, queue, agent, event, ...data] = parts;
  const seconds = Number(epoch);
  if (!/^\d+(\.\d+)?$/.test(epoch ?? '') || !Number.isFinite(seconds) || !uniqueid || !queue || !event) return undefined;
  return { at: new Date(Math.round(seconds * 1000)), uniqueid, queue, agent: agent ?? 'NONE', event, data };
}

const secondsOf = (value: string | undefined): number => Math.max(0, Math.round(Number(value ?? '0')) || 0);
const before = (at: Date, seconds: number): Date => new Date(at.getTime() - seconds * 1000);

interface Facts {
  enter?: QueueLogEntry;
  connect?: QueueLogEntry;
  end?: QueueLogEntry;
}

export interface RebuiltCalls {
  /** Calls whose end is in the log: record them (source QUEUE_LOG). */
  readonly ended: EndedCall[];
  /** Calls that entered a queue and have not ended yet: hold them until their end arrives. */
  readonly inProgress: CallInProgress[];
}

/**
 * Rebuilds calls from queue_log lines (ENTERQUEUE data2 = caller id; CONNECT data1 = hold;
 * COMPLETECALLER/COMPLETEAGENT data1 = hold, data2 = talk; ABANDON data1 = position, data3 = wait).
 * A call whose ENTERQUEUE falls before the lines read keeps its times (reckoned back from its end)
 * but not its number: `numberOf` supplies it from what is held in memory, if anything.
 */
export function rebuildCalls(entries: readonly QueueLogEntry[], numberOf: (uniqueid: string) => CallInProgress | undefined = () => undefined): RebuiltCalls {
  const byCall = new Map<string, Facts>();
  for (const entry of entries) {
    if (entry.uniqueid === 'NONE') continue;
    const facts = byCall.get(entry.uniqueid) ?? {};
    if (entry.event === 'ENTERQUEUE') facts.enter = entry;
    else if (entry.event === 'CONNECT') facts.connect = entry;
    else if (entry.event === 'ABANDON' || entry.event === 'COMPLETECALLER' || entry.event === 'COMPLETEAGENT') facts.end = entry;
    else continue;
    byCall.set(entry.uniqueid, facts);
  }
  const ended: EndedCall[] = [];
  const inProgress: CallInProgress[] = [];
  for (const [uniqueid, facts] of byCall) {
    const held = numberOf(uniqueid);
    const callerNumber = facts.enter ? callerNumberOf(facts.enter.data[1]) : (held?.callerNumber ?? null);
    const queue = facts.enter?.queue ?? facts.end?.queue ?? facts.connect?.queue ?? '';
    const linkedid = held?.linkedid ?? uniqueid;
    const end = facts.end;
    if (!end) {
      if (facts.enter) inProgress.push({ uniqueid, linkedid, queue, callerNumber, joinedAt: facts.enter.at, ...(facts.connect ? { answeredAt: facts.connect.at, operator: facts.connect.agent } : {}) });
      continue;
    }
    if (end.event === 'ABANDON') {
      const wait = secondsOf(end.data[2]);
      ended.push({
        uniqueid, linkedid, queue, callerNumber, operator: null,
        joinedAt: facts.enter?.at ?? held?.joinedAt ?? before(end.at, wait), answeredAt: null, endedAt: end.at,
        waitSeconds: wait, talkSeconds: null, outcome: CallOutcome.abandoned, abandonPosition: secondsOf(end.data[0]) || null, source: CallSource.queueLog,
      });
      continue;
    }
    const wait = secondsOf(end.data[0]);
    const talk = secondsOf(end.data[1]);
    const answeredAt = facts.connect?.at ?? held?.answeredAt ?? before(end.at, talk);
    ended.push({
      uniqueid, linkedid, queue, callerNumber, operator: end.agent === 'NONE' ? null : end.agent,
      joinedAt: facts.enter?.at ?? held?.joinedAt ?? before(answeredAt, wait), answeredAt, endedAt: end.at,
      waitSeconds: wait, talkSeconds: talk, outcome: CallOutcome.answered, abandonPosition: null, source: CallSource.queueLog,
    });
  }
  return { ended, inProgress };
}
