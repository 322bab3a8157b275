import { z } from 'zod';

/** Settings of the appeals module, merged into the service's configuration (contact-center.config.ts). */
export const appealsConfigSchema = z.object({});

export type AppealsConfig = z.output<typeof appealsConfigSchema>;
