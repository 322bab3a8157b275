import { z } from 'zod';
import { flag, loadSimulatorOptions } from '../simulator-options.config';

function todayIn(zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/**
 * The region's default OID root: a sibling arc of HubService's `…12.2.23` (the region generator
 * appends `.<1000 + 37n>`), so no organisation shares an OID or an OID prefix with the other
 * simulators' defaults (`…12.2.23`, `…12.2.923`). A child arc such as `…12.2.23.2` would not do:
 * a lookup of HubService's organisations by the prefix `…12.2.23.` would take MedREST's too.
 */
export const defaultMedRestOidRoot = '1.2.643.5.1.13.13.12.2.823';

const schema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(7711),
  seed: z.coerce.number().int().default(42),
  organisations: z.coerce.number().int().min(1).max(500).default(20),
  oidRoot: z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)*$/, 'expected a dotted OID')
    .default(defaultMedRestOidRoot),
  doctorsPerOrg: z.coerce.number().int().min(1).max(100).default(8),
  /** Share of practitioners the MIS has no SNILS for. */
  doctorsWithoutSnils: z.coerce.number().min(0).max(1).default(0),
  horizonDays: z.coerce.number().int().min(1).max(60).default(14),
  startDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
    .default(() => todayIn('Europe/Moscow')),
  initialBookedShare: z.coerce.number().min(0).max(1).default(0.3),
  /** Comma-separated API keys callers may send in X-Api-Key. */
  apiKey: z
    .string()
    .default('medrest-demo-key-7f3a9c2e')
    .refine((v) => v.split(',').every((k) => k.trim().length >= 8), 'every key at least 8 characters'),
  adminToken: z.string().min(8).default('medrestsim-admin-token'),
  walkinRate: z.coerce.number().min(0).max(100).default(0),
  cancelRate: z.coerce.number().min(0).max(100).default(0),
  sickPerDay: z.coerce.number().min(0).max(100).default(0),
  dayLength: z.coerce.number().min(0).default(0),
  webhookUrl: z.string().url().optional(),
  webhookSecret: z.string().min(16).default('medrest-webhook-signing-secret'),
  /** Share of facilities whose MIS sends webhooks at all (fixed per seed). */
  webhookShare: z.coerce.number().min(0).max(1).default(0.7),
  webhookRetries: z.coerce.number().int().min(0).max(20).default(5),
  latencyMs: z.coerce.number().int().min(0).max(120_000).default(0),
  errorRate: z.coerce.number().min(0).max(1).default(0),
  outage: flag.default(false),
  /** Requests per second per API key (bursts of twice that); 0 turns the limit off. */
  rateLimit: z.coerce.number().min(0).max(10_000).default(100),
  maxBodyBytes: z.coerce.number().int().min(1024).default(64 * 1024),
  logRequests: flag.default(true),
});

export type SimulatorConfig = z.infer<typeof schema>;
export type SimulatorOverrides = Partial<z.input<typeof schema>>;

/**
 * The simulator's configuration from `--kebab-case value` arguments, then `MEDRESTSIM_*` environment
 * variables, then defaults; validated, failing with the names of the bad options.
 */
export function loadSimulatorConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: SimulatorOverrides = {}): SimulatorConfig {
  return loadSimulatorOptions(schema, argv, env, overrides, { envPrefix: 'MEDRESTSIM', simulator: 'MedREST simulator' });
}
