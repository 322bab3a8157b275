import { ValidationError } from '@medbus/errors';
import { MisCircuitOpenError, MisUnavailableError } from './adapter.errors';
import { backoffDelay, withRetry } from './retry.service';

const options = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 300 };

describe('withRetry', () => {
  it('retries transient errors with growing, capped delays and returns the first success', async () => {
    const waits: number[] = [];
    let attempts = 0;
    const result = await withRetry(
      async () => {
        attempts += 1;
        if (attempts < 4) throw new MisUnavailableError('timeout');
        return 'synced';
      },
      options,
      async (ms) => void waits.push(ms),
    );
    expect(result).toBe('synced');
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[2]).toBeLessThanOrEqual(300);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let attempts = 0;
    const failing = async (): Promise<never> => {
      attempts += 1;
      throw new MisUnavailableError(`down ${attempts}`);
    };
    await expect(withRetry(failing, options, async () => undefined)).rejects.toThrow('down 4');
    expect(attempts).toBe(4);
  });

  it('does not retry a refused answer or an open circuit', async () => {
    for (const error of [new ValidationError('MIS.RESPONSE_REJECTED', 'bad'), new MisCircuitOpenError(new Date())]) {
      let attempts = 0;
      const failing = async (): Promise<never> => {
        attempts += 1;
        throw error;
      };
      await expect(withRetry(failing, options, async () => undefined)).rejects.toBe(error);
      expect(attempts).toBe(1);
    }
  });

  it('spreads delays between half and all of the exponential ceiling', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(2, options, () => 1)).toBe(200);
    expect(backoffDelay(10, options, () => 1)).toBe(300);
  });
});
