import { loadConfig } from '@medbus/config';
import { commandGroupOf, databaseSchemaOf } from '@medbus/mis-adapter-kit';
import { hubServiceAdapterConfigSchema } from './hubservice.config';

const env = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_CLIENT_ID: 'mis-adapter-hubservice',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  OTEL_SERVICE_NAME: 'mis-adapter-hubservice',
  MIS_WSDL_URL: 'http://mis.example/Hub25/HubService.svc?wsdl',
  MIS_GUID: 'guid',
  ADAPTER_ID: 'hubservice-krasnodar-1',
  HTTP_PORT: '7702',
  ADAPTER_ORGANISATIONS: '1.2.643.5.1.13.13.12.2.23.1037',
};

describe('HubService adapter configuration', () => {
  it('fills in the polling, limits and channels a deployment usually keeps', () => {
    expect(loadConfig(hubServiceAdapterConfigSchema, env)).toMatchObject({
      MIS_TIME_ZONE: 'Europe/Moscow',
      POLL_INTERVAL_MS: 60_000,
      HORIZON_DAYS: 14,
      MIS_RATE_PER_SECOND: 20,
      SLOT_BOOKING_CHANNELS: ['CONTACT_CENTRE', 'PORTAL', 'FRONT_DESK', 'KIOSK', 'FEDERAL_PORTAL'],
    });
  });

  it('refuses to start without the MIS address, naming it', () => {
    expect(() => loadConfig(hubServiceAdapterConfigSchema, { ...env, MIS_WSDL_URL: undefined })).toThrow('MIS_WSDL_URL is required');
  });

  it('refuses a time zone that does not exist and a channel that is not in the contract', () => {
    expect(() => loadConfig(hubServiceAdapterConfigSchema, { ...env, MIS_TIME_ZONE: 'Europe/Krasnodar' })).toThrow('MIS_TIME_ZONE must be an IANA time zone');
    expect(() => loadConfig(hubServiceAdapterConfigSchema, { ...env, SLOT_BOOKING_CHANNELS: 'PORTAL,TELEGRAM' })).toThrow('SLOT_BOOKING_CHANNELS');
  });

  it('gives each adapter its own Postgres schema and command group unless told otherwise, and no API keys', () => {
    const config = loadConfig(hubServiceAdapterConfigSchema, env);
    expect(databaseSchemaOf(config)).toBe('mis_adapter_hubservice_krasnodar_1');
    expect(commandGroupOf(config)).toBe('mis-adapter-hubservice-krasnodar-1-commands');
    expect(config.ADAPTER_API_KEYS).toEqual([]);
    const told = loadConfig(hubServiceAdapterConfigSchema, { ...env, ADAPTER_DATABASE_SCHEMA: 'adapter_a', COMMAND_CONSUMER_GROUP: 'g' });
    expect([databaseSchemaOf(told), commandGroupOf(told)]).toEqual(['adapter_a', 'g']);
  });

  it('takes API keys as a comma list and refuses short ones', () => {
    expect(loadConfig(hubServiceAdapterConfigSchema, { ...env, ADAPTER_API_KEYS: 'booking-service-key-01, operator-console-key-1' }).ADAPTER_API_KEYS).toEqual([
      'booking-service-key-01',
      'operator-console-key-1',
    ]);
    expect(() => loadConfig(hubServiceAdapterConfigSchema, { ...env, ADAPTER_API_KEYS: 'short' })).toThrow('ADAPTER_API_KEYS');
  });
});
