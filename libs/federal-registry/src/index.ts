export * from './fer-registry.types';
export * from './fer-registry.wsdl';
