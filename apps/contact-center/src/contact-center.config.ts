import { z } from 'zod';
import { backboneRetentionConfigSchema, databaseConfigSchema, envInt, envUrl, httpConfigSchema, kafkaConfigSchema, schemaRegistryConfigSchema, telemetryConfigSchema } from '@medbus/config';
import { appealsConfigSchema } from './appeals/appeals.config';
import { busConfigSchema } from './bus/bus.config';
import { callbacksConfigSchema } from './callbacks/callbacks.config';
import { callsConfigSchema } from './calls/calls.config';
import { consoleConfigSchema } from './console/console.config';
import { knowledgeConfigSchema } from './knowledge/knowledge.config';
import { statisticsConfigSchema } from './statistics/statistics.config';

const atLeast = (min: number) => (n: number) => n >= min;

/** Tracing of the contact centre; read by instrument.ts before anything else loads. */
export const contactCenterTelemetryConfigSchema = telemetryConfigSchema.extend({
  OTEL_SERVICE_NAME: z.string().default('contact-center'),
});

/** The contact centre's database alone. */
export const contactCenterDatabaseConfigSchema = databaseConfigSchema.extend({
  /** Postgres schema of the contact centre's tables; no other service reads them. */
  CC_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('contact_center'),
});

export type ContactCenterDatabaseConfig = z.output<typeof contactCenterDatabaseConfigSchema>;

/**
 * The service's whole configuration. Each module adds its own variables in its own `*.config.ts`
 * schema, merged here, so a module's settings live beside it and are still checked at boot.
 */
export const contactCenterBaseConfigSchema = httpConfigSchema
  .merge(contactCenterDatabaseConfigSchema)
  .merge(kafkaConfigSchema)
  .merge(schemaRegistryConfigSchema)
  .merge(contactCenterTelemetryConfigSchema)
  .merge(backboneRetentionConfigSchema)
  .extend({
    KAFKA_CLIENT_ID: z.string().default('contact-center'),
    /** The booking service: callers' keys are checked there (role CONTACT_CENTRE may introspect). */
    BOOKING_URL: envUrl(),
    /** The contact centre's own API key at booking (role CONTACT_CENTRE). */
    CC_BOOKING_API_KEY: z.string().regex(/^mbk\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/, 'must be a medbus API key (mbk.<id>.<secret>)'),
    BOOKING_TIMEOUT_MS: envInt().refine(atLeast(100), 'must be at least 100').default('10000'),
    /** The head centre's branch id: staff registered without a branch belong to it. */
    CC_HEAD_BRANCH: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/).default('head'),
    /** The region's time zone: a call's day and week are counted in it (Krasnodar: Europe/Moscow, UTC+3). */
    CC_TIME_ZONE: z.string().default('Europe/Moscow'),
  });

export const contactCenterConfigSchema = contactCenterBaseConfigSchema
  .merge(callsConfigSchema)
  .merge(callbacksConfigSchema)
  .merge(appealsConfigSchema)
  .merge(knowledgeConfigSchema)
  .merge(busConfigSchema)
  .merge(statisticsConfigSchema)
  .merge(consoleConfigSchema);

export type ContactCenterConfig = z.output<typeof contactCenterConfigSchema>;
