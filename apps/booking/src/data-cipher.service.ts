import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { DataCipher as SharedDataCipher, dataCipherErrorCodes } from '@medbus/data-protection';
import type { BookingConfig } from './booking.config';

export { DataKeyMissingError } from '@medbus/data-protection';

export const DataCipherErrorCode = dataCipherErrorCodes('BOOKING');

/**
 * Booking's AES-256-GCM cipher for patients' contact details at rest, keyed by BOOKING_DATA_KEYS
 * (format and binding: `@medbus/data-protection`).
 */
@Injectable()
export class DataCipher extends SharedDataCipher {
  constructor(@Inject(AppConfig) config: Pick<BookingConfig, 'BOOKING_DATA_KEYS'>) {
    super({ keys: config.BOOKING_DATA_KEYS, errorCodePrefix: 'BOOKING', keysSetting: 'BOOKING_DATA_KEYS' });
  }
}
