import { z } from 'zod';
import { envBoolean, envList, envPort, envUrl } from './env.config';

/** Kafka brokers (`host:port`, comma-separated) and the client id this service connects as. */
export const kafkaConfigSchema = z.object({
  KAFKA_BROKERS: envList().refine(
    (brokers) => brokers.every((broker) => /^[^\s:/]+:\d+$/.test(broker)),
    'must be a comma-separated list of host:port',
  ),
  KAFKA_CLIENT_ID: z.string(),
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
