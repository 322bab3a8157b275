import { z } from 'zod';
import { envInt, envList } from '@medbus/config';
import { misAdapterConfigSchema } from '@medbus/mis-adapter-kit';

/** Everything the inbound adapter reads from its environment: the runtime's variables and its API's. */
export const inboundAdapterConfigSchema = misAdapterConfigSchema.merge(
  z.object({
    MIS_VENDOR: z.string().default('inbound'),
    /**
     * Keys the clinic's MIS presents as `Authorization: Bearer <key>` on every inbound call, comma-separated
     * (two while one is rotated), each at least 24 characters.
     */
    INBOUND_API_KEYS: envList().pipe(z.array(z.string().min(24, 'must hold keys of at least 24 characters'))),
    /** Largest request body accepted, in bytes (a doctor's slots for a few weeks fit in far less). */
    INBOUND_MAX_BODY_BYTES: envInt()
      .refine((n) => n >= 1024 && n <= 16 * 1024 * 1024, 'must be 1024 to 16777216')
      .default('1048576'),
    /** An order the MIS was given and has not answered is listed to it again after this long (it may have crashed). */
    INBOUND_REDELIVERY_MS: envInt()
      .refine((n) => n >= 1000, 'must be at least 1000')
      .default('15000'),
    /** Most orders one `GET /inbound/v1/commands` lists. */
    INBOUND_COMMANDS_PER_POLL: envInt()
      .refine((n) => n >= 1 && n <= 500, 'must be 1 to 500')
      .default('100'),
    /** The MIS counts as reachable while it has called the adapter (a push or a command poll) within this long. */
    INBOUND_CONTACT_TIMEOUT_MS: envInt()
      .refine((n) => n >= 30_000, 'must be at least 30000 (the MIS long-polls for up to 25 s)')
      .default('120000'),
  }),
);

export type InboundAdapterConfig = z.output<typeof inboundAdapterConfigSchema>;
