import { z } from 'zod';
import { flag, loadSimulatorOptions } from '../simulator-options.config';
import { FerLimits } from '@medbus/federal-registry';
import { faultModes } from './fer.server';
import { parseLogins } from './registry.service';

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

/**
 * The simulator's configuration from `--kebab-case value` arguments, then `FERSIM_*` environment
 * variables (`--region-url` ↔ `FERSIM_REGION_URL`), then defaults; validated, failing with the
 * names of the bad options and never echoing a value.
 */
export function loadSimulatorConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: SimulatorOverrides = {}): SimulatorConfig {
  return loadSimulatorOptions(schema, argv, env, overrides, { envPrefix: 'FERSIM', simulator: 'federal simulator' });
}
