import { createHmac } from 'node:crypto';

/**
 * HMAC-SHA256 (hex) of a normalised value: equal values find each other (the same caller's calls,
 * his open call-back task) while the hash alone reveals nothing without the key. The normaliser
 * makes spellings of one value hash alike; it returns undefined for a value that has none
 * (a withheld number), and so does `of`.
 */
export class KeyedHash {
  constructor(
    private readonly key: Buffer,
    private readonly normalise: (value: string) => string | undefined = (value) => value,
  ) {
    if (key.length < 32) throw new RangeError('a keyed-hash key must have at least 32 bytes');
  }

  of(value: string): string | undefined {
    const normal = this.normalise(value);
    return normal === undefined ? undefined : createHmac('sha256', this.key).update(normal, 'utf8').digest('hex');
  }
}
