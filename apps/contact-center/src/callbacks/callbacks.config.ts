import { z } from 'zod';
import { envBoolean, envInt, envList } from '@medbus/config';

const atLeast = (min: number) => (n: number) => n >= min;

/** Settings of the callbacks module, merged into the service's configuration (contact-center.config.ts). */
export const callbacksConfigSchema = z.object({
  /** Minutes before each further attempt after a failed one; after the last one the task is UNREACHED. */
  CC_CALLBACK_RETRY_MINUTES: envList()
    .pipe(z.array(z.string().regex(/^\d+$/, 'must list whole minutes').transform(Number)))
    .default('5,15,60,180'),
  /** Whether the dialler calls open tasks back by itself (operators can always dial by hand). */
  CC_CALLBACK_AUTODIAL: envBoolean().default('true'),
  /** Originates in flight at most (the PBX's outbound trunk is shared with operators). */
  CC_CALLBACK_MAX_DIALLING: envInt().refine(atLeast(1), 'must be at least 1').default('4'),
  /** How often the dialler looks for due tasks (it is also woken when a task is created). */
  CC_CALLBACK_POLL_MS: envInt().refine(atLeast(50), 'must be at least 50').default('1000'),
  /** An originate without its OriginateResponse after this long counts as FAILED (the PBX rings 30 s). */
  CC_ORIGINATE_TIMEOUT_MS: envInt().refine(atLeast(1000), 'must be at least 1000').default('45000'),
  /** The caller id the contact centre calls back with. */
  CC_CALLBACK_CALLER_ID: z.string().min(1).default('"Contact centre" <122>'),
});

export type CallbacksConfig = z.output<typeof callbacksConfigSchema>;
