import { maskPhone, normalisePhone } from './phone.mapper';

describe('normalisePhone', () => {
  it.each([
    ['79181234567', '79181234567'],
    ['+7 (918) 123-45-67', '79181234567'],
    ['8 918 123 45 67', '79181234567'],
    ['9181234567', '79181234567'],
    ['112', '112'],
  ])('%s → %s', (raw, normal) => expect(normalisePhone(raw)).toBe(normal));

  it.each(['anonymous', '<unknown>', ''])('has no number in %p', (raw) => expect(normalisePhone(raw)).toBeUndefined());
});

describe('maskPhone', () => {
  it('shows the operator digit and the last two of a Russian number', () => {
    expect(maskPhone('79181234567')).toBe('+7 9** ***-**-67');
    expect(maskPhone('8 (918) 123-45-67')).toBe('+7 9** ***-**-67');
  });

  it('shows only the last two digits of anything else', () => {
    expect(maskPhone('123456789012')).toBe('**********12');
    expect(maskPhone('12')).toBe('**');
    expect(maskPhone('anonymous')).toBe('');
  });
});
