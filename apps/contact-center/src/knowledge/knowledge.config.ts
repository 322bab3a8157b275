import { z } from 'zod';

/** Settings of the knowledge module, merged into the service's configuration (contact-center.config.ts). */
export const knowledgeConfigSchema = z.object({});

export type KnowledgeConfig = z.output<typeof knowledgeConfigSchema>;
