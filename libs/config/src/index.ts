export * from './env.config';
export * from './bus.config';
export * from './config.errors';
export * from './config.module';
export * from './http.config';
export * from './database.client';
