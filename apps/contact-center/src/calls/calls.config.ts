import { z } from 'zod';

/** Settings of the calls module, merged into the service's configuration (contact-center.config.ts). */
export const callsConfigSchema = z.object({});

export type CallsConfig = z.output<typeof callsConfigSchema>;
