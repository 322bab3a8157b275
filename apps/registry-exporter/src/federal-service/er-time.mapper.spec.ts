import { clinicDateTime, scheduleWindowOf } from './er-time.mapper';

describe("times on the federal wire, in the clinic's zone", () => {
  it('writes an instant as the clinic wall clock with its offset', () => {
    expect(clinicDateTime('2031-03-03T04:00:00.000Z', 'Asia/Yekaterinburg')).toBe('2031-03-03T09:00:00+05:00');
    expect(clinicDateTime(new Date('2031-03-03T04:00:00.000Z'), 'Europe/Kaliningrad')).toBe('2031-03-03T06:00:00+02:00');
  });

  it("reads an organisation without a valid zone in the region's", () => {
    expect(clinicDateTime('2031-03-03T04:00:00.000Z', null)).toBe('2031-03-03T07:00:00+03:00');
    expect(clinicDateTime('2031-03-03T04:00:00.000Z', 'Mars/Olympus')).toBe('2031-03-03T07:00:00+03:00');
  });

  it('covers whole clinic days from Start_Date to End_Date', () => {
    const window = scheduleWindowOf('2031-03-03', '2031-03-04', 'Asia/Yekaterinburg', new Date('2030-01-01T00:00:00Z'));
    expect(window).toEqual({ from: new Date('2031-03-02T19:00:00Z'), to: new Date('2031-03-04T19:00:00Z') });
  });

  it('never starts before now', () => {
    const now = new Date('2031-03-03T06:30:00Z');
    expect(scheduleWindowOf('2031-03-03', '2031-03-03', 'Europe/Moscow', now).from).toEqual(now);
  });

  it('accepts 31 days and refuses 32, and an end before the start, naming End_Date', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(() => scheduleWindowOf('2031-01-01', '2031-02-01', null, now)).not.toThrow();
    expect(() => scheduleWindowOf('2031-01-01', '2031-02-02', null, now)).toThrow(expect.objectContaining({ code: 'ER.INVALID_REQUEST', details: { field: 'End_Date' } }));
    expect(() => scheduleWindowOf('2031-01-02', '2031-01-01', null, now)).toThrow(expect.objectContaining({ details: { field: 'End_Date' } }));
  });
});
