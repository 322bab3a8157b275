import type { CallFact } from './call.records';
import { PbxEngine } from './pbx.engine';
import type { PbxEvent } from './pbx.events';
import { UniqueIds, type PbxBehaviour } from './pbx.model';
import { queueLogLine, type QueueLogEntry } from './queue.log';
import { seededRandom } from './simulation.random';

const t0 = Date.parse('2026-11-30T10:00:00+03:00');

const aBehaviour = (overrides: Partial<PbxBehaviour> = {}): PbxBehaviour => ({
  patienceMeanSeconds: 1e9,
  talkMeanSeconds: 180,
  wrapUpSeconds: 0,
  ringNoAnswerShare: 0,
  redialShare: 0,
  redialMeanSeconds: 60,
  pauseEverySeconds: 0,
  callerPoolSize: 1000,
  ...overrides,
});

function aPbx(operators: number, behaviour: Partial<PbxBehaviour> = {}) {
  const events: PbxEvent[] = [];
  const facts: Omit<CallFact, 'emittedAt'>[] = [];
  const log: QueueLogEntry[] = [];
  const engine = new PbxEngine([{ name: 'head', operators }], aBehaviour(behaviour), seededRandom(42), new UniqueIds(), {
    event: (e) => events.push(e),
    queueLog: (e) => log.push(e),
    finished: (f) => facts.push(f),
  });
  engine.logIn(t0);
  const field = (e: PbxEvent | undefined, key: string) => e?.fields.find(([k]) => k === key)?.[1];
  const of = (uniqueid: string) => events.filter((e) => field(e, 'Uniqueid') === uniqueid);
  return { engine, events, facts, log, field, of, runAll: () => engine.timeline.runUntil(t0 + 7 * 86_400_000) };
}

describe('the PBX engine', () => {
  it('logs its operators in with Asterisk-style names', () => {
    const pbx = aPbx(2);
    expect(pbx.events.map((e) => [e.name, pbx.field(e, 'MemberName'), pbx.field(e, 'Interface')])).toEqual([
      ['QueueMemberAdded', 'head operator 01', 'PJSIP/head-op01'],
      ['QueueMemberAdded', 'head operator 02', 'PJSIP/head-op02'],
    ]);
    expect(pbx.log.map(queueLogLine)).toEqual([`${t0 / 1000}|NONE|head|head operator 01|ADDMEMBER|`, `${t0 / 1000}|NONE|head|head operator 02|ADDMEMBER|`]);
  });

  it('answers a caller in Asterisk order and records the same hold and talk as its events', () => {
    const pbx = aPbx(1);
    const id = pbx.engine.arrive(t0, 'head', '79180000001');
    pbx.runAll();
    const events = pbx.of(id);
    expect(events.map((e) => e.name)).toEqual(['QueueCallerJoin', 'AgentCalled', 'AgentConnect', 'QueueCallerLeave', 'AgentComplete', 'Hangup']);
    const complete = events[4];
    expect(pbx.facts).toEqual([
      expect.objectContaining({ uniqueid: id, outcome: 'ANSWERED', callerNumber: '79180000001', holdSeconds: Number(pbx.field(complete, 'HoldTime')), talkSeconds: Number(pbx.field(complete, 'TalkTime')), agent: 'head operator 01' }),
    ]);
    expect(id).toMatch(new RegExp(`^${t0 / 1000}\\.\\d+$`));
  });

  it('serves callers first come first served: the second waits for the only operator', () => {
    const pbx = aPbx(1);
    const first = pbx.engine.arrive(t0, 'head', '79180000001');
    const second = pbx.engine.arrive(t0 + 1000, 'head', '79180000002');
    pbx.runAll();
    const endOfFirst = pbx.of(first).find((e) => e.name === 'AgentComplete')?.at ?? 0;
    const connectSecond = pbx.of(second).find((e) => e.name === 'AgentConnect')?.at ?? 0;
    expect(connectSecond).toBeGreaterThan(endOfFirst);
    expect(pbx.field(pbx.of(second)[0], 'Position')).toBe('2');
  });

  it('lets a caller abandon when patience runs out, with position and wait, and gives a re-dialer his number back', () => {
    const pbx = aPbx(0, { patienceMeanSeconds: 60, redialShare: 1, redialMeanSeconds: 30 });
    const id = pbx.engine.arrive(t0, 'head', '79180000009');
    pbx.engine.timeline.runUntil(t0 + 86_400_000);
    const abandon = pbx.of(id).find((e) => e.name === 'QueueCallerAbandon');
    expect(pbx.of(id).map((e) => e.name)).toEqual(['QueueCallerJoin', 'QueueCallerAbandon', 'QueueCallerLeave', 'Hangup']);
    expect(pbx.field(abandon, 'HoldTime')).toBe(String(Math.round(((abandon?.at ?? 0) - t0) / 1000)));
    expect(pbx.facts[0]).toMatchObject({ outcome: 'ABANDONED', abandonPosition: 1, agent: null });
    const again = pbx.engine.arrive((abandon?.at ?? 0) + 86_400_000, 'head');
    expect(pbx.field(pbx.of(again)[0], 'CallerIDNum')).toBe('79180000009');
  });

  it('rings another operator after one does not answer', () => {
    const pbx = aPbx(2, { ringNoAnswerShare: 0.5 });
    for (let i = 0; i < 20; i++) pbx.engine.arrive(t0 + i * 3_600_000, 'head');
    pbx.runAll();
    const noAnswer = pbx.events.find((e) => e.name === 'AgentRingNoAnswer');
    expect(noAnswer).toBeDefined();
    const call = pbx.of(pbx.field(noAnswer, 'Uniqueid') ?? '').map((e) => e.name);
    expect(call.slice(0, 4)).toEqual(['QueueCallerJoin', 'AgentCalled', 'AgentRingNoAnswer', 'AgentCalled']);
    expect(pbx.facts).toHaveLength(20);
  });

  it('gives no call to a paused operator; callers wait until the pause ends', () => {
    const pbx = aPbx(1, { pauseEverySeconds: 1 });
    pbx.engine.timeline.runUntil(t0 + 60_000);
    const paused = pbx.events.find((e) => e.name === 'QueueMemberPause');
    expect(pbx.field(paused, 'Paused')).toBe('1');
    const id = pbx.engine.arrive(paused?.at ?? 0, 'head', '79180000003');
    pbx.engine.timeline.runUntil(t0 + 86_400_000);
    const unpaused = pbx.events.find((e) => e.name === 'QueueMemberPause' && pbx.field(e, 'Paused') === '0');
    const called = pbx.of(id).find((e) => e.name === 'AgentCalled');
    expect(called?.at).toBeGreaterThanOrEqual(unpaused?.at ?? Infinity);
  });
});
