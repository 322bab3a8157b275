import { z } from 'zod';

/** Settings of the callbacks module, merged into the service's configuration (contact-center.config.ts). */
export const callbacksConfigSchema = z.object({});

export type CallbacksConfig = z.output<typeof callbacksConfigSchema>;
