import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { UnavailableError } from '@medbus/errors';
import type { BookingConfig, DataKey } from './booking.config';

export const DataCipherErrorCode = {
  keyMissing: 'BOOKING.DATA_KEY_MISSING',
  unreadable: 'BOOKING.DATA_UNREADABLE',
} as const;

export class DataKeyMissingError extends UnavailableError {}

const version = 'v1';
const ivBytes = 12;
const tagBytes = 16;

/**
 * AES-256-GCM for patients' contact details at rest: `v1:<keyId>:<base64 of iv | tag | ciphertext>`.
 * The caller names what the value belongs to (table, column and row id) as additional data, so a
 * ciphertext copied to another row or column does not decrypt.
 */
@Injectable()
export class DataCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly writer?: DataKey;

  constructor(@Inject(AppConfig) config: Pick<BookingConfig, 'BOOKING_DATA_KEYS'>) {
    this.keys = new Map(config.BOOKING_DATA_KEYS.map((key) => [key.id, key.key]));
    this.writer = config.BOOKING_DATA_KEYS[0];
  }

  encrypt(plain: string, boundTo: string): string {
    if (!this.writer) {
      throw new DataKeyMissingError(DataCipherErrorCode.keyMissing, 'contact details cannot be stored: BOOKING_DATA_KEYS names no key');
    }
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', this.writer.key, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${version}:${this.writer.id}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
  }

  decrypt(stored: string, boundTo: string): string {
    const [prefix, keyId, payload] = stored.split(':');
    if (prefix !== version || keyId === undefined || payload === undefined) {
      throw new UnavailableError(DataCipherErrorCode.unreadable, 'a stored value is not a medbus ciphertext');
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new DataKeyMissingError(DataCipherErrorCode.keyMissing, `a stored value was encrypted with data key ${keyId}, which BOOKING_DATA_KEYS does not list`, {
        details: { keyId },
      });
    }
    const bytes = Buffer.from(payload, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, ivBytes));
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
      return Buffer.concat([decipher.update(bytes.subarray(ivBytes + tagBytes)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new UnavailableError(DataCipherErrorCode.unreadable, `a stored value does not decrypt with data key ${keyId}`, { cause: error, details: { keyId } });
    }
  }
}
