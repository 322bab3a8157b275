import { EventTimeline } from './event.timeline';
import { PbxEvents, type OperatorView, type CallView } from './pbx.events';
import type { Call, CallScript, Operator, PbxBehaviour, PbxSinks, Queue, QueueSpec, QueueTotals, UniqueIds } from './pbx.model';
import { QueueLogFacts } from './queue.log';
import { exponential, lognormal, mobileNumber, weightedIndex, type Random } from './simulation.random';

const ringTimeoutMs = 15_000;
const retryMs = 5_000;
const pauseKinds = [
  { reason: 'break', meanSeconds: 600, weight: 5 },
  { reason: 'lunch', meanSeconds: 1800, weight: 2 },
  { reason: 'wrap-up', meanSeconds: 120, weight: 3 },
] as const;

const iso = (ms: number): string => new Date(ms).toISOString();
const seconds = (ms: number): number => Math.round(ms / 1000);
const hex = (n: number): string => n.toString(16).padStart(8, '0');

/**
 * The PBX's queues as a discrete-event simulation on simulated time: operators log in and pause,
 * callers wait in FIFO order for a free operator, ring (sometimes unanswered), talk, or abandon when
 * their patience runs out. Time moves only when the owner runs the timeline (live or replay).
 */
export class PbxEngine {
  readonly timeline = new EventTimeline();
  private readonly queues = new Map<string, Queue>();
  private readonly pool: string[] = [];
  private arrivalsPending = 0;
  private activeCalls = 0;

  constructor(
    specs: readonly QueueSpec[],
    private readonly behaviour: PbxBehaviour,
    private readonly random: Random,
    private readonly ids: UniqueIds,
    private readonly sinks: PbxSinks,
  ) {
    for (const spec of specs) {
      const operators = Array.from({ length: spec.operators }, (_, i): Operator => {
        const nn = String(i + 1).padStart(2, '0');
        return { queue: spec.name, name: `${spec.name} operator ${nn}`, iface: `PJSIP/${spec.name}-op${nn}`, state: 'free', paused: false, pausedReason: '', callsTaken: 0, lastCall: 0, pauseWanted: undefined };
      });
      this.queues.set(spec.name, { name: spec.name, operators, waiting: [], redials: [], totals: { offered: 0, answered: 0, abandoned: 0, holdSeconds: 0, talkSeconds: 0 } });
    }
    for (let i = 0; i < behaviour.callerPoolSize; i++) this.pool.push(mobileNumber(random));
  }

  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  operatorsOf(queue: string): readonly OperatorView[] {
    return this.queues.get(queue)?.operators ?? [];
  }

  waitingOf(queue: string): readonly (CallView & { joinedAt: number })[] {
    return this.queues.get(queue)?.waiting ?? [];
  }

  totalsOf(queue: string): QueueTotals | undefined {
    return this.queues.get(queue)?.totals;
  }

  /** True while arrivals are scheduled or calls are in progress. */
  busy(): boolean {
    return this.arrivalsPending > 0 || this.activeCalls > 0;
  }

  logIn(at: number): void {
    for (const q of this.queues.values())
      for (const op of q.operators) {
        this.sinks.event(PbxEvents.queueMemberAdded(at, op));
        this.sinks.queueLog(QueueLogFacts.member(at, q.name, op.name, 'ADDMEMBER'));
        this.schedulePause(at, op);
      }
  }

  logOut(at: number): void {
    for (const q of this.queues.values())
      for (const op of q.operators) {
        this.sinks.event(PbxEvents.queueMemberRemoved(at, op));
        this.sinks.queueLog(QueueLogFacts.member(at, q.name, op.name, 'REMOVEMEMBER'));
      }
  }

  /** A caller drawn from the pool (or a re-dialer) arrives at `at`; counted by `busy()` until then. */
  scheduleArrival(at: number, queue: string): void {
    this.arrivalsPending++;
    this.timeline.schedule(at, (t) => {
      this.arrivalsPending--;
      this.arrive(t, queue);
    });
  }

