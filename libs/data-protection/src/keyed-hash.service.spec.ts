import { randomBytes } from 'node:crypto';
import { envHashKey } from './data-keys.config';
import { KeyedHash } from './keyed-hash.service';
import { normalisePhone } from './phone.mapper';

describe('KeyedHash', () => {
  const key = randomBytes(32);

  it('hashes spellings of one number alike, and different numbers apart', () => {
    const hash = new KeyedHash(key, normalisePhone);
    const of = hash.of('8 (918) 123-45-67');
    expect(of).toMatch(/^[0-9a-f]{64}$/);
    expect(hash.of('+79181234567')).toBe(of);
    expect(hash.of('9181234567')).toBe(of);
    expect(hash.of('79181234568')).not.toBe(of);
    expect(of).not.toContain('9181234567');
  });

  it('depends on the key', () => {
    expect(new KeyedHash(randomBytes(32), normalisePhone).of('79181234567')).not.toBe(new KeyedHash(key, normalisePhone).of('79181234567'));
  });

  it('gives no hash for a value without one (a withheld number)', () => {
    expect(new KeyedHash(key, normalisePhone).of('anonymous')).toBeUndefined();
  });

  it('refuses a short key, at start and in the constructor', () => {
    expect(() => envHashKey().parse(randomBytes(16).toString('base64'))).toThrow(/at least 32 bytes/);
    expect(() => envHashKey().parse('not base64!')).toThrow(/base64/);
    expect(envHashKey().parse(key.toString('base64'))).toEqual(key);
    expect(() => new KeyedHash(randomBytes(31))).toThrow(RangeError);
  });
});
