import { daysBetween, inclusiveSpan, isCalendarDay, isoWeekSpan, localDayOf, startOfDay } from './statistics-period.mapper';

describe('statistics periods', () => {
  it('takes the ISO week of a day from its Monday to the next Monday, across a year', () => {
    expect(isoWeekSpan('2026-03-04')).toEqual({ from: '2026-03-02', until: '2026-03-09' });
    expect(isoWeekSpan('2026-03-08')).toEqual({ from: '2026-03-02', until: '2026-03-09' });
    expect(isoWeekSpan('2026-03-09')).toEqual({ from: '2026-03-09', until: '2026-03-16' });
    expect(isoWeekSpan('2027-01-01')).toEqual({ from: '2026-12-28', until: '2027-01-04' });
  });

  it('counts both ends of a supervisor\u2019s range', () => {
    const march = inclusiveSpan('2026-03-01', '2026-03-31');
    expect(march).toEqual({ from: '2026-03-01', until: '2026-04-01' });
    expect(daysBetween(march.from, march.until)).toBe(31);
  });

  it('puts an instant on the calendar day of the region, not of UTC', () => {
    expect(localDayOf(new Date('2026-03-01T21:30:00Z'), 'Europe/Moscow')).toBe('2026-03-02');
    expect(localDayOf(new Date('2026-03-01T20:59:59Z'), 'Europe/Moscow')).toBe('2026-03-01');
  });

  it('accepts only real calendar days', () => {
    expect(['2026-02-28', '2028-02-29'].map(isCalendarDay)).toEqual([true, true]);
    expect(['2026-02-29', '2026-13-01', '2026-3-1', '2026-03-01T00:00'].map(isCalendarDay)).toEqual([false, false, false, false]);
  });

  it('takes no day whose next day or week would leave four-digit years (the hostile corpus asked 9999-12-31: a 500)', () => {
    expect(['9998-12-31', '9999-01-01', '9999-12-31'].map(isCalendarDay)).toEqual([true, false, false]);
    expect(isoWeekSpan('9998-12-31')).toEqual({ from: '9998-12-28', until: '9999-01-04' });
    expect(inclusiveSpan('9998-12-31', '9998-12-31')).toEqual({ from: '9998-12-31', until: '9999-01-01' });
  });
});

describe('the instant a day begins', () => {
  it('is local midnight in the region', () => {
    expect(startOfDay('2026-03-02', 'Europe/Moscow').toISOString()).toBe('2026-03-01T21:00:00.000Z');
  });

  it('follows a change of offset, as Postgres does', () => {
    expect(startOfDay('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfDay('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    // Santiago skips from 00:00 to 01:00 on 6 September 2026.
    expect(startOfDay('2026-09-06', 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(startOfDay('2026-04-05', 'America/Santiago').toISOString()).toBe('2026-04-05T04:00:00.000Z');
  });
});