  /** A caller enters a queue now; answers the call's uniqueid. */
  arrive(at: number, queueName: string, number?: string, script?: CallScript): string {
    const q = this.queues.get(queueName);
    if (!q) throw new Error(`unknown queue ${queueName}`);
    const { uniqueid, seq } = this.ids.next(at);
    const leg = this.ids.next(at);
    const position = q.waiting.length + 1;
    const call: Call = {
      uniqueid,
      agentUniqueid: leg.uniqueid,
      legSeq: leg.seq,
      queue: q.name,
      number: number ?? this.numberFor(q, at),
      callerName: this.random() < 0.5 ? '' : 'Абонент',
      channel: `PJSIP/trunk-${hex(seq)}`,
      agentChannel: '',
      state: 'waiting',
      joinedAt: at,
      originalPosition: position,
      script,
      operator: undefined,
      phantom: false,
      ringStartedAt: 0,
      answeredAt: 0,
    };
    q.waiting.push(call);
    q.totals.offered++;
    this.activeCalls++;
    this.sinks.event(PbxEvents.queueCallerJoin(at, call, position, q.waiting.length));
    this.sinks.queueLog(QueueLogFacts.enterQueue(at, uniqueid, q.name, call.number, position));
    if (script?.outcome === 'ABANDON') this.timeline.schedule(at + script.waitSeconds * 1000, (t) => this.abandon(t, call));
    else if (script) {
      const ringMs = Math.min(script.waitSeconds * 1000, 3000);
      this.timeline.schedule(at + script.waitSeconds * 1000 - ringMs, (t) => this.ringScripted(t, call, q));
    } else {
      this.timeline.schedule(at + Math.round(exponential(this.random, this.behaviour.patienceMeanSeconds) * 1000), (t) => this.abandon(t, call));
      this.dispatch(at, q);
    }
    return uniqueid;
  }

  private numberFor(q: Queue, at: number): string {
    const i = q.redials.findIndex((r) => r.dueAt <= at);
    if (i >= 0) return q.redials.splice(i, 1)[0]?.number ?? '';
    return this.pool[Math.floor(this.random() * this.pool.length)] ?? mobileNumber(this.random);
  }

  private dispatch(at: number, q: Queue): void {
    for (;;) {
      const call = q.waiting.find((c) => c.state === 'waiting' && c.script === undefined);
      if (!call) return;
      let best: Operator | undefined;
      for (const op of q.operators) if (op.state === 'free' && !op.paused && (!best || op.lastCall < best.lastCall)) best = op;
      if (!best) return;
      this.ring(at, call, best);
    }
  }

  private ring(at: number, call: Call, op: Operator): void {
    call.state = 'ringing';
    call.operator = op;
    call.ringStartedAt = at;
    call.agentChannel = `${op.iface}-${hex(call.legSeq)}`;
    op.state = 'ringing';
    this.sinks.event(PbxEvents.agentCalled(at, call, op));
    if (this.random() < this.behaviour.ringNoAnswerShare) {
      this.timeline.schedule(at + ringTimeoutMs, (t) => {
        if (call.state !== 'ringing' || call.operator !== op) return;
        this.sinks.event(PbxEvents.agentRingNoAnswer(t, call, op, seconds(ringTimeoutMs)));
        this.sinks.queueLog(QueueLogFacts.ringNoAnswer(t, call.uniqueid, call.queue, op.name, ringTimeoutMs));
        call.state = 'waiting';
        call.operator = undefined;
        op.state = 'wrapup';
        this.timeline.schedule(t + retryMs, (t2) => this.free(t2, op));
        this.dispatch(t, this.queueOf(call));
      });
    } else this.timeline.schedule(at + Math.round((2 + this.random() * 6) * 1000), (t) => this.connect(t, call));
  }

  /** An injected answered call rings a free operator if there is one, else the queue's first (who then has two calls). */
  private ringScripted(at: number, call: Call, q: Queue): void {
    const op = q.operators.find((o) => o.state === 'free' && !o.paused) ?? q.operators[0];
    if (!op) return;
    call.phantom = op.state !== 'free' || op.paused;
    call.state = 'ringing';
    call.operator = op;
    call.ringStartedAt = at;
    call.agentChannel = `${op.iface}-${hex(call.legSeq)}`;
    if (!call.phantom) op.state = 'ringing';
    this.sinks.event(PbxEvents.agentCalled(at, call, op));
    this.timeline.schedule(call.joinedAt + (call.script?.waitSeconds ?? 0) * 1000, (t) => this.connect(t, call));
  }

  private connect(at: number, call: Call): void {
    const op = call.operator;
    if (call.state !== 'ringing' || !op) return;
    const q = this.queueOf(call);
    const position = q.waiting.indexOf(call) + 1;
    q.waiting.splice(position - 1, 1);
    call.state = 'talking';
    call.answeredAt = at;
    if (!call.phantom) op.state = 'talking';
    this.sinks.event(PbxEvents.agentConnect(at, call, op, seconds(at - call.joinedAt), seconds(at - call.ringStartedAt)));
    this.sinks.event(PbxEvents.queueCallerLeave(at, call, position, q.waiting.length));
    this.sinks.queueLog(QueueLogFacts.connect(at, call.uniqueid, q.name, op.name, seconds(at - call.joinedAt), call.agentUniqueid, seconds(at - call.ringStartedAt)));
    const talkMs = call.script?.talkSeconds !== undefined ? call.script.talkSeconds * 1000 : Math.max(5000, Math.round(lognormal(this.random, this.behaviour.talkMeanSeconds) * 1000));
    this.timeline.schedule(at + talkMs, (t) => this.complete(t, call, op));
  }

