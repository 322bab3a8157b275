import { appealNumberOf, deadlineOf, escalationDueOf, followUpDueOf, yearOf } from './appeal-deadline.mapper';

const moscow = 'Europe/Moscow';

describe('an appeal’s deadline', () => {
  it('is the end of the tenth calendar day after registration, in the region’s zone', () => {
    expect(deadlineOf(new Date('2026-03-02T10:00:00+03:00'), 10, moscow).toISOString()).toBe('2026-03-12T21:00:00.000Z');
  });

  it('counts the day of registration by the region’s clock, not UTC’s', () => {
    // 23:30 on 2 March in Moscow is still 2 March there, but 20:30 UTC; 00:30 on 3 March is 2 March in UTC.
    expect(deadlineOf(new Date('2026-03-02T23:30:00+03:00'), 10, moscow).toISOString()).toBe('2026-03-12T21:00:00.000Z');
    expect(deadlineOf(new Date('2026-03-03T00:30:00+03:00'), 10, moscow).toISOString()).toBe('2026-03-13T21:00:00.000Z');
  });

  it('runs across a month and a year end', () => {
    expect(deadlineOf(new Date('2026-12-28T12:00:00+03:00'), 10, moscow).toISOString()).toBe('2027-01-07T21:00:00.000Z');
    expect(deadlineOf(new Date('2026-02-25T12:00:00+03:00'), 3, moscow).toISOString()).toBe('2026-02-28T21:00:00.000Z');
  });

  it('ends at local midnight across a daylight-saving change', () => {
    // Berlin moves from +01:00 to +02:00 on 29 March 2026: the deadline's midnight is at +02:00.
    expect(deadlineOf(new Date('2026-03-25T12:00:00+01:00'), 10, 'Europe/Berlin').toISOString()).toBe('2026-04-04T22:00:00.000Z');
  });

  it('is escalated the regulation’s hours before, never before the appeal came', () => {
    const registered = new Date('2026-03-02T10:00:00+03:00');
    const deadline = deadlineOf(registered, 10, moscow);
    expect(escalationDueOf(registered, deadline, 48).toISOString()).toBe('2026-03-10T21:00:00.000Z');
    expect(escalationDueOf(registered, deadlineOf(registered, 1, moscow), 72)).toEqual(registered);
  });

  it('asks for the follow-up call the configured hours after the resolution', () => {
    expect(followUpDueOf(new Date('2026-03-05T15:00:00Z'), 24).toISOString()).toBe('2026-03-06T15:00:00.000Z');
  });

  it('numbers appeals by the region’s year', () => {
    expect(yearOf(new Date('2026-12-31T22:30:00Z'), moscow)).toBe(2027);
    expect(appealNumberOf(2026, 123)).toBe('2026-000123');
    expect(appealNumberOf(2026, 1_234_567)).toBe('2026-1234567');
  });
});
