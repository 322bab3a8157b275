import { randomBytes } from 'node:crypto';
import { DataCipher, DataKeyMissingError } from './data-cipher.service';
import { envDataKeys } from './data-keys.config';

const aKey = (id: string) => `${id}=${randomBytes(32).toString('base64')}`;
const keysOf = (value: string) => envDataKeys().parse(value);
const cipherOf = (value: string) => new DataCipher({ keys: keysOf(value), errorCodePrefix: 'CC', keysSetting: 'CC_DATA_KEYS' });
const row = 'call:1700000000.42';

describe('DataCipher', () => {
  const old = aKey('k2026a');
  const current = aKey('k2026b');

  it('stores a value as ciphertext naming its key, and reads it back', () => {
    const cipher = cipherOf(current);
    const stored = cipher.encrypt('79181234567', row);
    expect(stored).toMatch(/^v1:k2026b:[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain('918');
    expect(cipher.decrypt(stored, row)).toBe('79181234567');
    expect(cipher.encrypt('79181234567', row)).not.toBe(stored);
  });

  it('writes with the first key and reads with any listed one', () => {
    const written = cipherOf(old).encrypt('79181234567', row);
    const rotated = cipherOf(`${current},${old}`);
    expect(rotated.decrypt(written, row)).toBe('79181234567');
    expect(rotated.encrypt('79180000000', row)).toMatch(/^v1:k2026b:/);
  });

  it('throws codes under its prefix, naming its setting', () => {
    const written = cipherOf(old).encrypt('79181234567', row);
    expect(() => cipherOf(current).decrypt(written, row)).toThrow(
      expect.objectContaining({ code: 'CC.DATA_KEY_MISSING', details: { keyId: 'k2026a' }, message: expect.stringContaining('CC_DATA_KEYS') }),
    );
    expect(() => cipherOf('').encrypt('79181234567', row)).toThrow(DataKeyMissingError);
    expect(() => cipherOf(current).decrypt('plain text', row)).toThrow(expect.objectContaining({ code: 'CC.DATA_UNREADABLE' }));
  });

  it('refuses a ciphertext bound to another row', () => {
    const cipher = cipherOf(current);
    const stored = cipher.encrypt('79181234567', row);
    expect(() => cipher.decrypt(stored, 'call:1700000000.43')).toThrow(expect.objectContaining({ code: 'CC.DATA_UNREADABLE' }));
  });

  it('refuses keys that are not 32 bytes of base64, or a key id listed twice', () => {
    expect(() => keysOf(`short=${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => keysOf(`${current},${current}`)).toThrow(/listed twice/);
    expect(keysOf(undefined as unknown as string)).toEqual([]);
  });
});
