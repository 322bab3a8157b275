import { loadConfig } from '@medbus/config';
import { medRestAdapterConfigSchema } from './medrest.config';

const env = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_CLIENT_ID: 'mis-adapter-medrest',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  OTEL_SERVICE_NAME: 'mis-adapter-medrest',
  MEDREST_BASE_URL: 'http://mis.example/api/v2/',
  MEDREST_API_KEY: 'medrest-demo-key-7f3a9c2e',
  ADAPTER_ID: 'medrest-krasnodar-1',
  HTTP_PORT: '7712',
  ADAPTER_ORGANISATIONS: '1.2.643.5.1.13.13.12.2.823.1037',
};

describe('MedREST adapter configuration', () => {
  it('fills in the vendor, the change feed’s pace and the page size, and takes no webhooks without a secret', () => {
    expect(loadConfig(medRestAdapterConfigSchema, env)).toMatchObject({
      MIS_VENDOR: 'medrest',
      MEDREST_BASE_URL: 'http://mis.example/api/v2',
      MEDREST_CHANGES_INTERVAL_MS: 2000,
      MEDREST_PAGE_SIZE: 200,
      MEDREST_WEBHOOK_SECRET: [],
      MEDREST_WEBHOOK_TOLERANCE_SECONDS: 300,
    });
  });

  it('takes two webhook secrets while one is rotated', () => {
    expect(loadConfig(medRestAdapterConfigSchema, { ...env, MEDREST_WEBHOOK_SECRET: 'medrest-webhook-secret-old1, medrest-webhook-secret-new1' }).MEDREST_WEBHOOK_SECRET).toEqual([
      'medrest-webhook-secret-old1',
      'medrest-webhook-secret-new1',
    ]);
  });

  it('refuses to start without the MIS’s address or key, or with a short secret or a page the MIS would refuse, naming the variable', () => {
    expect(() => loadConfig(medRestAdapterConfigSchema, { ...env, MEDREST_BASE_URL: undefined })).toThrow('MEDREST_BASE_URL is required');
    expect(() => loadConfig(medRestAdapterConfigSchema, { ...env, MEDREST_API_KEY: undefined })).toThrow('MEDREST_API_KEY is required');
    expect(() => loadConfig(medRestAdapterConfigSchema, { ...env, MEDREST_WEBHOOK_SECRET: 'short' })).toThrow('MEDREST_WEBHOOK_SECRET');
    expect(() => loadConfig(medRestAdapterConfigSchema, { ...env, MEDREST_PAGE_SIZE: '500' })).toThrow('MEDREST_PAGE_SIZE must be 1 to 200');
  });
});
