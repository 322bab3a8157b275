import type { Provider } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { DataCipher, KeyedHash, normalisePhone, type DataKey } from '@medbus/data-protection';

/** The contact centre's keys (calls.config.ts): CC_DATA_KEYS encrypt, CC_PHONE_HASH_KEY hashes. */
export interface ProtectionKeys {
  readonly CC_DATA_KEYS: readonly DataKey[];
  readonly CC_PHONE_HASH_KEY: Buffer;
}

/** Encrypts an appeal's text, resolution, notes and the applicant's number at rest (decision 0014). */
export class AppealCipher extends DataCipher {}

/** The applicant's number hashed as the calls are (same key, same normalisation): his calls and appeals match. */
export class ApplicantPhoneHash extends KeyedHash {}

/** A keyed fingerprint of a registration request, to tell a retry from another appeal under one Idempotency-Key. */
export class AppealRequestHash extends KeyedHash {}

export function appealProtectionOf(keys: ProtectionKeys): { cipher: AppealCipher; phoneHash: ApplicantPhoneHash; requestHash: AppealRequestHash } {
  return {
    cipher: new AppealCipher({ keys: keys.CC_DATA_KEYS, errorCodePrefix: 'CC', keysSetting: 'CC_DATA_KEYS' }),
    phoneHash: new ApplicantPhoneHash(keys.CC_PHONE_HASH_KEY, normalisePhone),
    requestHash: new AppealRequestHash(keys.CC_PHONE_HASH_KEY, (request) => `appeal-registration:${request}`),
  };
}

export const appealProtectionProviders: Provider[] = [
  { provide: AppealCipher, useFactory: (keys: ProtectionKeys) => appealProtectionOf(keys).cipher, inject: [AppConfig] },
  { provide: ApplicantPhoneHash, useFactory: (keys: ProtectionKeys) => appealProtectionOf(keys).phoneHash, inject: [AppConfig] },
  { provide: AppealRequestHash, useFactory: (keys: ProtectionKeys) => appealProtectionOf(keys).requestHash, inject: [AppConfig] },
];
