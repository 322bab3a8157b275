import { loadConfig } from '@medbus/config';
import { inboundAdapterConfigSchema } from './inbound.config';

const env = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_CLIENT_ID: 'mis-adapter-inbound',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  OTEL_SERVICE_NAME: 'mis-adapter-inbound',
  ADAPTER_ID: 'inbound-poliklinika-3',
  HTTP_PORT: '7714',
  ADAPTER_ORGANISATIONS: '1.2.643.5.1.13.13.12.2.23.1037',
  INBOUND_API_KEYS: 'poliklinika-3-mis-key-2f9c41aa7e',
};

describe('inbound adapter configuration', () => {
  it('fills in the vendor, the body limit, the redelivery and the contact timeout', () => {
    expect(loadConfig(inboundAdapterConfigSchema, env)).toMatchObject({
      MIS_VENDOR: 'inbound',
      INBOUND_API_KEYS: ['poliklinika-3-mis-key-2f9c41aa7e'],
      INBOUND_MAX_BODY_BYTES: 1_048_576,
      INBOUND_REDELIVERY_MS: 15_000,
      INBOUND_COMMANDS_PER_POLL: 100,
      INBOUND_CONTACT_TIMEOUT_MS: 120_000,
    });
  });

  it('takes two keys while one is rotated', () => {
    expect(loadConfig(inboundAdapterConfigSchema, { ...env, INBOUND_API_KEYS: 'poliklinika-3-mis-key-old-0001, poliklinika-3-mis-key-new-0002' }).INBOUND_API_KEYS).toEqual([
      'poliklinika-3-mis-key-old-0001',
      'poliklinika-3-mis-key-new-0002',
    ]);
  });

  it('refuses to start without a key or with a short one, naming the variable', () => {
    expect(() => loadConfig(inboundAdapterConfigSchema, { ...env, INBOUND_API_KEYS: undefined })).toThrow('INBOUND_API_KEYS is required');
    expect(() => loadConfig(inboundAdapterConfigSchema, { ...env, INBOUND_API_KEYS: 'short-key' })).toThrow('INBOUND_API_KEYS');
    expect(() => loadConfig(inboundAdapterConfigSchema, { ...env, INBOUND_CONTACT_TIMEOUT_MS: '5000' })).toThrow('INBOUND_CONTACT_TIMEOUT_MS');
  });
});
