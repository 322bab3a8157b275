import { z } from 'zod';
import { ConfigError } from './config.errors';
import { envBoolean, envInt, envList, envPort, envUrl } from './env.config';

/**
 * How a client authenticates to Kafka (SASL) and whether the connection is TLS. All unset: plaintext
 * without authentication. Username and password go together (`kafkaSecurityOf` checks it); the
 * mechanism defaults to SCRAM-SHA-512, the local stack's and production's.
 */
export const kafkaSecurityConfigSchema = z.object({
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** TLS to the brokers (SASL_SSL with credentials, SSL without). */
  KAFKA_SSL: envBoolean().optional(),
  /** PEM file of the CA that signed the brokers' certificates; default: the system's trust store. */
  KAFKA_SSL_CA_FILE: z.string().optional(),
});

export type KafkaSecurityConfig = z.output<typeof kafkaSecurityConfigSchema>;

/** SASL credentials of a Kafka client, in the shape the KafkaJS-compatible clients take them. */
export interface KafkaSasl {
  readonly mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  readonly username: string;
  readonly password: string;
}

/** TLS to the brokers; without a CA file the system's trust store verifies them. */
export interface KafkaTls {
  readonly caFile?: string;
}

export interface KafkaSecurity {
  readonly sasl?: KafkaSasl;
  readonly ssl?: KafkaTls;
}

/**
 * The SASL and TLS settings the KAFKA_SASL_* and KAFKA_SSL* variables describe; `{}` when none is set.
 *
 * @throws ConfigError when only one of username and password is set, a mechanism is named without
 * credentials, or a CA file is given without KAFKA_SSL.
 */
export function kafkaSecurityOf(config: Partial<KafkaSecurityConfig>): KafkaSecurity {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  if ((username === undefined) !== (password === undefined)) {
    const missing = username === undefined ? 'KAFKA_SASL_USERNAME' : 'KAFKA_SASL_PASSWORD';
    throw new ConfigError([`${missing} is required when the other of KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD is set`], [missing]);
  }
  if (mechanism !== undefined && username === undefined) {
    throw new ConfigError(['KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set'], ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']);
  }
  if (config.KAFKA_SSL_CA_FILE !== undefined && config.KAFKA_SSL !== true) {
    throw new ConfigError(['KAFKA_SSL must be true when KAFKA_SSL_CA_FILE is set'], ['KAFKA_SSL']);
  }
  return {
    ...(username !== undefined && password !== undefined ? { sasl: { mechanism: mechanism ?? 'scram-sha-512', username, password } } : {}),
    ...(config.KAFKA_SSL ? { ssl: config.KAFKA_SSL_CA_FILE === undefined ? {} : { caFile: config.KAFKA_SSL_CA_FILE } } : {}),
  };
}

/** Kafka brokers (`host:port`, comma-separated), the client id this service connects as, and its credentials. */
export const kafkaConfigSchema = z.object({
  KAFKA_BROKERS: envList().refine(
    (brokers) => brokers.every((broker) => /^[^\s:/]+:\d+$/.test(broker)),
    'must be a comma-separated list of host:port',
  ),
  KAFKA_CLIENT_ID: z.string(),
  /**
   * A run's own bus on shared servers (each test region, the benchmark): topics, registry subjects
   * and consumer groups prefixed `<namespace>.`. Unset in a deployment and the demo.
   */
  KAFKA_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be lower-case letters, digits and dashes (at most 48)')
    .optional(),
}).merge(kafkaSecurityConfigSchema);

/** The Confluent-compatible schema registry (`http://127.0.0.1:8080/apis/ccompat/v7`). */
export const schemaRegistryConfigSchema = z.object({
  SCHEMA_REGISTRY_URL: envUrl(),
});

/**
 * The service's own PostgreSQL database (`postgres://user:password@host:5432/name`). TLS is the
 * URL's: `sslmode` and `sslrootcert` (see README, "Transport security").
 */
export const databaseConfigSchema = z.object({
  DATABASE_URL: envUrl(['postgres', 'postgresql']),
  /** A statement running longer is cancelled by PostgreSQL (statement_timeout); 0 turns it off. */
  DATABASE_STATEMENT_TIMEOUT_MS: envInt().default('15000'),
  /** A session idle inside an open transaction this long is ended (idle_in_transaction_session_timeout); 0 turns it off. */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: envInt().default('60000'),
});

/**
 * Where and how an HTTP server listens: its address (loopback unless told otherwise), TLS from a
 * PEM certificate and key (both or neither, see `httpServerOptionsOf`), and the timeouts that
 * bound what a slow or idle client may hold.
 */
export const httpServerConfigSchema = z.object({
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_TLS_CERT_FILE: z.string().optional(),
  HTTP_TLS_KEY_FILE: z.string().optional(),
  /** Time to receive a whole request (headers and body). */
  HTTP_REQUEST_TIMEOUT_MS: envInt()
    .refine((ms) => ms >= 1_000, 'must be at least 1000')
    .default('30000'),
  /** Time to receive a request's headers; at most HTTP_REQUEST_TIMEOUT_MS. */
  HTTP_HEADERS_TIMEOUT_MS: envInt()
    .refine((ms) => ms >= 1_000, 'must be at least 1000')
    .default('10000'),
  /** An idle keep-alive connection is closed after this long. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: envInt()
    .refine((ms) => ms >= 100, 'must be at least 100')
    .default('5000'),
});

/** The port an HTTP API listens on, and its server settings. */
export const httpConfigSchema = z
  .object({
    HTTP_PORT: envPort(),
  })
  .merge(httpServerConfigSchema);

/**
 * Tracing, under the variable names OpenTelemetry documents. Without an endpoint, spans
 * are still created and propagated (Kafka headers carry them on) but not exported.
 */
export const telemetryConfigSchema = z.object({
  OTEL_SERVICE_NAME: z.string(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: envUrl().optional(),
  OTEL_SDK_DISABLED: envBoolean().default('false'),
});

/**
 * How long the backbone keeps what it no longer needs (decision record 0007): published outbox
 * rows, and the processed-event records that make a redelivery a no-op. A redelivery older than
 * the processed-event window is applied again, so that window must outlast any redelivery.
 */
export const backboneRetentionConfigSchema = z.object({
  /** Processed-event records older than this are deleted (default 7 days). */
  BACKBONE_PROCESSED_EVENT_RETENTION_MS: envInt()
    .refine((ms) => ms >= 3_600_000, 'must be at least 3600000 (an hour)')
    .default('604800000'),
  /** Outbox rows published longer ago than this are deleted (default 1 day); unpublished rows are kept. */
  BACKBONE_OUTBOX_RETENTION_MS: envInt()
    .refine((ms) => ms >= 60_000, 'must be at least 60000 (a minute)')
    .default('86400000'),
  /** Time between two pruning runs (default 10 minutes). */
  BACKBONE_RETENTION_INTERVAL_MS: envInt()
    .refine((ms) => ms >= 1_000, 'must be at least 1000')
    .default('600000'),
  /** Rows one DELETE removes at most. */
  BACKBONE_RETENTION_BATCH_SIZE: envInt()
    .refine((n) => n >= 1 && n <= 100_000, 'must be 1 to 100000')
    .default('5000'),
});
