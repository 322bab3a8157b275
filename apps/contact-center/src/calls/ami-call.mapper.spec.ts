import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AmiMessage } from '../pbx/ami.client';
import { CallTracker, callerNumberOf, endedCallOf, pbxTimeOf } from './ami-call.mapper';

/** Recorded from the telephony simulator: one caller abandons after 40 s, another waits 20 s and talks 60 s. */
const recorded: AmiMessage[] = JSON.parse(readFileSync(join(__dirname, '__fixtures__', 'abandoned-and-answered.ami.json'), 'utf8'));
const at = (message: AmiMessage): Date => pbxTimeOf(message) as Date;
const byEvent = (event: string, uniqueid: string): AmiMessage => recorded.find((m) => m.event === event && m.uniqueid === uniqueid) as AmiMessage;

describe('AMI events → calls', () => {
  it('records the abandoned and the answered call once each, in PBX time, from the live stream', () => {
    const tracker = new CallTracker();
    const ended = recorded.map((message) => tracker.apply(message, at(message))).filter((call) => call !== undefined);
    expect(ended).toEqual([
      expect.objectContaining({
        uniqueid: '1795980065.1', queue: 'head', callerNumber: '79180000001', outcome: 'ABANDONED', waitSeconds: 40, talkSeconds: null, abandonPosition: 1, operator: null, source: 'AMI',
        joinedAt: new Date(1795980065776), answeredAt: null, endedAt: at(byEvent('QueueCallerAbandon', '1795980065.1')),
      }),
      expect.objectContaining({
        uniqueid: '1795980068.3', callerNumber: '79180000002', outcome: 'ANSWERED', waitSeconds: 20, talkSeconds: 60, operator: 'head operator 01', abandonPosition: null,
        joinedAt: new Date(1795980068796), answeredAt: at(byEvent('AgentConnect', '1795980068.3')), endedAt: at(byEvent('AgentComplete', '1795980068.3')),
      }),
    ]);
    expect(tracker.openSince()).toBeNull();
  });

  it('holds a call in progress until it ends, and reports the earliest one', () => {
    const tracker = new CallTracker();
    for (const message of recorded.slice(0, 4)) tracker.apply(message, at(message));
    expect([...tracker.inProgress()].map((call) => call.uniqueid)).toEqual(['1795980065.1', '1795980068.3']);
    expect(tracker.get('1795980068.3')).toEqual(expect.objectContaining({ operator: 'head operator 01', answeredAt: at(byEvent('AgentConnect', '1795980068.3')) }));
    expect(tracker.openSince()).toEqual(new Date(1795980065776));
  });

  it('completes a call from its end event alone when its start was not seen (times reckoned back)', () => {
    const complete = byEvent('AgentComplete', '1795980068.3');
    const call = endedCallOf(complete, at(complete), undefined);
    expect(call).toEqual(expect.objectContaining({ outcome: 'ANSWERED', callerNumber: '79180000002', waitSeconds: 20, talkSeconds: 60 }));
    expect(call?.answeredAt?.getTime()).toBe(at(complete).getTime() - 60_000);
    expect(call?.joinedAt.getTime()).toBe(at(complete).getTime() - 80_000);
    const abandon = byEvent('QueueCallerAbandon', '1795980065.1');
    expect(endedCallOf(abandon, at(abandon), undefined)?.joinedAt.getTime()).toBe(at(abandon).getTime() - 40_000);
  });

  it('ignores events that end nothing and knows a withheld number', () => {
    expect(endedCallOf(byEvent('Hangup', '1795980065.1'), new Date(), undefined)).toBeUndefined();
    expect(callerNumberOf('<unknown>')).toBeNull();
    expect(callerNumberOf('anonymous')).toBeNull();
    expect(callerNumberOf(' 79180000001 ')).toBe('79180000001');
  });
});
