import { z } from 'zod';
import { FerLimits } from '@medbus/federal-registry';
import { faultModes } from './fer.server';
import { parseLogins } from './registry.service';

const flag = z
  .union([z.boolean(), z.string()])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'on');

const schema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(7711),
  /** `login:password,...`: who may open sessions. */
  logins: z
    .string()
    .min(3)
    .default('medbus-region:fersim-password')
    .refine((value) => {
      try {
        return parseLogins(value).size > 0;
      } catch {
        return false;
      }
    }, 'expected login:password pairs separated by commas'),
  adminToken: z.string().min(8).default('fersim-admin-token'),
  sessionTtlSeconds: z.coerce.number().int().min(1).default(FerLimits.sessionTtlSeconds),
  ratePerSecond: z.coerce.number().int().min(1).default(FerLimits.ratePerSecond),
  dailyQuota: z.coerce.number().int().min(1).default(FerLimits.dailyQuota),
  maxBatch: z.coerce.number().int().min(1).default(FerLimits.maxBatch),
  /** JSON list of ФРМО OIDs the register knows at start (PUT /admin/frmo adds more). */
  frmoFile: z.string().min(1).optional(),
  /** Full NSI dictionaries (shape of nsi.sample.json); each replaces the sample's same dictionary. */
  nsiFile: z.string().min(1).optional(),
  /** The region's ErWebService the simulated portal calls. */
  regionUrl: z.string().url().optional(),
  regionApiKey: z.string().min(1).optional(),
  regionTimeoutMs: z.coerce.number().int().min(100).max(300_000).default(15_000),
  /** Initial faults, changeable at run time through POST /admin/faults. */
  faultMode: z.enum(faultModes).default('up'),
  delayMs: z.coerce.number().int().min(0).max(300_000).default(0),
  errorRate: z.coerce.number().min(0).max(1).default(0),
  maxBodyBytes: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  rejectionsKept: z.coerce.number().int().min(1).max(100_000).default(1000),
  logRequests: flag.default(true),
});

export type SimulatorConfig = z.infer<typeof schema>;
export type SimulatorOverrides = Partial<z.input<typeof schema>>;

const keys = Object.keys(schema.shape) as (keyof SimulatorConfig)[];
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (key: string) => `FERSIM_${kebab(key).replace(/-/g, '_').toUpperCase()}`;

/**
 * The simulator's configuration from `--kebab-case value` arguments, then `FERSIM_*` environment
 * variables (`--region-url` ↔ `FERSIM_REGION_URL`), then defaults; validated, failing with the
 * names of the bad options and never echoing a value.
 */
export function loadSimulatorConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: SimulatorOverrides = {}): SimulatorConfig {
  const raw: Record<string, unknown> = {};
  for (const key of keys) {
    const value = env[envName(key)];
    if (value !== undefined) raw[key] = value;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const equals = arg.indexOf('=');
    const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
    const inline = equals < 0 ? undefined : arg.slice(equals + 1);
    const key = keys.find((k) => kebab(k) === name);
    if (!key) throw new Error(`unknown option --${name}; known: ${keys.map((k) => `--${kebab(k)}`).join(' ')}`);
    const next = argv[i + 1];
    if (inline !== undefined) raw[key] = inline;
    else if (next !== undefined && !next.startsWith('--')) raw[key] = argv[++i];
    else raw[key] = true;
  }
  const parsed = schema.safeParse({ ...raw, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `--${kebab(String(i.path[0]))} (${envName(String(i.path[0]))}): ${i.message}`);
    throw new Error(`invalid federal simulator configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
