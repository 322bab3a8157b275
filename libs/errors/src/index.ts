export * from './app.errors';
export * from './app-error.filter';
export * from './hostile-input.middleware';
