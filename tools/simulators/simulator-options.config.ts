import { z } from 'zod';

/** A switch given as `--name`, `--name true|1|on` or an environment variable of those values. */
export const flag = z
  .union([z.boolean(), z.string()])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'on');

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * A simulator's configuration from `--kebab-case value` (or `--name=value`) arguments, then
 * `<envPrefix>_UPPER_SNAKE` environment variables, then the schema's defaults; `overrides` (tests) win.
 * Validated, failing with the names of the bad options and never echoing a value.
 */
export function loadSimulatorOptions<S extends z.AnyZodObject>(
  schema: S,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  overrides: Partial<z.input<S>>,
  naming: { readonly envPrefix: string; readonly simulator: string },
): z.output<S> {
  const keys = Object.keys(schema.shape);
  const envName = (key: string) => `${naming.envPrefix}_${kebab(key).replace(/-/g, '_').toUpperCase()}`;
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
    throw new Error(`invalid ${naming.simulator} configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
