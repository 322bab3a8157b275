import { z } from 'zod';
import { envInt } from '@medbus/config';

/** Settings of the statistics module, merged into the service's configuration (contact-center.config.ts). */
export const statisticsConfigSchema = z.object({
  /** Service level: the share of offered calls answered within this many seconds of waiting (the region's target: 60). */
  CC_SERVICE_LEVEL_SECONDS: envInt()
    .refine((n) => n >= 1 && n <= 3600, 'must be between 1 and 3600')
    .default('60'),
});

export type StatisticsConfig = z.output<typeof statisticsConfigSchema>;
