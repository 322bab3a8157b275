import { z } from 'zod';
import {
  databaseConfigSchema,
  httpConfigSchema,
  kafkaConfigSchema,
  schemaRegistryConfigSchema,
  telemetryConfigSchema,
} from './bus.config';
import { ConfigError } from './config.errors';
import { envBoolean, envInt, loadConfig } from './env.config';

const serviceSchema = kafkaConfigSchema
  .merge(schemaRegistryConfigSchema)
  .merge(databaseConfigSchema)
  .merge(httpConfigSchema)
  .merge(telemetryConfigSchema);

function aValidEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    KAFKA_BROKERS: '127.0.0.1:9092, kafka-2:9092',
    KAFKA_CLIENT_ID: 'booking',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8080/apis/ccompat/v7',
    DATABASE_URL: 'postgres://booking:s3cret@127.0.0.1:5432/booking',
    HTTP_PORT: '3000',
    OTEL_SERVICE_NAME: 'booking',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9411/v1/traces',
    ...overrides,
  };
}

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns the typed configuration of a complete environment', () => {
    expect(loadConfig(serviceSchema, aValidEnv())).toEqual({
      KAFKA_BROKERS: ['127.0.0.1:9092', 'kafka-2:9092'],
      KAFKA_CLIENT_ID: 'booking',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8080/apis/ccompat/v7',
      DATABASE_URL: 'postgres://booking:s3cret@127.0.0.1:5432/booking',
      DATABASE_STATEMENT_TIMEOUT_MS: 15_000,
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: 60_000,
      HTTP_PORT: 3000,
      HTTP_HOST: '127.0.0.1',
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
      OTEL_SERVICE_NAME: 'booking',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9411/v1/traces',
      OTEL_SDK_DISABLED: false,
    });
  });

  it('names every missing and invalid variable in one message', () => {
    const error = configErrorOf(() => loadConfig(serviceSchema, aValidEnv({ KAFKA_BROKERS: undefined, HTTP_PORT: 'eighty' })));

    expect(error.message).toBe('Invalid configuration: KAFKA_BROKERS is required; HTTP_PORT must be a number');
    expect(error.variables).toEqual(['KAFKA_BROKERS', 'HTTP_PORT']);
    expect(error.code).toBe('CONFIG.INVALID');
  });

  it('treats a variable set to an empty string as missing', () => {
    const error = configErrorOf(() => loadConfig(kafkaConfigSchema, aValidEnv({ KAFKA_CLIENT_ID: '  ' })));

    expect(error.message).toBe('Invalid configuration: KAFKA_CLIENT_ID is required');
  });

  it('never repeats the value of an invalid variable, which may hold a password', () => {
    const error = configErrorOf(() =>
      loadConfig(databaseConfigSchema, aValidEnv({ DATABASE_URL: 'mysql://booking:s3cret@db/booking' })),
    );
    const enumError = configErrorOf(() =>
      loadConfig(z.object({ MODE: z.enum(['demo', 'live']) }), { MODE: 's3cret' }),
    );

    expect(error.message).toBe('Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(enumError.message).toBe('Invalid configuration: MODE must be one of demo, live');
    expect(`${error.message} ${enumError.message}`).not.toContain('s3cret');
  });

  it('accepts only host:port brokers', () => {
    const error = configErrorOf(() => loadConfig(kafkaConfigSchema, aValidEnv({ KAFKA_BROKERS: 'kafka-1, kafka-2:9092' })));

    expect(error.message).toBe('Invalid configuration: KAFKA_BROKERS must be a comma-separated list of host:port');
  });

  it('refuses a list of only commas', () => {
    const error = configErrorOf(() => loadConfig(kafkaConfigSchema, aValidEnv({ KAFKA_BROKERS: ' , ' })));

    expect(error.message).toBe('Invalid configuration: KAFKA_BROKERS must list at least one value');
  });

  it('reads the telemetry switch and leaves the traces endpoint optional', () => {
    const telemetry = (env: Record<string, string>) => loadConfig(telemetryConfigSchema, { OTEL_SERVICE_NAME: 'booking', ...env });

    expect(telemetry({})).toEqual({ OTEL_SERVICE_NAME: 'booking', OTEL_SDK_DISABLED: false });
    expect(telemetry({ OTEL_SDK_DISABLED: 'TRUE' }).OTEL_SDK_DISABLED).toBe(true);
    expect(telemetry({ OTEL_SDK_DISABLED: '0' }).OTEL_SDK_DISABLED).toBe(false);
    expect(() => telemetry({ OTEL_SDK_DISABLED: 'yes' })).toThrow('OTEL_SDK_DISABLED must be true or false');
    expect(() => telemetry({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '127.0.0.1:9411' })).toThrow(
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be a http:// or https:// URL',
    );
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig(httpConfigSchema, { HTTP_PORT: '70000' })).toThrow('HTTP_PORT must be a port between 1 and 65535');
  });

  it("lets an app add its own variables and cross-field rules with zod's own API", () => {
    const schema = z
      .object({ WINDOW_DAYS: envInt(), DEMO: envBoolean().default('false') })
      .refine((config) => config.WINDOW_DAYS <= 21, { message: 'WINDOW_DAYS must be at most 21', path: [] });

    expect(loadConfig(schema, { WINDOW_DAYS: '14' })).toEqual({ WINDOW_DAYS: 14, DEMO: false });
    expect(() => loadConfig(schema, { WINDOW_DAYS: '30' })).toThrow('Invalid configuration: WINDOW_DAYS must be at most 21');
  });

  it('ignores variables the schema does not name', () => {
    expect(loadConfig(httpConfigSchema, { HTTP_PORT: '8080', PATH: '/usr/bin' })).not.toHaveProperty('PATH');
  });
});
