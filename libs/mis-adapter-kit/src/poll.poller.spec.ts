import { setTimeout as sleep } from 'node:timers/promises';
import { jitteredDelay, PollScheduler } from './poll.poller';

describe('PollScheduler', () => {
  it('waits the interval give or take the jitter', () => {
    const options = { intervalMs: 1_000, jitter: 0.1 };
    expect(jitteredDelay(options, () => 0)).toBe(900);
    expect(jitteredDelay(options, () => 0.5)).toBe(1_000);
    expect(jitteredDelay(options, () => 0.999)).toBeLessThanOrEqual(1_100);
  });

  it('polls at once, keeps polling after a failing tick, and never runs two ticks together', async () => {
    let running = 0;
    let overlapped = false;
    let ticks = 0;
    const errors: unknown[] = [];
    const poller = new PollScheduler(
      async () => {
        running += 1;
        overlapped ||= running > 1;
        ticks += 1;
        await sleep(5);
        running -= 1;
        if (ticks === 1) throw new Error('MIS down');
      },
      { intervalMs: 10, jitter: 0 },
      (error) => errors.push(error),
    );
    poller.start();
    poller.trigger();
    await sleep(80);
    await poller.stop();
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(errors).toHaveLength(1);
    expect(overlapped).toBe(false);
  });

  it('runs a triggered tick right after the current one instead of waiting the interval', async () => {
    let ticks = 0;
    const poller = new PollScheduler(async () => void (ticks += 1, await sleep(10)), { intervalMs: 60_000, jitter: 0 }, () => undefined);
    poller.start();
    await sleep(2);
    poller.trigger();
    await sleep(50);
    await poller.stop();
    expect(ticks).toBe(2);
  });
});
