import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { AmiProtocolError, AmiReader, amiTimestamp, encodeAmi, fieldOf, type AmiFields } from './ami.codec';
import type { OriginateDesk } from './originate.service';
import type { PbxEngine } from './pbx.engine';
import { queueMemberStatus, type AmiClass, type PbxEvent } from './pbx.events';

export type Log = (line: Record<string, unknown>) => void;

export interface SessionDependencies {
  readonly users: ReadonlyMap<string, string>;
  /** Simulated ms now. */
  now(): number;
  /** The live PBX (QueueStatus, QueueSummary). */
  engine(): PbxEngine;
  readonly originate: OriginateDesk;
  broadcast(event: PbxEvent): void;
  readonly log: Log;
}

type Pairs = [string, string][];

/** `Events:` / `EventMask:` → the classes wanted: on = all, off = none, else a comma list. */
export function eventMaskOf(value: string | undefined): Set<AmiClass> {
  const v = (value ?? 'on').trim().toLowerCase();
  if (v === 'on' || v === 'yes' || v === 'true') return new Set(['call', 'agent']);
  const classes = new Set(v.split(',').map((c) => c.trim()));
  if (classes.has('all')) return new Set(['call', 'agent']);
  return new Set((['call', 'agent'] as const).filter((c) => classes.has(c)));
}

function secretMatches(expected: string | undefined, given: string): boolean {
  const a = Buffer.from(expected ?? '');
  const b = Buffer.from(given);
  return expected !== undefined && a.length === b.length && timingSafeEqual(a, b);
}

/** One AMI connection: parses its actions, answers them, and says which events it wants. */
export class AmiSession {
  private readonly reader = new AmiReader();
  private loggedIn = false;
  private mask = new Set<AmiClass>();

  constructor(
    readonly socket: Socket,
    private readonly deps: SessionDependencies,
  ) {}

  wants(klass: AmiClass): boolean {
    return this.loggedIn && this.mask.has(klass) && !this.socket.destroyed;
  }

  onData(chunk: Buffer): void {
    let messages: AmiFields[];
    try {
      messages = this.reader.push(chunk);
    } catch (error) {
      this.deps.log({ msg: 'ami protocol error, closing', reason: error instanceof AmiProtocolError ? error.message : 'unknown' });
      this.socket.destroy();
      return;
    }
    for (const message of messages) {
      if (this.socket.destroyed) return;
      this.handle(message);
    }
  }

  private send(fields: Pairs): void {
    if (!this.socket.destroyed) this.socket.write(encodeAmi(fields));
  }

  private handle(message: AmiFields): void {
    const action = (fieldOf(message, 'Action') ?? '').toLowerCase();
    const actionId = fieldOf(message, 'ActionID');
    const id: Pairs = actionId === undefined ? [] : [['ActionID', actionId]];
    const respond = (response: string, rest: Pairs): void => this.send([['Response', response], ...id, ...rest]);
    if (action === '') return respond('Error', [['Message', 'Missing action in request']]);
    if (!this.loggedIn && action !== 'login' && action !== 'ping') return respond('Error', [['Message', 'Authentication Required']]);
    switch (action) {
      case 'login': {
        const user = fieldOf(message, 'Username') ?? '';
        if (!secretMatches(this.deps.users.get(user), fieldOf(message, 'Secret') ?? '')) {
          this.deps.log({ msg: 'ami login refused' });
          return respond('Error', [['Message', 'Authentication failed']]);
        }
        this.loggedIn = true;
        this.mask = eventMaskOf(fieldOf(message, 'Events'));
        this.deps.log({ msg: 'ami login', user });
        return respond('Success', [['Message', 'Authentication accepted']]);
      }
      case 'logoff':
        respond('Goodbye', [['Message', 'Thanks for all the fish.']]);
        this.socket.end();
        return;
      case 'ping':
        return respond('Success', [['Ping', 'Pong'], ['Timestamp', amiTimestamp(this.deps.now())]]);
      case 'events': {
        this.mask = eventMaskOf(fieldOf(message, 'EventMask'));
        return respond('Success', [['Events', this.mask.size > 0 ? 'On' : 'Off']]);
      }
      case 'originate': {
        const handled = this.deps.originate.handle(message, (fields) => this.send(fields), (event) => this.deps.broadcast(event));
        if (!handled) respond('Error', [['Message', 'Channel not specified']]);
        return;
      }
      case 'queuestatus':
        return this.list(id, 'Queue status will follow', 'QueueStatusComplete', this.queueStatus(fieldOf(message, 'Queue')));
      case 'queuesummary':
        return this.list(id, 'Queue summary will follow', 'QueueSummaryComplete', this.queueSummary(fieldOf(message, 'Queue')));
      default:
        return respond('Error', [['Message', 'Invalid/unknown command']]);
    }
  }

