import { z } from 'zod';
import {
  backboneRetentionConfigSchema,
  databaseConfigSchema,
  envInt,
  envOptionalList,
  envUrl,
  httpConfigSchema,
  kafkaConfigSchema,
  schemaRegistryConfigSchema,
  telemetryConfigSchema,
} from '@medbus/config';
import { envDataKeys } from '@medbus/data-protection';

/** Tracing of the booking service; read by instrument.ts before anything else loads. */
export const bookingTelemetryConfigSchema = telemetryConfigSchema.extend({
  OTEL_SERVICE_NAME: z.string().default('booking'),
});

/** The service's database alone (the credentials CLI needs no more). */
export const bookingDatabaseConfigSchema = databaseConfigSchema.extend({
  /** Postgres schema of the service's tables (a fresh one per test run or rebuild). */
  BOOKING_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('public'),
});

export type BookingDatabaseConfig = z.output<typeof bookingDatabaseConfigSchema>;

export const bookingConfigSchema = httpConfigSchema
  .merge(bookingDatabaseConfigSchema)
  .merge(kafkaConfigSchema)
  .merge(schemaRegistryConfigSchema)
  .merge(bookingTelemetryConfigSchema)
  .merge(backboneRetentionConfigSchema)
  .extend({
    KAFKA_CLIENT_ID: z.string().default('booking'),
    /** Consumer group of the inventory projection; a new group rebuilds from the beginning of the topics. */
    BOOKING_CONSUMER_GROUP: z.string().default('booking-inventory'),
    /** Open holds one client may have at once; more are refused (BOOKING.CLIENT_LIMIT_REACHED). */
    BOOKING_MAX_OPEN_HOLDS_PER_CLIENT: envInt()
      .refine((n) => n >= 1, 'must be at least 1')
      .default('50'),
    /** Waiting or offered waitlist entries one client may have at once. */
    BOOKING_MAX_WAITLIST_ENTRIES_PER_CLIENT: envInt()
      .refine((n) => n >= 1, 'must be at least 1')
      .default('500'),
    /** Patient identifications (look-ups at the MIS) one client may make per minute. */
    BOOKING_IDENTIFY_PER_MINUTE: envInt()
      .refine((n) => n >= 1, 'must be at least 1')
      .default('30'),
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
    /**
     * Keys encrypting patients' contact details at rest: `<keyId>=<base64 of 32 bytes>`, comma-separated,
     * newest first. The first encrypts, all decrypt: rotate by putting a new key first, drop the old one
     * once no row written with it is left (decision record 0014). None: contact phones are refused.
     */
    BOOKING_DATA_KEYS: envDataKeys(),
    /**
     * The facade's address as its clients reach it (`https://hub.example.org`), written into the WSDL's
     * soap:address; never taken from a request's Host header. Default: HTTP_HOST (localhost for a wildcard) and the port the server listens on.
     */
    HUB_FACADE_PUBLIC_URL: envUrl()
      .refine((url) => !/[?#]/.test(url), 'must be a base URL without query or fragment')
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  });

export type BookingConfig = z.output<typeof bookingConfigSchema>;
