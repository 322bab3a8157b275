import { arrivalsOfDay, startOfLocalDay } from './daily.curve';
import { PbxEngine } from './pbx.engine';
import type { PbxBehaviour, PbxSinks, QueueSpec, UniqueIds } from './pbx.model';
import { seededRandom, weightedIndex } from './simulation.random';

export interface ReplayRequest {
  readonly day: string;
  readonly calls: number;
  readonly timeZone: string;
  readonly seed: number;
}

export interface ReplayStatus {
  state: 'idle' | 'running' | 'done';
  day: string | null;
  /** Calls whose events were all written (abandon or complete). */
  emitted: number;
  total: number;
  events: number;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ReplayDependencies {
  readonly queues: readonly QueueSpec[];
  readonly behaviour: PbxBehaviour;
  readonly ids: UniqueIds;
  readonly sinks: PbxSinks;
  /** Waits until the AMI clients have read what was written (backpressure). */
  drained(): Promise<void>;
  /** Stops and restarts the live day around the replay. */
  freeze(): void;
  resume(): void;
}

/** How many engine steps run between two waits for the clients. */
const stepsPerBatch = 64;

/**
 * Replays one whole local day with exactly `calls` callers (the daily curve, patience, talk,
 * re-dials, operators' pauses; deterministic for a seed) as fast as the AMI clients read.
 */
export class ReplayRunner {
  readonly status: ReplayStatus = { state: 'idle', day: null, emitted: 0, total: 0, events: 0, startedAt: null, finishedAt: null };
  private stopping = false;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: ReplayDependencies) {}

  /** Starts a replay; false when one is running. */
  start(request: ReplayRequest): boolean {
    if (this.status.state === 'running') return false;
    Object.assign(this.status, { state: 'running', day: request.day, emitted: 0, total: request.calls, events: 0, startedAt: new Date().toISOString(), finishedAt: null });
    this.deps.freeze();
    this.running = this.run(request).finally(() => {
      this.status.state = 'done';
      this.status.finishedAt = new Date().toISOString();
      this.deps.resume();
    });
    return true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async run(request: ReplayRequest): Promise<void> {
    const random = seededRandom(request.seed);
    const sinks: PbxSinks = {
      event: (event) => {
        this.status.events++;
        this.deps.sinks.event(event);
      },
      queueLog: (entry) => this.deps.sinks.queueLog(entry),
      finished: (fact) => {
        this.status.emitted++;
        this.deps.sinks.finished(fact);
      },
    };
    const engine = new PbxEngine(this.deps.queues, this.deps.behaviour, random, this.deps.ids, sinks);
    engine.logIn(startOfLocalDay(request.day, request.timeZone));
    const weights = this.deps.queues.map((q) => q.operators);
    for (const at of arrivalsOfDay(request.calls, request.day, request.timeZone, random)) {
      const queue = this.deps.queues[weightedIndex(random, weights)];
      if (queue) engine.scheduleArrival(at, queue.name);
    }
    let steps = 0;
    while (engine.busy() && !this.stopping) {
      engine.timeline.step();
      if (++steps % stepsPerBatch === 0) await this.deps.drained();
    }
    await this.deps.drained();
  }
}
