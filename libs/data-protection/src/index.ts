export * from './data-cipher.service';
export * from './data-keys.config';
export * from './keyed-hash.service';
export * from './phone.mapper';
