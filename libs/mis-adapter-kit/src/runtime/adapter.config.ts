import { z } from 'zod';
import { backboneRetentionConfigSchema, databaseConfigSchema, envInt, envList, envPort, envUrl, httpServerConfigSchema, kafkaConfigSchema, schemaRegistryConfigSchema, telemetryConfigSchema } from '@medbus/config';
import { BookingChannel } from '@medbus/contracts';
import { adapterIdPattern } from '@medbus/kafka';

const channels = Object.values(BookingChannel) as [BookingChannel, ...BookingChannel[]];

/**
 * What every MIS adapter reads from its environment, whatever its dialect; a dialect merges its own
 * variables (the MIS's address and credentials) into this schema.
 */
export const misAdapterConfigSchema = kafkaConfigSchema
  .merge(schemaRegistryConfigSchema)
  .merge(telemetryConfigSchema)
  .merge(backboneRetentionConfigSchema)
  .merge(httpServerConfigSchema)
  // DATABASE_URL is optional here (below); the timeouts apply when it is set.
  .merge(databaseConfigSchema.omit({ DATABASE_URL: true }))
  .merge(
    z.object({
      /** Code of the vendor on events and heartbeats. */
      MIS_VENDOR: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and dashes'),
      /**
       * ФРМО OIDs of the organisations registered to this adapter (`npm run clients -- issue --role
       * MIS_ADAPTER --organisations …`), comma-separated: nothing of any other organisation its MIS
       * lists is published.
       */
      ADAPTER_ORGANISATIONS: envList()
        .pipe(z.array(z.string().regex(/^\d+(\.\d+)+$/, 'must be organisation OIDs')).min(1, 'must name at least one organisation')),
      /** Port of the adapter's HTTP endpoint: health, the patient API, and whatever the MIS pushes (notifications, webhooks). */
      HTTP_PORT: envPort(),
      /** Names the adapter's topics (`mis.slot.<id>`, `booking.command.<id>`), consumer groups and Kafka principal. */
      ADAPTER_ID: z.string().regex(adapterIdPattern, 'must be lower-case letters, digits and dashes (at most 40), starting with a letter or digit'),
      ADAPTER_VERSION: z.string().default('0.1.0'),
      POLL_INTERVAL_MS: envInt().default('60000'),
      POLL_JITTER: z.coerce.number().min(0).max(0.5).default(0.1),
      HORIZON_DAYS: envInt().default('14'),
      /**
       * A pass this long after the last reasserting one states every organisation, doctor and slot
       * again with newer versions (anti-entropy: the inventory converges on the MIS whatever it went
       * through); 0 turns it off.
       */
      REASSERT_INTERVAL_MS: envInt().default('21600000'),
      /** Doctors of one clinic read and published at once during a pass. */
      SYNC_DOCTOR_CONCURRENCY: envInt()
        .refine((n) => n >= 1 && n <= 64, 'must be 1 to 64')
        .default('4'),
      /** Calls per second to the MIS (token bucket), and the burst allowed. */
      MIS_RATE_PER_SECOND: envInt().default('20'),
      MIS_RATE_BURST: envInt().default('20'),
      MIS_TIMEOUT_MS: envInt().default('5000'),
      /** Largest MIS response accepted, in bytes. */
      MIS_MAX_RESPONSE_BYTES: envInt().default('5242880'),
      BREAKER_FAILURE_THRESHOLD: envInt().default('3'),
      BREAKER_OPEN_MS: envInt().default('5000'),
      HEARTBEAT_INTERVAL_MS: envInt().default('10000'),
      /** JSON file `{ "<NSI dictionary OID>": { "<vendor code>": "<NSI code>" } }`; optional. */
      CODE_MAP_PATH: z.string().optional(),
      /**
       * Postgres where the adapter keeps what it published (so a restart still knows its slots) and
       * the booking commands it carried out with their outcomes' outbox. Without it that memory is
       * lost on restart and booking commands are not consumed at all.
       */
      DATABASE_URL: envUrl(['postgres', 'postgresql']).optional(),
      /** Postgres schema of the adapter's tables; default `mis_adapter_<ADAPTER_ID as an identifier>` (see `databaseSchemaOf`). */
      ADAPTER_DATABASE_SCHEMA: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
        .optional(),
      /** Consumer group on booking.command; default `mis-adapter-<ADAPTER_ID>-commands`. */
      COMMAND_CONSUMER_GROUP: z.string().min(1).optional(),
      /**
       * Partitions of booking.command carried out at once (commands of one appointment share a
       * partition, so they stay in order); the MIS decides between commands racing for one slot.
       */
      COMMAND_CONCURRENCY: envInt()
        .refine((n) => n >= 1 && n <= 64, 'must be 1 to 64')
        .default('3'),
      /** Backoff between attempts while the MIS does not answer a command (until the command's deadline). */
      COMMAND_RETRY_INITIAL_MS: envInt().default('200'),
      COMMAND_RETRY_MAX_MS: envInt().default('2000'),
      /** How long a cancellation is retried while the MIS does not answer (CancelAppointment has no deadline). */
      CANCEL_RETRY_WINDOW_MS: envInt().default('120000'),
      /** After a deadline, how long the adapter keeps reading whether a call whose answer was lost took effect. */
      COMMAND_VERIFY_WINDOW_MS: envInt().default('60000'),
      /**
       * Keys callers of the patient API (POST /v1/patients/identify) present as `Authorization:
       * Bearer <key>`, comma-separated, each at least 16 characters; none: the API refuses everyone.
       */
      ADAPTER_API_KEYS: z
        .string()
        .default('')
        .transform((text) => text.split(',').map((key) => key.trim()).filter(Boolean))
        .refine((keys) => keys.every((key) => key.length >= 16), 'must hold keys of at least 16 characters'),
      /** Folder of the raw payload archive; raw payloads are not kept without it. */
      RAW_PAYLOAD_DIR: z.string().optional(),
      /** Raw payloads older than this are deleted (whole UTC days; default 7 days). */
      RAW_ARCHIVE_RETENTION_MS: envInt()
        .refine((n) => n >= 60_000, 'must be at least 60000')
        .default(String(7 * 86_400_000)),
      /** How often the raw archive is pruned. */
      RAW_ARCHIVE_PRUNE_INTERVAL_MS: envInt()
        .refine((n) => n >= 1000, 'must be at least 1000')
        .default('3600000'),
      /**
       * JSON file replacing the region's sex, age, attachment and channel rules per specialty NSI code
       * (`specialtyRulesSchema`); default `defaultSpecialtyRules`. A dialect applies what its MIS does not say itself.
       */
      SPECIALTY_RULES_PATH: z.string().optional(),
      /** Channels allowed to book the MIS's slots, unless the vendor or a specialty rule says otherwise per slot. */
      SLOT_BOOKING_CHANNELS: envList()
        .pipe(z.array(z.enum(channels)))
        .default('CONTACT_CENTRE,PORTAL,FRONT_DESK,KIOSK,FEDERAL_PORTAL'),
    }),
  );

export type MisAdapterConfig = z.output<typeof misAdapterConfigSchema>;

/** The adapter's Postgres schema: ADAPTER_DATABASE_SCHEMA, else `mis_adapter_` + ADAPTER_ID made an identifier. */
export function databaseSchemaOf(config: Pick<MisAdapterConfig, 'ADAPTER_DATABASE_SCHEMA' | 'ADAPTER_ID'>): string {
  if (config.ADAPTER_DATABASE_SCHEMA) return config.ADAPTER_DATABASE_SCHEMA;
  const id = config.ADAPTER_ID.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return `mis_adapter_${id}`.slice(0, 63);
}

/** Consumer group on the adapter's command topic: COMMAND_CONSUMER_GROUP, else `mis-adapter-<ADAPTER_ID>-commands`. */
export function commandGroupOf(config: Pick<MisAdapterConfig, 'COMMAND_CONSUMER_GROUP' | 'ADAPTER_ID'>): string {
  return config.COMMAND_CONSUMER_GROUP ?? `mis-adapter-${config.ADAPTER_ID}-commands`;
}
