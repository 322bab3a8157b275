export * from './app.errors';
export * from './app-error.filter';
