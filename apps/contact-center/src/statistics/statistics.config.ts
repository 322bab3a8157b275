import { z } from 'zod';

/** Settings of the statistics module, merged into the service's configuration (contact-center.config.ts). */
export const statisticsConfigSchema = z.object({});

export type StatisticsConfig = z.output<typeof statisticsConfigSchema>;
