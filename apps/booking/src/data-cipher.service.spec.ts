import { randomBytes } from 'node:crypto';
import { bookingConfigSchema } from './booking.config';
import { DataCipher, DataCipherErrorCode } from './data-cipher.service';

const aKey = (id: string) => `${id}=${randomBytes(32).toString('base64')}`;
const keysOf = (value: string) => bookingConfigSchema.shape.BOOKING_DATA_KEYS.parse(value);
const entry = 'booking_waitlist_entry.contact_phone:6f1c1d0e-0000-4000-8000-000000000001';

describe('DataCipher', () => {
  const old = aKey('k2026a');
  const current = aKey('k2026b');

  it('stores a phone as ciphertext naming its key, and reads it back', () => {
    const cipher = new DataCipher({ BOOKING_DATA_KEYS: keysOf(current) });
    const stored = cipher.encrypt('+7 916 555-12-34', entry);
    expect(stored).toMatch(/^v1:k2026b:[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain('916');
    expect(cipher.decrypt(stored, entry)).toBe('+7 916 555-12-34');
    expect(cipher.encrypt('+7 916 555-12-34', entry)).not.toBe(stored);
  });

  it('after a rotation writes with the newest key and still reads what the older one wrote', () => {
    const before = new DataCipher({ BOOKING_DATA_KEYS: keysOf(old) });
    const written = before.encrypt('+7 916 555-12-34', entry);
    const after = new DataCipher({ BOOKING_DATA_KEYS: keysOf(`${current},${old}`) });
    expect(after.decrypt(written, entry)).toBe('+7 916 555-12-34');
    expect(after.encrypt('+7 900 000-00-00', entry)).toMatch(/^v1:k2026b:/);
  });

  it('refuses to read with a clear error when the key a value was written with is no longer configured', () => {
    const written = new DataCipher({ BOOKING_DATA_KEYS: keysOf(old) }).encrypt('+7 916 555-12-34', entry);
    const rotatedOut = new DataCipher({ BOOKING_DATA_KEYS: keysOf(current) });
    expect(() => rotatedOut.decrypt(written, entry)).toThrow(expect.objectContaining({ code: DataCipherErrorCode.keyMissing, details: { keyId: 'k2026a' } }));
  });

  it('refuses a ciphertext moved to another row, or altered', () => {
    const cipher = new DataCipher({ BOOKING_DATA_KEYS: keysOf(current) });
    const stored = cipher.encrypt('+7 916 555-12-34', entry);
    expect(() => cipher.decrypt(stored, `${entry.slice(0, -1)}2`)).toThrow(expect.objectContaining({ code: DataCipherErrorCode.unreadable }));
    const bytes = Buffer.from(stored.split(':')[2], 'base64');
    bytes[bytes.length - 1] ^= 1;
    expect(() => cipher.decrypt(`v1:k2026b:${bytes.toString('base64')}`, entry)).toThrow(expect.objectContaining({ code: DataCipherErrorCode.unreadable }));
  });

  it('refuses to store a phone when no key is configured', () => {
    const cipher = new DataCipher({ BOOKING_DATA_KEYS: keysOf('') });
    expect(() => cipher.encrypt('+7 916 555-12-34', entry)).toThrow(expect.objectContaining({ code: DataCipherErrorCode.keyMissing }));
  });

  it('refuses at start keys that are not 32 bytes of base64, or a key id listed twice', () => {
    expect(() => keysOf(`short=${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => keysOf(`${current},${current}`)).toThrow(/listed twice/);
  });
});
