import { z } from 'zod';
import { envInt, envOptionalList, envUrl } from '@medbus/config';
import { misAdapterConfigSchema } from '@medbus/mis-adapter-kit';

/** Everything the MedREST adapter reads from its environment: the runtime's variables and its MIS's. */
export const medRestAdapterConfigSchema = misAdapterConfigSchema.merge(
  z.object({
    MIS_VENDOR: z.string().default('medrest'),
    /** Base of the MIS's API, e.g. `https://mis.example/api/v2`. */
    MEDREST_BASE_URL: envUrl().transform((url) => url.replace(/\/+$/, '')),
    /** The key the MIS issued to this adapter (`X-Api-Key`). */
    MEDREST_API_KEY: z.string().min(8, 'must be at least 8 characters'),
    /**
     * Secrets the MIS signs its webhooks with (`X-MedREST-Signature`), comma-separated while one is
     * rotated, each at least 16 characters; none: the adapter takes no webhooks (it follows the change feed).
     */
    MEDREST_WEBHOOK_SECRET: envOptionalList().pipe(z.array(z.string().min(16, 'must hold secrets of at least 16 characters'))),
    /** How far a webhook's signing time may be from the adapter's clock (replays older than this are refused). */
    MEDREST_WEBHOOK_TOLERANCE_SECONDS: envInt().default('300'),
    MEDREST_WEBHOOK_MAX_BODY_BYTES: envInt()
      .refine((n) => n >= 1024, 'must be at least 1024')
      .default('65536'),
    /** How often the change feed is read between full passes. */
    MEDREST_CHANGES_INTERVAL_MS: envInt()
      .refine((n) => n >= 100, 'must be at least 100')
      .default('2000'),
    /** Items per page of the MIS's listings (the MIS allows 1 to 200). */
    MEDREST_PAGE_SIZE: envInt()
      .refine((n) => n >= 1 && n <= 200, 'must be 1 to 200')
      .default('200'),
    /** Longest wait a `429` with `Retry-After` is given before the call counts as failed. */
    MEDREST_RATE_LIMIT_MAX_WAIT_MS: envInt().default('10000'),
    /** Zone for a facility whose `time_zone` is not an IANA zone (reported as a data-quality issue). */
    MEDREST_DEFAULT_TIME_ZONE: z
      .string()
      .default('Europe/Moscow')
      .refine((zone) => isTimeZone(zone), 'must be an IANA time zone such as Europe/Moscow'),
  }),
);

export type MedRestAdapterConfig = z.output<typeof medRestAdapterConfigSchema>;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
