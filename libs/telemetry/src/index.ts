export * from './pii.patterns';
export * from './pii.redactor';
export * from './redacting-span.processor';
export * from './redacting.logger';
export * from './telemetry.bootstrap';
