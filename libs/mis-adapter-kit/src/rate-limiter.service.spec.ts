import { ManualClock } from './clock.service';
import { TokenBucket } from './rate-limiter.service';

describe('TokenBucket', () => {
  it('allows a burst, then one call per refill interval', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, { ratePerSecond: 10, burst: 3 });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([0, 0, 0]);
    expect(bucket.tryTake()).toBe(100);
    clock.advance(100);
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(100);
  });

  it('never stores more than the burst however long it was idle', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, { ratePerSecond: 10, burst: 2 });
    clock.advance(60_000);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake() > 0]).toEqual([0, 0, true]);
  });

  it('makes take() wait until a token is there', async () => {
    const clock = new ManualClock();
    const waits: number[] = [];
    const bucket = new TokenBucket(clock, { ratePerSecond: 4, burst: 1 }, async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    });
    await bucket.take();
    await bucket.take();
    expect(waits).toEqual([250]);
  });
});
