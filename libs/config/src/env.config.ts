import { z } from 'zod';
import { ConfigError } from './config.errors';

/** The process environment, or a stand-in for it in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment with `schema` and returns the typed configuration, or throws a
 * ConfigError that names every missing or invalid variable at once
 * (`Invalid configuration: KAFKA_BROKERS is required; HTTP_PORT must be a number`).
 *
 * A variable set to an empty string counts as missing: `KAFKA_CLIENT_ID=` in an env file
 * is a forgotten value, not a deliberate empty one. Custom messages in schemas should read
 * after the variable name (`'must be a number'`).
 *
 * @example const config = loadConfig(kafkaConfigSchema.merge(httpConfigSchema));
 */
export function loadConfig<S extends z.ZodTypeAny>(schema: S, env: Env = process.env): z.output<S> {
  const result = schema.safeParse(withoutEmptyValues(env));
  if (result.success) return result.data;
  const issues = result.error.issues;
  const problems = [...new Set(issues.map(describeIssue))];
  const variables = [...new Set(issues.map((issue) => issue.path.join('.')).filter((name) => name !== ''))];
  throw new ConfigError(problems, variables);
}

function withoutEmptyValues(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}

function describeIssue(issue: z.ZodIssue): string {
  const variable = issue.path.join('.');
  // A rule across variables (a refine on the whole object) words its own message.
  return variable === '' ? issue.message : `${variable} ${phraseOf(issue)}`;
}

function phraseOf(issue: z.ZodIssue): string {
  if (issue.code === z.ZodIssueCode.invalid_type && issue.received === z.ZodParsedType.undefined) return 'is required';
  // zod's own enum message repeats the received value, which may be a secret.
  if (issue.code === z.ZodIssueCode.invalid_enum_value) return `must be one of ${issue.options.join(', ')}`;
  if (/^(must|is) /.test(issue.message)) return issue.message;
  return `is invalid (${issue.message})`;
}

/** A comma-separated list (`a:9092, b:9092`) as trimmed non-empty items; at least one. */
export function envList(): z.ZodType<string[], z.ZodTypeDef, string> {
  return z.string().transform((value, ctx) => {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (items.length === 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must list at least one value', fatal: true });
      return z.NEVER;
    }
    return items;
  });
}

/** A comma-separated list that may be empty or unset (then `[]`). */
export function envOptionalList(): z.ZodType<string[], z.ZodTypeDef, string | undefined> {
  return z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    );
}

/** A whole number written in decimal digits. */
export function envInt(): z.ZodType<number, z.ZodTypeDef, string> {
  return z
    .string()
    .regex(/^\d+$/, 'must be a number')
    .transform((value) => Number(value));
}

/** A TCP port, 1 to 65535. */
export function envPort(): z.ZodType<number, z.ZodTypeDef, string> {
  return envInt().refine((port) => port >= 1 && port <= 65_535, 'must be a port between 1 and 65535');
}

/** `true`/`false` (also `1`/`0`, any case). */
export function envBoolean(): z.ZodType<boolean, z.ZodTypeDef, string> {
  return z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .refine((value) => ['true', 'false', '1', '0'].includes(value), 'must be true or false')
    .transform((value) => value === 'true' || value === '1');
}

/** An absolute URL whose scheme is one of `protocols` (without the colon). */
export function envUrl(protocols: readonly string[] = ['http', 'https']): z.ZodType<string, z.ZodTypeDef, string> {
  const expected = protocols.map((protocol) => `${protocol}://`).join(' or ');
  return z.string().refine((value) => protocols.includes(protocolOf(value) ?? ''), `must be a ${expected} URL`);
}

function protocolOf(value: string): string | undefined {
  try {
    return new URL(value).protocol.slice(0, -1);
  } catch {
    return undefined;
  }
}
