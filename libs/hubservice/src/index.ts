export * from './hubservice.contract';
export * from './hubservice.types';
export * from './hubservice.errors';
export * from './hubservice.wsdl';
export * from './safe-xml.guard';
export * from './soap.codec';
