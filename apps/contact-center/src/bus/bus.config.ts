import { z } from 'zod';

/** Settings of the bus module, merged into the service's configuration (contact-center.config.ts). */
export const busConfigSchema = z.object({});

export type BusConfig = z.output<typeof busConfigSchema>;
