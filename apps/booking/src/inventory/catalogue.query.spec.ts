import { InvalidQueryError } from './inventory.errors';
import { localDateOf, practitionerListSql } from './catalogue.query';

describe('the nearest free date', () => {
  it("is the organisation's own calendar date", () => {
    expect(localDateOf(new Date('2031-03-03T22:30:00Z'), 'Europe/Moscow')).toBe('2031-03-04');
    expect(localDateOf(new Date('2031-03-03T22:30:00Z'), 'Europe/Samara')).toBe('2031-03-04');
    expect(localDateOf(new Date('2031-03-03T20:30:00Z'), 'Europe/Moscow')).toBe('2031-03-03');
  });

  it('falls back to UTC for a time zone the runtime does not know', () => {
    expect(localDateOf(new Date('2031-03-03T22:30:00Z'), 'Mars/Olympus')).toBe('2031-03-03');
  });
});

describe('the practitioner list', () => {
  it('needs an organisation or a specialty, so it never lists the whole region', () => {
    expect(() => practitionerListSql({}, new Date())).toThrow(InvalidQueryError);
    expect(() => practitionerListSql({ district: '7' }, new Date())).toThrow(InvalidQueryError);
    expect(practitionerListSql({ specialty: '27' }, new Date()).values).toContain('27');
  });
});
