import { nextArrival } from './daily.curve';
import { PbxEngine } from './pbx.engine';
import type { CallScript, PbxBehaviour, PbxSinks, QueueSpec, UniqueIds } from './pbx.model';
import { seededRandom, type Random } from './simulation.random';

export interface LiveOptions {
  readonly queues: readonly QueueSpec[];
  readonly behaviour: PbxBehaviour;
  readonly callsPerDay: number;
  /** Simulated seconds per real second. */
  readonly speed: number;
  /** Simulated ms at the start. */
  readonly startAt: number;
  readonly timeZone: string;
  readonly seed: number;
}

const tickMs = 20;

/**
 * The PBX's live day: a simulated clock running `speed` times real time, callers arriving per queue
 * on the daily curve (split by operator counts), and the engine run up to the clock every tick.
 * Frozen (clock and calls stopped) while a replay runs.
 */
export class LivePbx {
  engine: PbxEngine;
  private baseSim: number;
  private baseReal: number;
  private frozen = false;
  private callsPerDay: number;
  private paused = false;
  private generation = 0;
  private resets = 0;
  private arrivalsRandom: Random;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: LiveOptions,
    private readonly ids: UniqueIds,
    private readonly sinks: PbxSinks,
    private readonly realNow: () => number = Date.now,
  ) {
    this.baseSim = options.startAt;
    this.baseReal = realNow();
    this.callsPerDay = options.callsPerDay;
    this.arrivalsRandom = seededRandom(options.seed ^ 0x5eed);
    this.engine = this.newEngine();
  }

  /** Simulated ms now. */
  now(): number {
    return this.frozen ? this.baseSim : Math.round(this.baseSim + (this.realNow() - this.baseReal) * this.options.speed);
  }

  get speed(): number {
    return this.options.speed;
  }

  load(): { callsPerDay: number; paused: boolean } {
    return { callsPerDay: this.callsPerDay, paused: this.paused };
  }

  start(): void {
    this.engine.logIn(this.now());
    this.scheduleArrivals();
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs the engine up to the clock; also called before reading live state. */
  tick(): void {
    if (!this.frozen) this.engine.timeline.runUntil(this.now());
  }

  setLoad(change: { callsPerDay?: number; paused?: boolean }): void {
    this.tick();
    if (change.callsPerDay !== undefined) this.callsPerDay = change.callsPerDay;
    if (change.paused !== undefined) this.paused = change.paused;
    this.scheduleArrivals();
  }

  /** An injected call joins its queue now; its later events follow on the clock. */
  inject(queue: string, number: string, script: CallScript): string {
    this.tick();
    return this.engine.arrive(this.now(), queue, number, script);
  }

  freeze(): void {
    this.tick();
    this.baseSim = this.now();
    this.frozen = true;
  }

  resume(): void {
    this.baseReal = this.realNow();
    this.frozen = false;
  }

  /** Operators log out, calls in progress vanish, a fresh PBX logs its operators in. */
  reset(): void {
    this.tick();
    const at = this.now();
    this.engine.logOut(at);
    this.resets++;
    this.engine = this.newEngine();
    this.engine.logIn(at);
    this.scheduleArrivals();
  }

  private newEngine(): PbxEngine {
    return new PbxEngine(this.options.queues, this.options.behaviour, seededRandom(this.options.seed + this.resets * 7919), this.ids, this.sinks);
  }

  private scheduleArrivals(): void {
    const generation = ++this.generation;
    if (this.paused || this.callsPerDay <= 0) return;
    const total = this.options.queues.reduce((sum, q) => sum + q.operators, 0);
    const from = this.now();
    for (const queue of this.options.queues) {
      const perDay = total > 0 ? (this.callsPerDay * queue.operators) / total : 0;
      const engine = this.engine;
      const next = (after: number): void => {
        const at = nextArrival(after, perDay, this.options.timeZone, this.arrivalsRandom);
        if (at === undefined) return;
        engine.timeline.schedule(Math.round(at), (t) => {
          if (generation !== this.generation || engine !== this.engine) return;
          engine.arrive(t, queue.name);
          next(t);
        });
      };
      next(from);
    }
  }
}
