export * from './stack.client';
