import { z } from 'zod';
import { flag, loadSimulatorOptions } from '../simulator-options.config';

function todayIn(zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

const schema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(7701),
  seed: z.coerce.number().int().default(42),
  organisations: z.coerce.number().int().min(1).max(500).default(20),
  /** OID root of the simulated organisations; tests give each region its own so regions never share ids. */
  oidRoot: z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)*$/, 'expected a dotted OID')
    .default('1.2.643.5.1.13.13.12.2.23'),
  doctorsPerOrg: z.coerce.number().int().min(1).max(100).default(8),
  /** Share of doctors the MIS has no SNILS for (the federal registry cannot take their slots). */
  doctorsWithoutSnils: z.coerce.number().min(0).max(1).default(0),
  horizonDays: z.coerce.number().int().min(1).max(60).default(14),
  startDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
    .default(() => todayIn('Europe/Moscow')),
  initialBookedShare: z.coerce.number().min(0).max(1).default(0.3),
  /** Comma-separated guids HubService callers may present. */
  guid: z.string().min(1).default('6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11'),
  adminToken: z.string().min(8).default('hubsim-admin-token'),
  /** Front-desk walk-ins per second over the whole region; 0 turns them off. */
  walkinRate: z.coerce.number().min(0).max(100).default(0),
  /** Front-desk cancellations per second over the whole region. */
  cancelRate: z.coerce.number().min(0).max(100).default(0),
  /** Doctors falling ill per simulated day over the whole region. */
  sickPerDay: z.coerce.number().min(0).max(100).default(0),
  /** Seconds of wall time per simulated day; 0 means days advance only through /admin/advance-day. */
  dayLength: z.coerce.number().min(0).default(0),
  notifyUrl: z.string().url().optional(),
  notifyShare: z.coerce.number().min(0).max(1).default(0.7),
  notifyGuid: z.string().default('6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11'),
  notifyRetries: z.coerce.number().int().min(0).max(20).default(5),
  latencyMs: z.coerce.number().int().min(0).max(120_000).default(0),
  errorRate: z.coerce.number().min(0).max(1).default(0),
  outage: flag.default(false),
  maxBodyBytes: z.coerce.number().int().min(1024).default(256 * 1024),
  logRequests: flag.default(true),
});

export type SimulatorConfig = z.infer<typeof schema>;
export type SimulatorOverrides = Partial<z.input<typeof schema>>;

/**
 * The simulator's configuration from `--kebab-case value` arguments, then `HUBSIM_*` environment
 * variables, then defaults; validated, failing with the names of the bad options.
 */
export function loadSimulatorConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: SimulatorOverrides = {}): SimulatorConfig {
  return loadSimulatorOptions(schema, argv, env, overrides, { envPrefix: 'HUBSIM', simulator: 'simulator' });
}
