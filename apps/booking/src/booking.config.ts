import { z } from 'zod';
import {
  databaseConfigSchema,
  envInt,
  envList,
  httpConfigSchema,
  kafkaConfigSchema,
  schemaRegistryConfigSchema,
  telemetryConfigSchema,
} from '@medbus/config';

/** Tracing of the booking service; read by instrument.ts before anything else loads. */
export const bookingTelemetryConfigSchema = telemetryConfigSchema.extend({
  OTEL_SERVICE_NAME: z.string().default('booking'),
});

export const bookingConfigSchema = httpConfigSchema
  .merge(databaseConfigSchema)
  .merge(kafkaConfigSchema)
  .merge(schemaRegistryConfigSchema)
  .merge(bookingTelemetryConfigSchema)
  .extend({
    KAFKA_CLIENT_ID: z.string().default('booking'),
    /** Consumer group of the inventory projection; a new group rebuilds from the beginning of the topics. */
    BOOKING_CONSUMER_GROUP: z.string().default('booking-inventory'),
    /** Postgres schema of the service's tables (a fresh one per test run or rebuild). */
    BOOKING_DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
      .default('public'),
    /** API keys callers send as `Authorization: Bearer <key>`, comma-separated. */
    BOOKING_API_KEYS: envList().refine((keys) => keys.every((key) => key.length >= 16), 'must hold keys of at least 16 characters'),
    /** An organisation is stale when its adapter's last heartbeat is older than this many heartbeat intervals. */
    BOOKING_STALE_AFTER_HEARTBEATS: envInt()
      .refine((n) => n >= 1, 'must be at least 1')
      .default('3'),
  });

export type BookingConfig = z.output<typeof bookingConfigSchema>;
