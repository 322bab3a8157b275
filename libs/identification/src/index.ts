export * from './identification.contract';
export * from './identification.errors';
export * from './snils.mapper';
