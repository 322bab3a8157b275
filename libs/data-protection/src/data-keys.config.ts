import { z } from 'zod';
import { envOptionalList } from '@medbus/config';
import type { DataKey } from './data-cipher.service';

/**
 * A list of data keys, `<keyId>=<base64 of 32 bytes>,...`, newest (writing) first. An empty or
 * unset list parses to none: the cipher then refuses to write, with a clear error.
 */
export function envDataKeys() {
  return envOptionalList().transform((entries, ctx): DataKey[] => {
    const keys: DataKey[] = [];
    for (const entry of entries) {
      const match = /^([A-Za-z0-9_-]{1,32})=([A-Za-z0-9+/]+={0,2})$/.exec(entry);
      const key = match ? Buffer.from(match[2], 'base64') : undefined;
      if (!match || key?.length !== 32) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'entries must be <keyId>=<base64 of 32 bytes>, key ids of letters, digits, _ or -' });
        return z.NEVER;
      }
      if (keys.some((known) => known.id === match[1])) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `key id ${match[1]} is listed twice` });
        return z.NEVER;
      }
      keys.push({ id: match[1], key });
    }
    return keys;
  });
}

/** A secret of at least 32 bytes, given as base64 (a KeyedHash key). */
export function envHashKey() {
  return z
    .string({ required_error: 'is required: base64 of at least 32 random bytes' })
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
    .transform((value) => Buffer.from(value, 'base64'))
    .refine((key) => key.length >= 32, 'must be base64 of at least 32 bytes');
}
