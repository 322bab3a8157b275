import { z } from 'zod';
import { flag, loadSimulatorOptions } from '../simulator-options.config';
import type { QueueSpec } from './pbx.model';

const share = z.coerce.number().min(0).max(1);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** `name:secret,...` → name → secret; throws on a malformed pair. */
export function parseUsers(value: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const pair of value.split(',')) {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) throw new Error('expected user:secret');
    users.set(pair.slice(0, colon).trim(), pair.slice(colon + 1));
  }
  return users;
}

/** `head:12,sochi:5` → queues with their operators logged in. */
export function parseQueues(value: string): QueueSpec[] {
  return value.split(',').map((pair) => {
    const match = /^([a-z0-9][a-z0-9_-]{0,39}):(\d{1,3})$/i.exec(pair.trim());
    if (!match) throw new Error('expected queue:operators');
    return { name: match[1] ?? '', operators: Number(match[2]) };
  });
}

const valid = (parse: (v: string) => unknown) => (value: string) => {
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
};

const schema = z.object({
  host: z.string().default('127.0.0.1'),
  amiPort: z.coerce.number().int().min(0).max(65535).default(5038),
  adminPort: z.coerce.number().int().min(0).max(65535).default(7721),
  /** `user:secret,...`: who may log in to AMI. */
  users: z.string().default('medbus:amisecret').refine(valid(parseUsers), 'expected user:secret pairs separated by commas'),
  adminToken: z.string().min(8).default('telsim-admin-token'),
  queues: z.string().default('head:12,sochi:5,novorossiysk:4').refine(valid(parseQueues), 'expected queue:operators pairs separated by commas'),
  callsPerDay: z.coerce.number().int().min(0).max(10_000_000).default(3000),
  speed: z.coerce.number().min(0.01).max(100_000).default(1),
  /** The simulated start instant (ISO with an offset); now when absent. */
  start: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'expected an ISO date-time').optional(),
  timeZone: z.string().refine((v) => Intl.supportedValuesOf('timeZone').includes(v) || v === 'UTC', 'expected an IANA time zone').default('Europe/Moscow'),
  seed: z.coerce.number().int().min(0).optional(),
  patienceMeanSeconds: z.coerce.number().min(1).default(90),
  talkMeanSeconds: z.coerce.number().min(5).default(180),
  wrapUpSeconds: z.coerce.number().min(0).default(5),
  ringNoAnswerShare: share.default(0.08),
  redialShare: share.default(0.3),
  redialMeanSeconds: z.coerce.number().min(1).default(300),
  pauseEverySeconds: z.coerce.number().min(0).default(7200),
  callerPoolSize: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
  originateRingSeconds: z.coerce.number().min(0).default(2),
  originateAnswered: share.default(0.7),
  originateNoAnswer: share.default(0.15),
  originateBusy: share.default(0.1),
  originateCongested: share.default(0.05),
  replayDay: day.optional(),
  replayCalls: z.coerce.number().int().min(0).max(1_000_000).optional(),
  replaySeed: z.coerce.number().int().min(0).default(1),
  /** Drops every AMI connection periodically (0: never). */
  dropEverySeconds: z.coerce.number().min(0).default(0),
  /** Live events: a connection with more unsent bytes than this is closed as a slow reader. */
  maxClientBufferBytes: z.coerce.number().int().min(64 * 1024).default(8 * 1024 * 1024),
  /** Replay: a connection that does not drain for this long is closed (the replay waits for it until then). */
  slowReaderTimeoutMs: z.coerce.number().int().min(100).default(30_000),
  logRequests: flag.default(true),
});

export type SimulatorConfig = z.infer<typeof schema>;
export type SimulatorOverrides = Partial<z.input<typeof schema>>;

/**
 * The simulator's configuration from `--kebab-case value` arguments, then `TELSIM_*` environment
 * variables (`--calls-per-day` ↔ `TELSIM_CALLS_PER_DAY`), then defaults; validated, failing with the
 * names of the bad options and never echoing a value.
 */
export function loadSimulatorConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: SimulatorOverrides = {}): SimulatorConfig {
  const config = loadSimulatorOptions(schema, argv, env, overrides, { envPrefix: 'TELSIM', simulator: 'telephony simulator' });
  if ((config.replayDay === undefined) !== (config.replayCalls === undefined)) throw new Error('invalid telephony simulator configuration: --replay-day and --replay-calls go together');
  return config;
}
