import type { EndedCall } from '../../calls/ami-call.mapper';
import type { CallFigures } from '../call-statistics.query';

/** A reproducible stream of numbers in [0, 1) (mulberry32), so a failing day can be generated again. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface CallSpec {
  readonly queue: string;
  readonly joinedAt: Date;
  readonly waitSeconds: number;
  /** Null: the caller hung up in the queue. */
  readonly talkSeconds: number | null;
  /** Null: withheld. */
  readonly number: string | null;
}

let sequence = 0;

/** A call as the ingester hands it to the calls module once it ended. */
export function anEndedCall(spec: CallSpec): EndedCall {
  const uniqueid = `${Math.floor(spec.joinedAt.getTime() / 1000)}.${++sequence}`;
  const answeredAt = spec.talkSeconds === null ? null : new Date(spec.joinedAt.getTime() + spec.waitSeconds * 1000);
  const endedAt = new Date(spec.joinedAt.getTime() + (spec.waitSeconds + (spec.talkSeconds ?? 0)) * 1000);
  return {
    uniqueid,
    linkedid: uniqueid,
    queue: spec.queue,
    operator: spec.talkSeconds === null ? null : `PJSIP/op-${sequence % 7}`,
    callerNumber: spec.number,
    joinedAt: spec.joinedAt,
    answeredAt,
    endedAt,
    waitSeconds: spec.waitSeconds,
    talkSeconds: spec.talkSeconds,
    outcome: spec.talkSeconds === null ? 'ABANDONED' : 'ANSWERED',
    abandonPosition: spec.talkSeconds === null ? 1 : null,
    source: 'AMI',
  };
}

/** `count` calls spread over [from, from + spanMs) in the given queues, from a pool of callers so that some call again. */
export function randomCalls(random: () => number, count: number, queues: readonly string[], from: Date, spanMs: number): EndedCall[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const callers = Array.from({ length: Math.ceil(count / 6) }, (_, i) => `7918${String(1_000_000 + i * 7919).slice(-7)}`);
  return Array.from({ length: count }, () => {
    const lost = random() < 0.3;
    return anEndedCall({
      queue: pick(queues),
      joinedAt: new Date(from.getTime() + Math.floor(random() * spanMs)),
      // Mostly short waits, some long ones (the p90 and the service level see both).
      waitSeconds: Math.floor(random() ** 2 * 400),
      talkSeconds: lost ? null : 15 + Math.floor(random() * 600),
      number: random() < 0.1 ? null : pick(callers),
    });
  });
}

/** Which lost calls were returned and when, and which wait in an open task, per caller. */
export interface CallbackModel {
  readonly returned: Map<string, Date>;
  readonly open: Map<string, string[]>;
}

/**
 * Call-backs worked out from the calls alone by the call-backs' rule: a caller's lost calls are
 * covered by one open task until an answered call of his that joined after the first of them; that
 * call's answer returns them all. Calls are taken in the order they ended (as the ingester records
 * them). `reach` then returns a caller's open task when a call-back reached him.
 */
export function callbacksOf(calls: readonly EndedCall[]): CallbackModel & { reach(number: string, at: Date): void } {
  const tasks = new Map<string, { firstLostAt: number; lost: string[] }>();
  const returned = new Map<string, Date>();
  for (const call of [...calls].sort((a, b) => a.endedAt.getTime() - b.endedAt.getTime())) {
    if (call.callerNumber === null) continue;
    const task = tasks.get(call.callerNumber);
    if (call.outcome === 'ABANDONED') {
      if (task) task.lost.push(call.uniqueid);
      else tasks.set(call.callerNumber, { firstLostAt: call.endedAt.getTime(), lost: [call.uniqueid] });
    } else if (task && call.answeredAt && call.joinedAt.getTime() > task.firstLostAt) {
      for (const uniqueid of task.lost) returned.set(uniqueid, call.answeredAt);
      tasks.delete(call.callerNumber);
    }
  }
  const open = new Map([...tasks].map(([number, task]) => [number, task.lost]));
  return {
    returned,
    open,
    reach(number, at) {
      for (const uniqueid of open.get(number) ?? []) returned.set(uniqueid, at);
      open.delete(number);
    },
  };
}

/** percentile_cont: linear between the two nearest ranks. */
function percentile(values: readonly number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = fraction * (sorted.length - 1);
  const below = sorted[Math.floor(rank)] as number;
  const above = sorted[Math.ceil(rank)] as number;
  return below + (above - below) * (rank - Math.floor(rank));
}

/** Half away from zero at one decimal, after the 15 significant digits a double carries into a numeric. */
const oneDecimal = (value: number | null): number | null => (value === null ? null : Math.round(Number((value * 10).toPrecision(15))) / 10);
const share = (part: number, whole: number, decimals: number): number | null => (whole === 0 ? null : oneDecimalOrWhole((100 * part) / whole, decimals));
const oneDecimalOrWhole = (value: number, decimals: number): number => (decimals === 1 ? (oneDecimal(value) as number) : Math.round(Number(value.toPrecision(15))));
const average = (values: readonly number[]): number | null => (values.length === 0 ? null : oneDecimal(values.reduce((a, b) => a + b, 0) / values.length));
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** The figures of a set of calls, computed here without the statistics' SQL. */
export function expectedFigures(calls: readonly EndedCall[], returns: ReadonlyMap<string, Date>, serviceLevelSeconds: number): CallFigures {
  const answered = calls.filter((call) => call.outcome === 'ANSWERED');
  const lost = calls.filter((call) => call.outcome === 'ABANDONED');
  const waits = calls.map((call) => call.waitSeconds);
  const answeredWait = sum(answered.map((call) => call.waitSeconds));
  const talk = sum(answered.map((call) => call.talkSeconds ?? 0));
  const waitShare = share(answeredWait, answeredWait + talk, 0);
  const withheld = lost.filter((call) => call.callerNumber === null).length;
  const returnDelays = lost.flatMap((call) => {
    const at = returns.get(call.uniqueid);
    return at ? [Math.max(0, (at.getTime() - call.endedAt.getTime()) / 1000)] : [];
  });
  const withinServiceLevel = answered.filter((call) => call.waitSeconds <= serviceLevelSeconds).length;
  return {
    offered: calls.length,
    answered: answered.length,
    abandoned: lost.length,
    answeredWithinServiceLevel: withinServiceLevel,
    serviceLevelPercent: share(withinServiceLevel, calls.length, 1),
    averageWaitSeconds: average(waits),
    p90WaitSeconds: oneDecimal(percentile(waits, 0.9)),
    maxWaitSeconds: waits.length === 0 ? null : Math.max(...waits),
    averageWaitAnsweredSeconds: average(answered.map((call) => call.waitSeconds)),
    averageTalkSeconds: average(answered.map((call) => call.talkSeconds ?? 0)),
    waitTalkRatio: waitShare === null ? null : { wait: waitShare, talk: 100 - waitShare },
    lost: {
      total: lost.length,
      withheldNumber: withheld,
      returned: returnDelays.length,
      notReturned: lost.length - withheld - returnDelays.length,
      returnMedianSeconds: oneDecimal(percentile(returnDelays, 0.5)),
      returnP90Seconds: oneDecimal(percentile(returnDelays, 0.9)),
    },
  };
}
