import { arrivalsOfDay, localHour, nextArrival, startOfLocalDay } from './daily.curve';
import { seededRandom } from './simulation.random';

describe('the daily curve', () => {
  it('finds the start of a local day and local hours in a zone', () => {
    expect(new Date(startOfLocalDay('2026-11-30', 'Europe/Moscow')).toISOString()).toBe('2026-11-29T21:00:00.000Z');
    expect(localHour(Date.parse('2026-11-30T07:30:00Z'), 'Europe/Moscow')).toBe(10);
  });

  it('spreads exactly N arrivals over the day, busiest in the morning and afternoon peaks, quiet at night', () => {
    const arrivals = arrivalsOfDay(20_000, '2026-11-30', 'Europe/Moscow', seededRandom(7));
    expect(arrivals).toHaveLength(20_000);
    expect(arrivals).toEqual([...arrivals].sort((a, b) => a - b));
    const perHour = new Array<number>(24).fill(0);
    for (const at of arrivals) perHour[localHour(at, 'Europe/Moscow')] = (perHour[localHour(at, 'Europe/Moscow')] ?? 0) + 1;
    const [night, peak, afternoon] = [perHour[3] ?? 0, perHour[10] ?? 0, perHour[15] ?? 0];
    expect(peak).toBeGreaterThan(50 * night);
    expect(afternoon).toBeGreaterThan(perHour[12] ?? 0);
    expect(arrivals[0]).toBeGreaterThanOrEqual(startOfLocalDay('2026-11-30', 'Europe/Moscow'));
  });

  it('is the same day for the same seed', () => {
    expect(arrivalsOfDay(100, '2026-11-30', 'Europe/Moscow', seededRandom(3))).toEqual(arrivalsOfDay(100, '2026-11-30', 'Europe/Moscow', seededRandom(3)));
  });

  it('draws live arrivals at the curve rate: about a day\'s calls in a day, none without load', () => {
    const random = seededRandom(5);
    let at = startOfLocalDay('2026-11-30', 'Europe/Moscow');
    const end = at + 86_400_000;
    let count = 0;
    for (let next = nextArrival(at, 5000, 'Europe/Moscow', random); next !== undefined && next < end; next = nextArrival(at, 5000, 'Europe/Moscow', random)) {
      at = next;
      count++;
    }
    expect(count).toBeGreaterThan(4700);
    expect(count).toBeLessThan(5300);
    expect(nextArrival(at, 0, 'Europe/Moscow', random)).toBeUndefined();
  });
});
