import { z } from 'zod';
import { backboneRetentionConfigSchema, databaseConfigSchema, envInt, envUrl, httpConfigSchema, kafkaConfigSchema, schemaRegistryConfigSchema, telemetryConfigSchema } from '@medbus/config';

const atLeast = (min: number) => (n: number) => n >= min;

/** Tracing of the exporter; read by instrument.ts before anything else loads. */
export const exporterTelemetryConfigSchema = telemetryConfigSchema.extend({
  OTEL_SERVICE_NAME: z.string().default('registry-exporter'),
});

/** The exporter's database alone. */
export const exporterDatabaseConfigSchema = databaseConfigSchema.extend({
  /** Postgres schema of the exporter's tables; never the booking service's (no service reads another's database). */
  EXPORTER_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('registry_exporter'),
});

export type ExporterDatabaseConfig = z.output<typeof exporterDatabaseConfigSchema>;

export const exporterConfigSchema = httpConfigSchema
  .merge(exporterDatabaseConfigSchema)
  .merge(kafkaConfigSchema)
  .merge(schemaRegistryConfigSchema)
  .merge(exporterTelemetryConfigSchema)
  .merge(backboneRetentionConfigSchema)
  .extend({
    KAFKA_CLIENT_ID: z.string().default('registry-exporter'),
    /** Consumer group of the export projection; a new group re-reads the topics and re-derives what to export. */
    EXPORTER_CONSUMER_GROUP: z.string().default('registry-exporter'),
    EXPORTER_CONSUMER_BATCH_SIZE: envInt().refine(atLeast(1), 'must be at least 1').default('2000'),

    /** The booking service: the exporter books there as a FEDERAL_REGISTRY client and checks its callers' keys there. */
    BOOKING_URL: envUrl(),
    /** The exporter's own API key at the booking service (role FEDERAL_REGISTRY, channel FEDERAL_PORTAL). */
    EXPORTER_BOOKING_API_KEY: z.string().regex(/^mbk\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/, 'must be a medbus API key (mbk.<id>.<secret>)'),
    BOOKING_TIMEOUT_MS: envInt().refine(atLeast(100), 'must be at least 100').default('10000'),
    /** How long a booking or cancellation the clinic's MIS has not answered yet is polled before the federal caller is told to retry. */
    BOOKING_PENDING_WAIT_MS: envInt().refine(atLeast(0), 'must not be negative').default('20000'),

    /** The federal registry's push endpoint (SOAP), e.g. https://fer.example/fer/RegistryService. */
    FER_URL: envUrl(),
    FER_LOGIN: z.string().min(1),
    FER_PASSWORD: z.string().min(1),
    /** Items per UpdateSlots/UpdateLocations call; at most the federal side's Max_Batch. */
    FER_MAX_BATCH: envInt().refine(atLeast(1), 'must be at least 1').default('500'),
    /** Calls per second the exporter makes, below the federal side's rate limit. */
    FER_CALLS_PER_SECOND: envInt().refine(atLeast(1), 'must be at least 1').default('10'),
    FER_TIMEOUT_MS: envInt().refine(atLeast(100), 'must be at least 100').default('15000'),
    /** Backoff after a failed call doubles from 1 s up to this. */
    FER_RETRY_MAX_DELAY_MS: envInt().refine(atLeast(1000), 'must be at least 1000').default('60000'),
    /** How often the export worker looks for work when nothing woke it. */
    EXPORT_INTERVAL_MS: envInt().refine(atLeast(50), 'must be at least 50').default('1000'),
    /** Reconciliation with the federal side runs this often (default nightly: every 24 h); 0 only on demand. */
    RECONCILE_INTERVAL_MS: envInt().default('86400000'),

    /** Address the region's federal service (ErWebService) announces in its WSDL; default: where it listens. */
    ER_SERVICE_PUBLIC_URL: envUrl().optional(),
    /** Largest SOAP request body the region's federal service reads. */
    ER_MAX_BODY_BYTES: envInt().refine(atLeast(1024), 'must be at least 1024').default('262144'),
  });

export type ExporterConfig = z.output<typeof exporterConfigSchema>;
