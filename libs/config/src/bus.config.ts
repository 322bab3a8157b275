import { z } from 'zod';
import { envBoolean, envInt, envList, envPort, envUrl } from './env.config';

/** Kafka brokers (`host:port`, comma-separated) and the client id this service connects as. */
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
});

/** The Confluent-compatible schema registry (`http://127.0.0.1:8080/apis/ccompat/v7`). */
export const schemaRegistryConfigSchema = z.object({
  SCHEMA_REGISTRY_URL: envUrl(),
});

/** The service's own PostgreSQL database (`postgres://user:password@host:5432/name`). */
export const databaseConfigSchema = z.object({
  DATABASE_URL: envUrl(['postgres', 'postgresql']),
});

/** The port an HTTP API listens on. */
export const httpConfigSchema = z.object({
  HTTP_PORT: envPort(),
});

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
