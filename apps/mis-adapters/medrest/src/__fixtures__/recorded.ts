import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

/**
 * Answers recorded from the MedREST simulator (tools/simulators/medrest, seed 42, 7 facilities × 8
 * practitioners, 3 days from 2026-11-30; practitioner D0102's 2026-12-01 blocked by a sick day), one
 * file per answer, and two signed webhooks it sent (its secret alongside).
 */
export function recordedText(file: string): string {
  return readFileSync(join(__dirname, file), 'utf8');
}

/** A recorded answer validated as the adapter's client validates it. */
export function recorded<S extends z.ZodTypeAny>(file: string, schema: S): z.output<S> {
  return schema.parse(JSON.parse(recordedText(file)));
}

export interface RecordedWebhook {
  readonly secret: string;
  readonly signature: string;
  readonly body: string;
}

export function recordedWebhook(file: string): RecordedWebhook {
  return JSON.parse(recordedText(file)) as RecordedWebhook;
}
