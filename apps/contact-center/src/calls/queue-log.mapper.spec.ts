import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQueueLogLine, rebuildCalls, type QueueLogEntry } from './queue-log.mapper';

/** The simulator's queue_log for the same two calls as the AMI fixture. */
const lines = readFileSync(join(__dirname, '__fixtures__', 'abandoned-and-answered.queue_log'), 'utf8').split('\n');
const entries = lines.map(parseQueueLogLine).filter((entry): entry is QueueLogEntry => entry !== undefined);

describe('queue_log', () => {
  it('parses lines and skips blank or malformed ones', () => {
    expect(entries).toHaveLength(6);
    expect(parseQueueLogLine('1795980105|1795980065.1|head|NONE|ABANDON|1|1|40')).toEqual({ at: new Date(1795980105000), uniqueid: '1795980065.1', queue: 'head', agent: 'NONE', event: 'ABANDON', data: ['1', '1', '40'] });
    expect(parseQueueLogLine('')).toBeUndefined();
    expect(parseQueueLogLine('not|a|line')).toBeUndefined();
    expect(parseQueueLogLine('yesterday|1.1|head|NONE|ABANDON|1|1|40')).toBeUndefined();
  });

  it('rebuilds ended calls with their numbers, waits and talk times', () => {
    const { ended, inProgress } = rebuildCalls(entries);
    expect(inProgress).toEqual([]);
    expect(ended).toEqual([
      expect.objectContaining({ uniqueid: '1795980065.1', callerNumber: '79180000001', outcome: 'ABANDONED', waitSeconds: 40, abandonPosition: 1, joinedAt: new Date(1795980065000), endedAt: new Date(1795980105000), source: 'QUEUE_LOG' }),
      expect.objectContaining({
        uniqueid: '1795980068.3', callerNumber: '79180000002', outcome: 'ANSWERED', waitSeconds: 20, talkSeconds: 60, operator: 'head operator 01',
        joinedAt: new Date(1795980068000), answeredAt: new Date(1795980088000), endedAt: new Date(1795980148000),
      }),
    ]);
  });

  it('keeps calls without an end as in progress, and takes a number it lacks from the call held in memory', () => {
    const withoutEnds = entries.filter((entry) => !['ABANDON', 'COMPLETEAGENT'].includes(entry.event));
    expect(rebuildCalls(withoutEnds).inProgress.map((call) => [call.uniqueid, call.operator ?? null])).toEqual([
      ['1795980065.1', null],
      ['1795980068.3', 'head operator 01'],
    ]);
    const endOnly = entries.filter((entry) => entry.event === 'ABANDON');
    const held = { uniqueid: '1795980065.1', linkedid: '1795980065.1', queue: 'head', callerNumber: '79180000001', joinedAt: new Date(1795980065776) };
    expect(rebuildCalls(endOnly, (id) => (id === held.uniqueid ? held : undefined)).ended[0]).toEqual(expect.objectContaining({ callerNumber: '79180000001', joinedAt: held.joinedAt }));
    expect(rebuildCalls(endOnly).ended[0]).toEqual(expect.objectContaining({ callerNumber: null, joinedAt: new Date(1795980065000) }));
  });
});
