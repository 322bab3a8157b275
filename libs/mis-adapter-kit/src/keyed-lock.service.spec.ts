import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedLock } from './keyed-lock.service';

describe('KeyedLock', () => {
  it('runs work of one key in arrival order and work of other keys alongside', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const work = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await sleep(ms);
      log.push(`${name} end`);
    };
    await Promise.all([lock.run('doctor-1', work('a', 20)), lock.run('doctor-1', work('b', 1)), lock.run('doctor-2', work('c', 1))]);
    expect(log.indexOf('b start')).toBeGreaterThan(log.indexOf('a end'));
    expect(log.indexOf('c end')).toBeLessThan(log.indexOf('a end'));
  });

  it('goes on with the next work after one fails', async () => {
    const lock = new KeyedLock();
    await expect(lock.run('k', () => Promise.reject(new Error('MIS down')))).rejects.toThrow('MIS down');
    await expect(lock.run('k', async () => 'next')).resolves.toBe('next');
  });
});
