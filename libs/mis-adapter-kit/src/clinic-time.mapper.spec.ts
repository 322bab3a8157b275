import { epochMsToLocalDateTime, localDateTimeToEpochMs } from './clinic-time.mapper';

describe('clinic-local date-times', () => {
  it('reads a Moscow wall-clock time as the instant three hours earlier in UTC', () => {
    expect(localDateTimeToEpochMs('2026-11-24T08:20:00', 'Europe/Moscow')).toBe(Date.parse('2026-11-24T05:20:00Z'));
  });

  it('uses the zone of the clinic, not of the server', () => {
    expect(localDateTimeToEpochMs('2026-11-24T08:20', 'Asia/Vladivostok')).toBe(Date.parse('2026-11-23T22:20:00Z'));
    expect(localDateTimeToEpochMs('2026-11-24T08:20:00.5', 'Europe/Samara')).toBe(Date.parse('2026-11-24T04:20:00.500Z'));
  });

  it('follows daylight saving time where the zone has it', () => {
    expect(localDateTimeToEpochMs('2026-07-01T09:00:00', 'Europe/Berlin')).toBe(Date.parse('2026-07-01T07:00:00Z'));
    expect(localDateTimeToEpochMs('2026-01-15T09:00:00', 'Europe/Berlin')).toBe(Date.parse('2026-01-15T08:00:00Z'));
  });

  it('refuses strings that are not a local date-time, including ones with an offset', () => {
    for (const bad of ['2026-11-24T08:20:00+03:00', '2026-11-24T08:20:00Z', '24.11.2026 08:20', '2026-02-30T08:00:00', '']) {
      expect(localDateTimeToEpochMs(bad, 'Europe/Moscow')).toBeUndefined();
    }
  });

  it('writes an instant back as the clinic-local wall clock', () => {
    expect(epochMsToLocalDateTime(Date.parse('2026-11-24T05:20:00Z'), 'Europe/Moscow')).toBe('2026-11-24T08:20:00');
    expect(epochMsToLocalDateTime(Date.parse('2026-11-23T21:30:00Z'), 'Europe/Moscow')).toBe('2026-11-24T00:30:00');
  });

  it('writes every instant of a year as Intl does, across DST changes and half- and quarter-hour offsets', () => {
    for (const zone of ['Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns']) {
      const exact = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 97 * 60_000 + 7_000) {
        expect(epochMsToLocalDateTime(t, zone)).toBe(exact.format(t).replace(' ', 'T'));
      }
    }
  });

  it('reads a time in a DST gap with the later offset', () => {
    expect(localDateTimeToEpochMs('2026-03-29T02:30:00', 'Europe/Berlin')).toBe(Date.parse('2026-03-29T00:30:00Z'));
  });
});