  private list(id: Pairs, message: string, complete: string, events: Pairs[]): void {
    const timestamp: Pairs = [['Timestamp', amiTimestamp(this.deps.now())]];
    this.send([['Response', 'Success'], ...id, ['EventList', 'start'], ['Message', message]]);
    for (const event of events) this.send([event[0] ?? ['Event', ''], ...timestamp, ...id, ...event.slice(1)]);
    this.send([['Event', complete], ...timestamp, ...id, ['EventList', 'Complete'], ['ListItems', String(events.length)]]);
  }

  private queueStatus(only: string | undefined): Pairs[] {
    const engine = this.deps.engine();
    const now = this.deps.now();
    const events: Pairs[] = [];
    for (const queue of engine.queueNames()) {
      if (only !== undefined && only !== '' && only !== queue) continue;
      const t = engine.totalsOf(queue);
      const done = t ? t.answered + t.abandoned : 0;
      const waiting = engine.waitingOf(queue);
      events.push([
        ['Event', 'QueueParams'],
        ['Queue', queue],
        ['Max', '0'],
        ['Strategy', 'leastrecent'],
        ['Calls', String(waiting.length)],
        ['Holdtime', String(t && done > 0 ? Math.round(t.holdSeconds / done) : 0)],
        ['TalkTime', String(t && t.answered > 0 ? Math.round(t.talkSeconds / t.answered) : 0)],
        ['Completed', String(t?.answered ?? 0)],
        ['Abandoned', String(t?.abandoned ?? 0)],
        ['ServiceLevel', '60'],
        ['ServicelevelPerf', '0.0'],
        ['Weight', '0'],
      ]);
      for (const op of engine.operatorsOf(queue)) events.push([['Event', 'QueueMember'], ...queueMemberStatus(op)]);
      waiting.forEach((call, i) =>
        events.push([
          ['Event', 'QueueEntry'],
          ['Queue', queue],
          ['Position', String(i + 1)],
          ['Channel', call.channel],
          ['Uniqueid', call.uniqueid],
          ['CallerIDNum', call.number],
          ['CallerIDName', call.callerName === '' ? '<unknown>' : call.callerName],
          ['Wait', String(Math.max(0, Math.round((now - call.joinedAt) / 1000)))],
        ]),
      );
    }
    return events;
  }

  private queueSummary(only: string | undefined): Pairs[] {
    const engine = this.deps.engine();
    const now = this.deps.now();
    return engine
      .queueNames()
      .filter((queue) => only === undefined || only === '' || only === queue)
      .map((queue) => {
        const ops = engine.operatorsOf(queue);
        const waiting = engine.waitingOf(queue);
        const t = engine.totalsOf(queue);
        const done = t ? t.answered + t.abandoned : 0;
        return [
          ['Event', 'QueueSummary'],
          ['Queue', queue],
          ['LoggedIn', String(ops.length)],
          ['Available', String(ops.filter((o) => o.state === 'free' && !o.paused).length)],
          ['Callers', String(waiting.length)],
          ['HoldTime', String(t && done > 0 ? Math.round(t.holdSeconds / done) : 0)],
          ['TalkTime', String(t && t.answered > 0 ? Math.round(t.talkSeconds / t.answered) : 0)],
          ['LongestHoldTime', String(waiting[0] ? Math.max(0, Math.round((now - waiting[0].joinedAt) / 1000)) : 0)],
        ];
      });
  }
}
