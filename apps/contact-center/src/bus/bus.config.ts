import { z } from 'zod';
import { envInt } from '@medbus/config';

const atLeast = (min: number) => (n: number) => n >= min;

/** Settings of the bus module, merged into the service's configuration (contact-center.config.ts). */
export const busConfigSchema = z.object({
  /** Consumer group of the bus projection (offsets and processed events are kept per group). */
  CC_CONSUMER_GROUP: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be a Kafka group id').default('contact-center'),
  /** Messages applied in one transaction, at most. */
  CC_CONSUMER_BATCH_SIZE: envInt().refine(atLeast(1), 'must be at least 1').default('2000'),
  /** An organisation's MIS is stale once its adapter's last successful sync is older than this at a heartbeat (10 min). */
  CC_MIS_STALE_AFTER_MS: envInt().refine(atLeast(1_000), 'must be at least 1000').default('600000'),
  /** How often adapters whose heartbeats stopped are looked for (a heartbeat older than 3 intervals is stale); 0 turns it off. */
  CC_HEARTBEAT_CHECK_MS: envInt().refine((n) => n === 0 || n >= 100, 'must be 0 or at least 100').default('5000'),
});

export type BusConfig = z.output<typeof busConfigSchema>;
