import { z } from 'zod';
import { envInt, envOptionalList, envPort, envUrl } from '@medbus/config';
import { envDataKeys, envHashKey } from '@medbus/data-protection';

const atLeast = (min: number) => (n: number) => n >= min;

/** `queue:branch,...` → the branch of each listed queue; a queue not listed is its own branch. */
function queueBranches() {
  return envOptionalList().transform((entries, ctx): Record<string, string> => {
    const branches: Record<string, string> = {};
    for (const entry of entries) {
      const match = /^([A-Za-z0-9_.-]{1,80}):([a-z0-9][a-z0-9_-]{0,62})$/.exec(entry);
      if (!match) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'entries must be <queue>:<branch id>' });
        return z.NEVER;
      }
      branches[match[1]] = match[2];
    }
    return branches;
  });
}

/** Settings of the calls module and the PBX link, merged into the service's configuration (contact-center.config.ts). */
export const callsConfigSchema = z.object({
  /** Keys of callers' numbers at rest, `<keyId>=<base64 of 32 bytes>,...`, the writing key first (as BOOKING_DATA_KEYS). */
  CC_DATA_KEYS: envDataKeys(),
  /** Key of the keyed hash that matches a caller's calls and tasks without his number (base64, ≥ 32 bytes). */
  CC_PHONE_HASH_KEY: envHashKey(),
  /** The PBX's Asterisk Manager Interface. */
  CC_AMI_HOST: z.string().min(1).default('127.0.0.1'),
  CC_AMI_PORT: envPort().default('5038'),
  CC_AMI_USERNAME: z.string().min(1),
  CC_AMI_SECRET: z.string().min(1),
  /** The PBX's queue_log feed (`GET <url>?since=<epoch>`): calls that ended while the AMI link was down. */
  CC_QUEUE_LOG_URL: envUrl(),
  CC_QUEUE_LOG_TOKEN: z.string().min(1),
  /** How far before the last applied event the queue_log is read again after a reconnection (PBX clock). */
  CC_QUEUE_LOG_MARGIN_SECONDS: envInt().default('60'),
  /** Which branch a queue belongs to, `queue:branch,...`; by default a queue's name is its branch id. */
  CC_QUEUE_BRANCHES: queueBranches(),
  /** Ended calls are written in one transaction every this many ms (or sooner, at CC_CALL_BATCH_SIZE calls). */
  CC_CALL_FLUSH_MS: envInt().refine(atLeast(1), 'must be at least 1').default('100'),
  CC_CALL_BATCH_SIZE: envInt().refine(atLeast(1), 'must be at least 1').default('1000'),
  /** Longest pause between reconnection attempts to the PBX (exponential backoff with jitter up to it). */
  CC_AMI_RECONNECT_MAX_MS: envInt().refine(atLeast(100), 'must be at least 100').default('10000'),
});

export type CallsConfig = z.output<typeof callsConfigSchema>;
