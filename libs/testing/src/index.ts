export * from './stack.client';
export * from './stack-env.reader';
export * from './service.process';
export * from './tcp-proxy.client';
