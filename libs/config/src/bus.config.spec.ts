import { kafkaConfigSchema, kafkaSecurityOf } from './bus.config';
import { loadConfig } from './env.config';

const kafka = { KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_CLIENT_ID: 'booking' };
const securityOf = (env: Record<string, string>) => kafkaSecurityOf(loadConfig(kafkaConfigSchema, { ...kafka, ...env }));

describe('Kafka credentials and TLS', () => {
  it('are none without any variable: plaintext, no authentication', () => {
    expect(securityOf({})).toEqual({});
  });

  it('authenticate with SCRAM-SHA-512 unless another mechanism is named', () => {
    expect(securityOf({ KAFKA_SASL_USERNAME: 'booking', KAFKA_SASL_PASSWORD: 's3cret' })).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'booking', password: 's3cret' },
    });
    expect(securityOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'booking', KAFKA_SASL_PASSWORD: 's3cret' }).sasl?.mechanism).toBe('plain');
  });

  it('refuse a username without a password, and the reverse, naming the missing one and never the value', () => {
    expect(() => securityOf({ KAFKA_SASL_USERNAME: 'booking' })).toThrow(
      'Invalid configuration: KAFKA_SASL_PASSWORD is required when the other of KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD is set',
    );
    expect(() => securityOf({ KAFKA_SASL_PASSWORD: 's3cret' })).toThrow(/KAFKA_SASL_USERNAME is required/);
    expect(() => securityOf({ KAFKA_SASL_PASSWORD: 's3cret' })).not.toThrow(/s3cret/);
  });

  it('refuse a mechanism without credentials and an unknown mechanism', () => {
    expect(() => securityOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toThrow(/KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required/);
    expect(() => securityOf({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow('KAFKA_SASL_MECHANISM must be one of scram-sha-512, scram-sha-256, plain');
  });

  it('turn TLS on with KAFKA_SSL, with a CA file only alongside it', () => {
    expect(securityOf({ KAFKA_SSL: 'true' })).toEqual({ ssl: {} });
    expect(securityOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/medbus/kafka-ca.pem' })).toEqual({ ssl: { caFile: '/etc/medbus/kafka-ca.pem' } });
    expect(securityOf({ KAFKA_SSL: 'false' })).toEqual({});
    expect(() => securityOf({ KAFKA_SSL_CA_FILE: '/etc/medbus/kafka-ca.pem' })).toThrow('KAFKA_SSL must be true when KAFKA_SSL_CA_FILE is set');
  });
});