  private complete(at: number, call: Call, op: Operator): void {
    const q = this.queueOf(call);
    const hold = seconds(call.answeredAt - call.joinedAt);
    const talk = seconds(at - call.answeredAt);
    const by = this.random() < 0.6 ? 'caller' : 'agent';
    call.state = 'done';
    op.callsTaken++;
    op.lastCall = at;
    if (!call.phantom) op.state = 'wrapup';
    this.sinks.event(PbxEvents.agentComplete(at, call, op, hold, talk, by));
    this.sinks.queueLog(QueueLogFacts.complete(at, call.uniqueid, q.name, op.name, by, hold, talk, call.originalPosition));
    this.sinks.event(PbxEvents.hangup(at, call, op));
    q.totals.answered++;
    q.totals.holdSeconds += hold;
    q.totals.talkSeconds += talk;
    this.activeCalls--;
    this.sinks.finished({ uniqueid: call.uniqueid, queue: q.name, callerNumber: call.number, joinedAt: iso(call.joinedAt), answeredAt: iso(call.answeredAt), endedAt: iso(at), holdSeconds: hold, talkSeconds: talk, outcome: 'ANSWERED', agent: op.name, abandonPosition: null });
    if (!call.phantom) this.timeline.schedule(at + this.behaviour.wrapUpSeconds * 1000, (t) => this.free(t, op));
  }

  private abandon(at: number, call: Call): void {
    if (call.state !== 'waiting' && call.state !== 'ringing') return;
    const q = this.queueOf(call);
    const ringing = call.state === 'ringing' && !call.phantom ? call.operator : undefined;
    const position = q.waiting.indexOf(call) + 1;
    q.waiting.splice(position - 1, 1);
    call.state = 'done';
    const hold = seconds(at - call.joinedAt);
    this.sinks.event(PbxEvents.queueCallerAbandon(at, call, position, call.originalPosition, hold));
    this.sinks.event(PbxEvents.queueCallerLeave(at, call, position, q.waiting.length));
    this.sinks.event(PbxEvents.hangup(at, call, undefined));
    this.sinks.queueLog(QueueLogFacts.abandon(at, call.uniqueid, q.name, position, call.originalPosition, hold));
    q.totals.abandoned++;
    q.totals.holdSeconds += hold;
    this.activeCalls--;
    this.sinks.finished({ uniqueid: call.uniqueid, queue: q.name, callerNumber: call.number, joinedAt: iso(call.joinedAt), answeredAt: null, endedAt: iso(at), holdSeconds: hold, talkSeconds: null, outcome: 'ABANDONED', agent: null, abandonPosition: position });
    if (call.script === undefined && this.random() < this.behaviour.redialShare)
      q.redials.push({ number: call.number, dueAt: at + Math.round(exponential(this.random, this.behaviour.redialMeanSeconds) * 1000) });
    if (ringing) this.free(at, ringing);
  }

  private free(at: number, op: Operator): void {
    op.state = 'free';
    if (op.pauseWanted !== undefined) this.pause(at, op, op.pauseWanted);
    else this.dispatch(at, this.queueOfOperator(op));
  }

  private schedulePause(from: number, op: Operator): void {
    if (this.behaviour.pauseEverySeconds <= 0) return;
    const kind = pauseKinds[weightedIndex(this.random, pauseKinds.map((k) => k.weight))] ?? pauseKinds[0];
    this.timeline.schedule(from + Math.round(exponential(this.random, this.behaviour.pauseEverySeconds) * 1000), (t) => {
      if (op.state === 'free' && !op.paused) this.pause(t, op, kind.reason);
      else op.pauseWanted = kind.reason;
    });
  }

  private pause(at: number, op: Operator, reason: string): void {
    op.pauseWanted = undefined;
    op.paused = true;
    op.pausedReason = reason;
    this.sinks.event(PbxEvents.queueMemberPause(at, op));
    this.sinks.queueLog(QueueLogFacts.member(at, op.queue, op.name, 'PAUSE', reason));
    const mean = pauseKinds.find((k) => k.reason === reason)?.meanSeconds ?? 600;
    this.timeline.schedule(at + Math.round(exponential(this.random, mean) * 1000), (t) => {
      op.paused = false;
      op.pausedReason = '';
      this.sinks.event(PbxEvents.queueMemberPause(t, op));
      this.sinks.queueLog(QueueLogFacts.member(t, op.queue, op.name, 'UNPAUSE'));
      this.schedulePause(t, op);
      if (op.state === 'free') this.dispatch(t, this.queueOfOperator(op));
    });
  }

  private queueOf(call: Call): Queue {
    return this.queues.get(call.queue) as Queue;
  }

  private queueOfOperator(op: Operator): Queue {
    return this.queues.get(op.queue) as Queue;
  }
}
