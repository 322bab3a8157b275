import { RateLimiter } from './rate.limiter';

describe('RateLimiter', () => {
  it('lets a burst through, then refuses with the seconds until the next token, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 4, () => now);
    for (let i = 0; i < 4; i++) expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('b')).toEqual({ ok: true });
    now = 500;
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toMatchObject({ ok: false });
  });

  it('never refuses when the rate is 0', () => {
    const limiter = new RateLimiter(0, 0, () => 0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('a').ok).toBe(true);
  });
});
