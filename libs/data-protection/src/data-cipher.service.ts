import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { UnavailableError } from '@medbus/errors';

/** A data key: its id (written beside each ciphertext) and 32 bytes of AES-256 key. */
export interface DataKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface DataCipherOptions {
  /** The first key writes; every listed key reads (rotation: put the new key first, keep the old ones). */
  readonly keys: readonly DataKey[];
  /** Namespace of the error codes, e.g. `BOOKING` → `BOOKING.DATA_KEY_MISSING`, `BOOKING.DATA_UNREADABLE`. */
  readonly errorCodePrefix: string;
  /** The setting the keys come from, named in error messages (`BOOKING_DATA_KEYS`). */
  readonly keysSetting: string;
}

/** The codes a cipher with this prefix throws. */
export function dataCipherErrorCodes<P extends string>(prefix: P) {
  return {
    keyMissing: `${prefix}.DATA_KEY_MISSING`,
    unreadable: `${prefix}.DATA_UNREADABLE`,
  } as const;
}

export class DataKeyMissingError extends UnavailableError {}

const version = 'v1';
const ivBytes = 12;
const tagBytes = 16;

/**
 * AES-256-GCM for patients' personal data at rest (decision 0014): `v1:<keyId>:<base64 of iv | tag | ciphertext>`.
 * The caller names what the value belongs to (table, column and row id) as additional data, so a
 * ciphertext copied to another row or column does not decrypt. Framework-free: a service wraps it
 * in a provider that reads its own keys setting.
 */
export class DataCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly writer?: DataKey;
  private readonly codes: ReturnType<typeof dataCipherErrorCodes>;
  private readonly keysSetting: string;

  constructor(options: DataCipherOptions) {
    this.keys = new Map(options.keys.map((key) => [key.id, key.key]));
    this.writer = options.keys[0];
    this.codes = dataCipherErrorCodes(options.errorCodePrefix);
    this.keysSetting = options.keysSetting;
  }

  encrypt(plain: string, boundTo: string): string {
    if (!this.writer) {
      throw new DataKeyMissingError(this.codes.keyMissing, `contact details cannot be stored: ${this.keysSetting} names no key`);
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
      throw new UnavailableError(this.codes.unreadable, 'a stored value is not a medbus ciphertext');
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new DataKeyMissingError(this.codes.keyMissing, `a stored value was encrypted with data key ${keyId}, which ${this.keysSetting} does not list`, {
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
      throw new UnavailableError(this.codes.unreadable, `a stored value does not decrypt with data key ${keyId}`, { cause: error, details: { keyId } });
    }
  }
}
