import { z } from 'zod';
import {
  backboneRetentionConfigSchema,
  databaseConfigSchema,
  envInt,
  envList,
  envOptionalList,
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
  .merge(backboneRetentionConfigSchema)
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
    /** Partitions the consumer handles at once (up to the topics' partition count; order within each is kept). */
    BOOKING_CONSUMER_CONCURRENCY: envInt()
      .refine((n) => n >= 1 && n <= 64, 'must be 1 to 64')
      .default('3'),
    /** Messages of one partition applied in one transaction, at most. */
    BOOKING_CONSUMER_BATCH_SIZE: envInt()
      .refine((n) => n >= 1 && n <= 20_000, 'must be 1 to 20000')
      .default('2000'),
    /** How long a booking, cancel or reschedule call waits for the MIS before answering PENDING. */
    BOOKING_RESPONSE_TIMEOUT_MS: envInt()
      .refine((n) => n >= 100, 'must be at least 100')
      .default('5000'),
    /** A command the adapter has not carried out by this long after the request is refused (DEADLINE_EXCEEDED), never booked late. */
    BOOKING_COMMAND_DEADLINE_MS: envInt()
      .refine((n) => n >= 1000, 'must be at least 1000')
      .default('120000'),
    /** A booking still PENDING this long after its command's deadline (no adapter answered) is refused and its slot freed. */
    BOOKING_PENDING_GRACE_MS: envInt()
      .refine((n) => n >= 0, 'must not be negative')
      .default('60000'),
    /** Lifetime of a hold taken through POST /v1/holds. */
    BOOKING_HOLD_TTL_MS: envInt()
      .refine((n) => n >= 1000, 'must be at least 1000')
      .default('120000'),
    /** How long a freed slot stays reserved for the waitlisted patient it was offered to. */
    WAITLIST_RESERVATION_MS: envInt()
      .refine((n) => n >= 1000, 'must be at least 1000')
      .default('900000'),
    /** How often expired holds and waitlist reservations are released. */
    BOOKING_SWEEP_INTERVAL_MS: envInt()
      .refine((n) => n >= 50, 'must be at least 50')
      .default('1000'),
    /**
     * Where each MIS adapter answers synchronous patient look-ups, as `<adapterId>=<base URL>`,
     * comma-separated; the adapter serving an organisation is known from its heartbeats.
     */
    BOOKING_MIS_ADAPTERS: envOptionalList().refine(
      (entries) => entries.every((entry) => /^[^=\s]+=https?:\/\/\S+$/.test(entry)),
      'entries must be <adapterId>=<http(s) URL>',
    ),
    /** API key the booking service presents to the adapters (their ADAPTER_API_KEYS). */
    BOOKING_MIS_ADAPTER_API_KEY: z.string().min(16).optional(),
    BOOKING_MIS_ADAPTER_TIMEOUT_MS: envInt()
      .refine((n) => n >= 100, 'must be at least 100')
      .default('5000'),
    /** `guid` values (per client system) the HubService facade accepts, comma-separated. */
    HUB_FACADE_GUIDS: envOptionalList(),
  });

export type BookingConfig = z.output<typeof bookingConfigSchema>;
