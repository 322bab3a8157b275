import { formatSnils, isValidSnils, snilsDigitsOf } from './snils.mapper';

describe('SNILS', () => {
  it('checks SNILS check numbers, and accepts low numbers that have none', () => {
    expect(isValidSnils('11223344595')).toBe(true);
    expect(isValidSnils('11223344500')).toBe(false);
    expect(isValidSnils('00100199800')).toBe(true);
    expect(isValidSnils('1122334459')).toBe(false);
  });

  it('writes the 11 digits as HubService MIS products store them', () => {
    expect(formatSnils('11223344595')).toBe('112-233-445 95');
  });

  it('reads an MIS-written SNILS as its 11 digits whatever the usual punctuation', () => {
    expect(snilsDigitsOf('112-233-445 95')).toBe('11223344595');
    expect(snilsDigitsOf(' 112-233-445-95 ')).toBe('11223344595');
    expect(snilsDigitsOf('11223344595')).toBe('11223344595');
  });

  it('reads a wrong check number, a short number or free text as no SNILS', () => {
    expect(snilsDigitsOf('112-233-445 00')).toBeNull();
    expect(snilsDigitsOf('112-233-445 9')).toBeNull();
    expect(snilsDigitsOf('нет СНИЛС')).toBeNull();
    expect(snilsDigitsOf('')).toBeNull();
  });
});
