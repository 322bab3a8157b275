import type { CallFact } from './call.records';
import type { CallView, OperatorView, PbxEvent } from './pbx.events';
import type { QueueLogEntry } from './queue.log';

export interface QueueSpec {
  readonly name: string;
  readonly operators: number;
}

export interface PbxBehaviour {
  readonly patienceMeanSeconds: number;
  readonly talkMeanSeconds: number;
  readonly wrapUpSeconds: number;
  readonly ringNoAnswerShare: number;
  readonly redialShare: number;
  readonly redialMeanSeconds: number;
  /** Mean time between an operator's pauses; 0: operators never pause. */
  readonly pauseEverySeconds: number;
  readonly callerPoolSize: number;
}

/** A call injected through admin: its outcome and timing are given, not drawn. */
export interface CallScript {
  readonly outcome: 'ABANDON' | 'ANSWER';
  readonly waitSeconds: number;
  readonly talkSeconds?: number;
}

export interface PbxSinks {
  event(event: PbxEvent): void;
  queueLog(entry: QueueLogEntry): void;
  /** A call ended; called right after its last event was handed to `event`. */
  finished(fact: Omit<CallFact, 'emittedAt'>): void;
}

/** Asterisk-style channel uniqueids `<epoch>.<seq>`, one sequence for the whole PBX. */
export class UniqueIds {
  private seq = 0;
  next(at: number): { uniqueid: string; seq: number } {
    this.seq++;
    return { uniqueid: `${Math.floor(at / 1000)}.${this.seq}`, seq: this.seq };
  }
}

export interface Operator extends OperatorView {
  state: OperatorView['state'];
  paused: boolean;
  pausedReason: string;
  callsTaken: number;
  lastCall: number;
  pauseWanted: string | undefined;
}

export interface Call extends CallView {
  agentChannel: string;
  readonly legSeq: number;
  state: 'waiting' | 'ringing' | 'talking' | 'done';
  readonly joinedAt: number;
  readonly originalPosition: number;
  readonly script: CallScript | undefined;
  operator: Operator | undefined;
  phantom: boolean;
  ringStartedAt: number;
  answeredAt: number;
}

export interface QueueTotals {
  offered: number;
  answered: number;
  abandoned: number;
  holdSeconds: number;
  talkSeconds: number;
}

export interface Queue {
  readonly name: string;
  readonly operators: Operator[];
  readonly waiting: Call[];
  readonly redials: { number: string; dueAt: number }[];
  readonly totals: QueueTotals;
}
