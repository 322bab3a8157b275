import { ValidationError } from '@medbus/errors';
import { MisCircuitOpenError, MisUnavailableError } from './adapter.errors';
import { CircuitBreaker } from './circuit-breaker.service';
import { ManualClock } from './clock.service';

const down = () => Promise.reject(new MisUnavailableError('connection refused'));
const up = () => Promise.resolve('ok');

describe('CircuitBreaker', () => {
  it('opens after the threshold of transient failures and then refuses calls without making them', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(clock, { failureThreshold: 2, openMs: 1_000 });
    await expect(breaker.run(down)).rejects.toThrow(MisUnavailableError);
    await expect(breaker.run(down)).rejects.toThrow(MisUnavailableError);
    let called = false;
    await expect(breaker.run(async () => (called = true))).rejects.toThrow(MisCircuitOpenError);
    expect(breaker.state).toBe('open');
    expect(called).toBe(false);
  });

  it('lets one trial through after the cool-down and closes when it succeeds', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(clock, { failureThreshold: 1, openMs: 1_000 });
    await expect(breaker.run(down)).rejects.toThrow();
    clock.advance(1_000);
    expect(breaker.state).toBe('half-open');
    await expect(breaker.run(up)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('re-opens at once when the half-open trial fails', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(clock, { failureThreshold: 3, openMs: 1_000 });
    for (let i = 0; i < 3; i++) await expect(breaker.run(down)).rejects.toThrow();
    clock.advance(1_000);
    await expect(breaker.run(down)).rejects.toThrow(MisUnavailableError);
    expect(breaker.state).toBe('open');
  });

  it('does not count a refused answer as the MIS being down', async () => {
    const breaker = new CircuitBreaker(new ManualClock(), { failureThreshold: 1, openMs: 1_000 });
    await expect(breaker.run(() => Promise.reject(new ValidationError('MIS.RESPONSE_REJECTED', 'bad')))).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });
});
