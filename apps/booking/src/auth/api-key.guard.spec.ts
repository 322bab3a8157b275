import { createHash } from 'node:crypto';
import { isKnownKey } from './api-key.guard';

const digest = (key: string) => createHash('sha256').update(key).digest();

describe('API keys', () => {
  const keys = [digest('first-key-0123456789'), digest('second-key-0123456789')];

  it('accept any configured key', () => {
    expect(isKnownKey('first-key-0123456789', keys)).toBe(true);
    expect(isKnownKey('second-key-0123456789', keys)).toBe(true);
  });

  it('refuse a prefix, an extension or a different case of a key', () => {
    expect(isKnownKey('first-key-012345678', keys)).toBe(false);
    expect(isKnownKey('first-key-01234567890', keys)).toBe(false);
    expect(isKnownKey('FIRST-KEY-0123456789', keys)).toBe(false);
    expect(isKnownKey('', keys)).toBe(false);
  });
});
