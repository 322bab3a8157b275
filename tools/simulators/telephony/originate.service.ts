import { fieldOf, fieldsOf, type AmiFields } from './ami.codec';
import type { UniqueIds } from './pbx.model';
import type { PbxEvent } from './pbx.events';
import { weightedIndex, type Random } from './simulation.random';

export const originateOutcomes = ['ANSWERED', 'NO_ANSWER', 'BUSY', 'CONGESTED'] as const;
export type OriginateOutcome = (typeof originateOutcomes)[number];
type Result = OriginateOutcome | 'NO_SUCH_NUMBER';

/** Asterisk's OriginateResponse `Reason` (the dial's AST_CONTROL code). */
const reasons: Record<Result, number> = { NO_SUCH_NUMBER: 0, NO_ANSWER: 1, ANSWERED: 4, BUSY: 5, CONGESTED: 8 };

export interface OriginateShares {
  readonly answered: number;
  readonly noAnswer: number;
  readonly busy: number;
  readonly congested: number;
}

export interface OriginateRecord {
  readonly number: string;
  readonly channel: string;
  /** Simulated time the Originate was received. */
  readonly at: string;
  readonly outcome: Result;
  readonly reason: number;
  readonly actionId: string | null;
  readonly async: boolean;
  readonly uniqueid: string;
  readonly variables: string[];
}

export interface OriginateClock {
  /** Simulated ms now. */
  now(): number;
  /** Simulated seconds per real second. */
  readonly speed: number;
}

const channelPattern = /^(?:Local|PJSIP|SIP)\/([^@/]+)(?:@[\w-]+)?$/i;

/**
 * Call-backs: an Originate is answered at once (Async) or after its outcome; the outcome is the
 * number's override, else drawn from the shares; `OriginateResponse` follows a simulated ring.
 */
export class OriginateDesk {
  readonly overrides = new Map<string, OriginateOutcome>();
  private records: OriginateRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly shares: OriginateShares,
    private readonly ringSeconds: number,
    private readonly clock: OriginateClock,
    private readonly ids: UniqueIds,
    private readonly random: Random,
  ) {}

  list(): readonly OriginateRecord[] {
    return this.records;
  }

  /**
   * Handles one Originate; `reply` gets the Response (at once when Async, else after the ring),
   * `broadcast` the OriginateResponse event. Answers false when the action lacks a Channel.
   */
  handle(message: AmiFields, reply: (fields: [string, string][]) => void, broadcast: (event: PbxEvent) => void): boolean {
    const channel = fieldOf(message, 'Channel');
    if (channel === undefined || channel === '') return false;
    const actionId = fieldOf(message, 'ActionID');
    const async = /^(true|yes|1|on)$/i.test(fieldOf(message, 'Async') ?? '');
    const number = channelPattern.exec(channel)?.[1] ?? '';
    const outcome = this.outcomeOf(number);
    const at = this.clock.now();
    const { uniqueid } = this.ids.next(at);
    this.records.push({ number, channel, at: new Date(at).toISOString(), outcome, reason: reasons[outcome], actionId: actionId ?? null, async, uniqueid, variables: fieldsOf(message, 'Variable') });
    const id: [string, string][] = actionId === undefined ? [] : [['ActionID', actionId]];
    if (async) reply([['Response', 'Success'], ...id, ['Message', 'Originate successfully queued']]);
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        const answered = outcome === 'ANSWERED';
        if (!async) reply(answered ? [['Response', 'Success'], ...id, ['Message', 'Originate successfully queued']] : [['Response', 'Error'], ...id, ['Message', 'Originate failed']]);
        broadcast({
          at: this.clock.now(),
          name: 'OriginateResponse',
          klass: 'call',
          fields: [
            ['Event', 'OriginateResponse'],
            ...id,
            ['Response', answered ? 'Success' : 'Failure'],
            ['Channel', channel],
            ['Context', fieldOf(message, 'Context') ?? 'outbound'],
            ['Exten', fieldOf(message, 'Exten') ?? number],
            ['Application', fieldOf(message, 'Application') ?? ''],
            ['Data', fieldOf(message, 'Data') ?? ''],
            ['Reason', String(reasons[outcome])],
            ['Uniqueid', answered ? uniqueid : '<null>'],
            ['CallerIDNum', fieldOf(message, 'CallerID')?.replace(/^.*<([^>]*)>.*$/, '$1') ?? '<unknown>'],
            ['CallerIDName', '<unknown>'],
          ],
        });
      },
      outcome === 'NO_SUCH_NUMBER' ? 0 : (this.ringSeconds * 1000) / this.clock.speed,
    );
    this.timers.add(timer);
    return true;
  }

  /** Clears the log and the overrides (admin reset). */
  reset(): void {
    this.records = [];
    this.overrides.clear();
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private outcomeOf(number: string): Result {
    if (!/^\d{7,15}$/.test(number)) return 'NO_SUCH_NUMBER';
    const override = this.overrides.get(number);
    if (override) return override;
    const { answered, noAnswer, busy, congested } = this.shares;
    return originateOutcomes[weightedIndex(this.random, [answered, noAnswer, busy, congested])] ?? 'ANSWERED';
  }
}
