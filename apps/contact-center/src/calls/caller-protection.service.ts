import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { DataCipher, KeyedHash, maskPhone, normalisePhone } from '@medbus/data-protection';
import type { ContactCenterConfig } from '../contact-center.config';

/** AES-256-GCM for callers' numbers at rest (CC_DATA_KEYS, codes CC.DATA_KEY_MISSING / CC.DATA_UNREADABLE). */
@Injectable()
export class CallerCipher extends DataCipher {
  constructor(@Inject(AppConfig) config: Pick<ContactCenterConfig, 'CC_DATA_KEYS'>) {
    super({ keys: config.CC_DATA_KEYS, errorCodePrefix: 'CC', keysSetting: 'CC_DATA_KEYS' });
  }
}

/** The keyed hash of a caller's normalised number (CC_PHONE_HASH_KEY): his calls and tasks find each other. */
@Injectable()
export class CallerHash extends KeyedHash {
  constructor(@Inject(AppConfig) config: Pick<ContactCenterConfig, 'CC_PHONE_HASH_KEY'>) {
    super(config.CC_PHONE_HASH_KEY, normalisePhone);
  }
}

/** A stored number as the reader may see it: in clear (`+79181234567`) or masked (`+7 9** ***-**-67`). */
export function shownNumber(number: string, inClear: boolean): string {
  if (!inClear) return maskPhone(number);
  const digits = normalisePhone(number);
  return digits === undefined ? number : `+${digits}`;
}
