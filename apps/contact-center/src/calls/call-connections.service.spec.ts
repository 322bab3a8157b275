import { randomBytes } from 'node:crypto';
import type { CallConnectionEvent } from './call-connections.service';
import { CallConnections } from './call-connections.service';
import { CallerHash } from './caller-protection.service';

function connections(): { events: CallConnectionEvent[]; feed: CallConnections; hash: CallerHash } {
  const hash = new CallerHash({ CC_PHONE_HASH_KEY: randomBytes(32) });
  const feed = new CallConnections({ CC_QUEUE_BRANCHES: { 'sochi-main': 'sochi' } }, hash);
  const events: CallConnectionEvent[] = [];
  feed.events.subscribe((event) => events.push(event));
  return { events, feed, hash };
}

describe('who the PBX connected to which seat', () => {
  it('tells an AgentConnect as the call on the member’s interface, with the queue’s branch and the caller’s keyed hash', () => {
    const { events, feed, hash } = connections();
    feed.apply({ event: 'AgentConnect', uniqueid: '1796000000.1', queue: 'sochi-main', interface: 'PJSIP/sochi-op01', membername: 'sochi operator 01', calleridnum: '79181234567', timestamp: '1796000000.500000' });
    expect(events).toEqual([
      { kind: 'connected', uniqueid: '1796000000.1', queue: 'sochi-main', branch: 'sochi', seat: 'PJSIP/sochi-op01', callerNumber: '79181234567', callerHash: hash.of('79181234567'), connectedAt: new Date(1796000000500) },
    ]);
  });

  it('tells a withheld number as none', () => {
    const { events, feed } = connections();
    feed.apply({ event: 'AgentConnect', uniqueid: '1796000000.2', queue: 'head', interface: 'PJSIP/head-op01', calleridnum: '<unknown>' });
    expect(events).toEqual([expect.objectContaining({ kind: 'connected', branch: 'head', callerNumber: null, callerHash: null })]);
  });

  it('tells the end of a call by AgentComplete on its seat, or by the caller’s hangup or abandon', () => {
    const { events, feed } = connections();
    feed.apply({ event: 'AgentComplete', uniqueid: '1796000000.1', interface: 'PJSIP/sochi-op01' });
    feed.apply({ event: 'Hangup', uniqueid: '1796000000.1' });
    feed.apply({ event: 'QueueCallerAbandon', uniqueid: '1796000000.3' });
    feed.apply({ event: 'QueueCallerJoin', uniqueid: '1796000000.4' });
    expect(events).toEqual([
      { kind: 'ended', uniqueid: '1796000000.1', seat: 'PJSIP/sochi-op01' },
      { kind: 'ended', uniqueid: '1796000000.1', seat: null },
      { kind: 'ended', uniqueid: '1796000000.3', seat: null },
    ]);
  });
});
