import { QueueLog, QueueLogFacts } from './queue.log';

const at = Date.parse('2026-11-30T10:00:00+03:00');
const epoch = at / 1000;

describe('the queue_log', () => {
  it('writes Asterisk lines with the data a call is rebuilt from', () => {
    const log = new QueueLog();
    log.append(QueueLogFacts.enterQueue(at, '1.1', 'sochi', '79180000001', 2));
    log.append(QueueLogFacts.connect(at + 30_000, '1.1', 'sochi', 'sochi operator 01', 30, '1.2', 4));
    log.append(QueueLogFacts.complete(at + 150_000, '1.1', 'sochi', 'sochi operator 01', 'agent', 30, 120, 2));
    log.append(QueueLogFacts.abandon(at + 200_000, '1.3', 'sochi', 1, 3, 45));
    log.append(QueueLogFacts.member(at, 'sochi', 'sochi operator 02', 'PAUSE', 'lunch'));
    expect(log.read(0, 0, 100).lines).toEqual([
      `${epoch}|1.1|sochi|NONE|ENTERQUEUE||79180000001|2`,
      `${epoch + 30}|1.1|sochi|sochi operator 01|CONNECT|30|1.2|4`,
      `${epoch + 150}|1.1|sochi|sochi operator 01|COMPLETEAGENT|30|120|2`,
      `${epoch + 200}|1.3|sochi|NONE|ABANDON|1|3|45`,
      `${epoch}|NONE|sochi|sochi operator 02|PAUSE|lunch`,
    ]);
  });

  it('pages by time and by the last line seen', () => {
    const log = new QueueLog();
    for (let i = 0; i < 10; i++) log.append(QueueLogFacts.abandon(at + i * 1000, `1.${i}`, 'head', 1, 1, i));
    const first = log.read(epoch + 2, 0, 3);
    expect(first.lines.map((l) => l.split('|')[1])).toEqual(['1.2', '1.3', '1.4']);
    const second = log.read(epoch + 2, first.last ?? 0, 100);
    expect(second.lines.map((l) => l.split('|')[1])).toEqual(['1.5', '1.6', '1.7', '1.8', '1.9']);
    expect(log.read(epoch + 2, second.last ?? 0, 100)).toEqual({ lines: [], last: undefined });
  });
});
