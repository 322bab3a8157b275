import { z } from 'zod';
import { flag, loadSimulatorOptions } from '../simulator-options.config';

function todayIn(zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/**
 * The region's default OID root: a sibling arc of HubService's `…12.2.23`, so neither simulator's
 * organisations share an OID or a prefix with the other's.
 */
export const defaultXmlDumpOidRoot = '1.2.643.5.1.13.13.12.2.923';

const schema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(7721),
  /** SFTP port; 0 picks a free one. */
  sftpPort: z.coerce.number().int().min(0).max(65535).default(7722),
  seed: z.coerce.number().int().default(42),
  organisations: z.coerce.number().int().min(1).max(500).default(20),
  oidRoot: z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)*$/, 'expected a dotted OID')
    .default(defaultXmlDumpOidRoot),
  doctorsPerOrg: z.coerce.number().int().min(1).max(100).default(8),
  doctorsWithoutSnils: z.coerce.number().min(0).max(1).default(0),
  horizonDays: z.coerce.number().int().min(1).max(60).default(14),
  startDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
    .default(() => todayIn('Europe/Moscow')),
  initialBookedShare: z.coerce.number().min(0).max(1).default(0.3),
  /** Basic-auth login and password of the dumps (HTTP and SFTP) and of booking. */
  login: z.string().min(1).max(64).default('medbus'),
  password: z.string().min(8).max(128).default('xmldump-password'),
  adminToken: z.string().min(8).default('xmldumpsim-admin-token'),
  /** Directory the dumps are written to; a fresh temporary directory when not given. */
  dumpDir: z.string().min(1).optional(),
  /** Seconds between partial dumps (written only when something changed); 0 = only on `POST /admin/dump`. */
  partialInterval: z.coerce.number().min(0).max(86_400).default(60),
  /** A private host key file (OpenSSH or PEM) for the SFTP server; a fresh ed25519 key when not given. */
  hostKey: z.string().min(1).optional(),
  walkinRate: z.coerce.number().min(0).max(100).default(0),
  cancelRate: z.coerce.number().min(0).max(100).default(0),
  sickPerDay: z.coerce.number().min(0).max(100).default(0),
  /** Seconds of wall time per simulated day; 0 means days advance only through /admin/advance-day. */
  dayLength: z.coerce.number().min(0).default(0),
  latencyMs: z.coerce.number().int().min(0).max(120_000).default(0),
  errorRate: z.coerce.number().min(0).max(1).default(0),
  outage: flag.default(false),
  /** Largest booking message accepted, in bytes. */
  maxBodyBytes: z.coerce.number().int().min(1024).default(64 * 1024),
  logRequests: flag.default(true),
});

export type XmlDumpConfig = z.infer<typeof schema>;
export type XmlDumpOverrides = Partial<z.input<typeof schema>>;

/**
 * The simulator's configuration from `--kebab-case value` arguments, then `XMLDUMPSIM_*`
 * environment variables, then defaults; validated, failing with the names of the bad options.
 */
export function loadXmlDumpConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: XmlDumpOverrides = {}): XmlDumpConfig {
  return loadSimulatorOptions(schema, argv, env, overrides, { envPrefix: 'XMLDUMPSIM', simulator: 'XMLDump simulator' });
}
