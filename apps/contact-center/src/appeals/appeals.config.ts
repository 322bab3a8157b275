import { z } from 'zod';
import { envInt } from '@medbus/config';

const between = (min: number, max: number) => (n: number) => n >= min && n <= max;

/** Settings of the appeals module, merged into the service's configuration (contact-center.config.ts). */
export const appealsConfigSchema = z.object({
  /** Hours after a resolution within which the operator calls the applicant back to ask whether the problem was solved. */
  CC_FOLLOW_UP_WITHIN_HOURS: envInt().refine(between(1, 240), 'must be 1 to 240 hours').default('24'),
  /** Hours after a follow-up call that did not reach the applicant before the next one is due. */
  CC_FOLLOW_UP_RETRY_HOURS: envInt().refine(between(1, 72), 'must be 1 to 72 hours').default('4'),
  /** How often the escalation poller looks for appeals nearing or past their deadline. */
  CC_APPEAL_ESCALATION_POLL_MS: envInt().refine(between(1_000, 3_600_000), 'must be 1 s to 1 h').default('60000'),
});

export type AppealsConfig = z.output<typeof appealsConfigSchema>;
