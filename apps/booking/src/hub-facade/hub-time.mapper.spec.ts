import { regionTimeZone, toInstant, toLocalDate, toLocalDateTime, windowOf, zoneOf } from './hub-time.mapper';

describe('clinic-local time on the HubService wire', () => {
  const instant = new Date('2031-03-03T20:30:00Z');

  it('writes an instant as the clinic sees it, without an offset', () => {
    expect(toLocalDateTime(instant, 'Asia/Yekaterinburg')).toBe('2031-03-04T01:30:00');
    expect(toLocalDateTime(instant, 'Europe/Moscow')).toBe('2031-03-03T23:30:00');
    expect(toLocalDate(instant, 'Asia/Yekaterinburg')).toBe('2031-03-04T00:00:00');
  });

  it("reads an organisation without a zone, or with one nobody knows, in the region's zone", () => {
    expect(zoneOf(null)).toBe(regionTimeZone);
    expect(zoneOf('Mars/Olympus_Mons')).toBe(regionTimeZone);
    expect(toLocalDateTime(instant, 'Mars/Olympus_Mons')).toBe('2031-03-03T23:30:00');
  });

  it('reads a value without an offset as clinic-local, and one with an offset as that instant', () => {
    expect(toInstant('2031-03-04T01:30:00', 'Asia/Yekaterinburg')).toEqual(instant);
    expect(toInstant('2031-03-04T01:30', 'Asia/Yekaterinburg')).toEqual(instant);
    expect(toInstant('2031-03-03T23:30:00.000', null)).toEqual(instant);
    expect(toInstant('2031-03-03T20:30:00Z', 'Asia/Yekaterinburg')).toEqual(instant);
    expect(toInstant('2031-03-04T00:30:00+04:00', 'Europe/Moscow')).toEqual(instant);
    expect(toInstant('04.03.2031 01:30', 'Europe/Moscow')).toBeUndefined();
  });

  it('finds the right instant across a daylight-saving change', () => {
    expect(toInstant('2031-07-01T12:00:00', 'Europe/Berlin')).toEqual(new Date('2031-07-01T10:00:00Z'));
    expect(toInstant('2031-01-01T12:00:00', 'Europe/Berlin')).toEqual(new Date('2031-01-01T11:00:00Z'));
  });

  describe('the search window', () => {
    const now = new Date('2031-03-01T06:00:00Z');

    it('takes a bare end date as the whole of that day, in the clinic zone', () => {
      expect(windowOf('2031-03-03T00:00:00', '2031-03-04T00:00:00', 'Asia/Yekaterinburg', now)).toEqual({
        from: new Date('2031-03-02T19:00:00Z'),
        to: new Date('2031-03-04T19:00:00Z'),
      });
    });

    it('includes an end with a time of day', () => {
      expect(windowOf('2031-03-03T09:00:00', '2031-03-03T12:00:00', 'Europe/Moscow', now)).toEqual({
        from: new Date('2031-03-03T06:00:00Z'),
        to: new Date('2031-03-03T09:00:00.001Z'),
      });
    });

    it('never starts before now, and leaves out a bound it cannot read', () => {
      expect(windowOf('2020-01-01T00:00:00', undefined, 'Europe/Moscow', now)).toEqual({ from: now });
      expect(windowOf(undefined, 'tomorrow', 'Europe/Moscow', now)).toEqual({ from: now });
    });
  });
});
