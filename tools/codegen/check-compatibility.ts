import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import avro from 'avsc';
import { loadSchemaCatalog, SchemaValidationError, stableStringify, type EventSchema } from './schema-catalog';

/**
 * Checks every schema in schemas/avro against the latest version of its subject in a
 * Confluent-compatible registry (Apicurio's ccompat API or Confluent's) under BACKWARD
 * compatibility, and registers them only when all of them pass: one incompatible schema
 * means nothing is registered.
 *
 * Registries differ on the edges, so nothing here relies on them: Apicurio applies
 * compatibility only where a rule is configured (its own default is none), approves any
 * schema for a subject that does not exist yet, and explains no refusal; Confluent answers
 * 404 (40401) for an unknown subject. Hence: a subject without versions is new and counts as
 * compatible; an existing subject gets BACKWARD before it is tested; a new one gets it right
 * after registration, so a check-only run leaves nothing behind; reasons come from avsc.
 */

const COMPATIBILITY = 'BACKWARD';
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const REPO_ROOT = resolve(__dirname, '..', '..');

export interface CheckOptions {
  /** Register the schemas when all are compatible; when false, only check. */
  readonly register: boolean;
  /** Per HTTP request; 10 s unless told. */
  readonly timeoutMs?: number;
}

export type SubjectState =
  /** The subject has no versions yet. */
  | 'new'
  /** The latest version is this very schema. */
  | 'unchanged'
  | 'compatible'
  | 'incompatible';

export interface SubjectCheck {
  readonly subject: string;
  /** Schema file relative to the schemas folder. */
  readonly file: string;
  readonly state: SubjectState;
  /** Why the registry refused the schema, as far as it says. */
  readonly reasons: readonly string[];
  /** Registry id of the schema, when it was registered by this run. */
  readonly registeredId?: number;
}

export interface CompatibilityReport {
  /** True when no subject is incompatible. */
  readonly compatible: boolean;
  /** Whether schemas were registered (only when asked to and all were compatible). */
  readonly registered: boolean;
  /** Sorted by subject. */
  readonly subjects: readonly SubjectCheck[];
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegistryError';
  }
}

/**
 * Tests every schema under `schemasDir` for BACKWARD compatibility with the latest version of
 * its subject and, when `register` is set and all pass, registers them all.
 */
export async function checkAndRegisterSchemas(
  registryUrl: string,
  schemasDir: string,
  options: CheckOptions,
): Promise<CompatibilityReport> {
  const catalog = loadSchemaCatalog(schemasDir);
  const registry = new RegistryClient(registryUrl, options.timeoutMs ?? 10_000);

  const checks: SubjectCheck[] = [];
  for (const event of catalog.events) checks.push(await checkSubject(registry, event));
  checks.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));

  const compatible = checks.every((check) => check.state !== 'incompatible');
  if (!compatible || !options.register) return { compatible, registered: false, subjects: checks };

  const bySubject = new Map(catalog.events.map((event) => [event.subject, event]));
  const registered: SubjectCheck[] = [];
  for (const check of checks) {
    const event = bySubject.get(check.subject);
    let registeredId: number | undefined;
    if (event && check.state !== 'unchanged') {
      const path = `/subjects/${encodeURIComponent(check.subject)}/versions`;
      registeredId = (await registry.request<{ id: number }>('POST', path, schemaBody(event))).id;
    }
    // Compatible subjects got BACKWARD before their test; new ones exist only now, and
    // unchanged ones may have been registered by a producer that set nothing.
    if (check.state !== 'compatible') await registry.setCompatibility(check.subject);
    registered.push(registeredId === undefined ? check : { ...check, registeredId });
  }
  return { compatible, registered: true, subjects: registered };
}

async function checkSubject(registry: RegistryClient, event: EventSchema): Promise<SubjectCheck> {
  const base = { subject: event.subject, file: event.file, reasons: [] };
  const subjectPath = `/subjects/${encodeURIComponent(event.subject)}`;
  const latest = await registry.request<{ schema: string; version: number }>('GET', `${subjectPath}/versions/latest`, undefined, { notFound: true });
  if (latest === undefined) return { ...base, state: 'new' };
  if (sameSchema(latest.schema, event)) return { ...base, state: 'unchanged' };

  await registry.setCompatibility(event.subject);
  const result = await registry.request<{ is_compatible: boolean; messages?: unknown }>(
    'POST',
    `/compatibility${subjectPath}/versions/latest?verbose=true`,
    schemaBody(event),
    { notFound: true },
  );
  if (result === undefined) return { ...base, state: 'new' };
  if (result.is_compatible) return { ...base, state: 'compatible' };
  return { ...base, state: 'incompatible', reasons: reasonsOf(result.messages, latest, event) };
}

/** The schema text the registry stores: the same JSON the libraries register (`JSON.stringify(schema)`). */
function schemaBody(event: EventSchema): { schema: string; schemaType: 'AVRO' } {
  return { schema: JSON.stringify(event.schema), schemaType: 'AVRO' };
}

function sameSchema(registered: string, event: EventSchema): boolean {
  try {
    const normalise = (schema: unknown) => stableStringify(withoutRedundantNamespaces(schema, ''));
    return normalise(JSON.parse(registered)) === normalise(event.schema);
  } catch {
    return false;
  }
}

/** Apicurio returns schemas without namespaces that only repeat the enclosing one; so does this. */
function withoutRedundantNamespaces(schema: unknown, enclosing: string): unknown {
  if (Array.isArray(schema)) return schema.map((branch) => withoutRedundantNamespaces(branch, enclosing));
  if (typeof schema !== 'object' || schema === null) return schema;
  const { namespace, ...rest } = schema as Record<string, unknown>;
  const name = rest['name'];
  const named = typeof name === 'string' && ['record', 'error', 'enum', 'fixed'].includes(String(rest['type']));
  let own = enclosing;
  if (named) own = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : typeof namespace === 'string' ? namespace : enclosing;
  const result: Record<string, unknown> = named && own !== enclosing && !name.includes('.') ? { namespace: own } : {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'fields' && Array.isArray(value)) {
      result[key] = value.map((field: Record<string, unknown>) => ({ ...field, type: withoutRedundantNamespaces(field['type'], own) }));
    } else {
      result[key] = key === 'type' || key === 'items' || key === 'values' ? withoutRedundantNamespaces(value, own) : value;
    }
  }
  return result;
}

function reasonsOf(messages: unknown, latest: { schema: string; version: number }, event: EventSchema): string[] {
  const list = Array.isArray(messages) ? messages : messages === undefined ? [] : [messages];
  const reasons = list.map((message) => (typeof message === 'string' ? message : JSON.stringify(message)));
  try {
    const writer = avro.Type.forSchema(JSON.parse(latest.schema) as avro.Schema);
    avro.Type.forSchema(event.schema as avro.Schema).createResolver(writer);
  } catch (error) {
    reasons.push(`a reader with this schema cannot read what version ${latest.version} wrote: ${(error as Error).message}`);
  }
  return reasons.length > 0 ? reasons : ['the registry gave no reason'];
}

class RegistryClient {
  private readonly baseUrl: string;

  constructor(
    registryUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.baseUrl = registryUrl.replace(/\/+$/, '');
  }

  setCompatibility(subject: string): Promise<unknown> {
    return this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: COMPATIBILITY });
  }

  /** With `notFound`, a 404 answers undefined instead of throwing. */
  async request<T>(method: string, path: string, body?: unknown, options: { notFound?: boolean } = {}): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: CONTENT_TYPE, ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new RegistryError(`${method} ${url} failed: ${(cause as Error).message}`, undefined, { cause });
    }
    const text = await response.text();
    if (response.status === 404 && options.notFound) return undefined as T;
    if (!response.ok) {
      throw new RegistryError(`${method} ${url} answered ${response.status}: ${text.slice(0, 500)}`, response.status);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }
}

/** SCHEMA_REGISTRY_URL from the environment, else from the .medbus/stack.env that `npm run stack:up` writes. */
export function registryUrlFromEnvironment(env: NodeJS.ProcessEnv = process.env, root = REPO_ROOT): string | undefined {
  if (env['SCHEMA_REGISTRY_URL']) return env['SCHEMA_REGISTRY_URL'];
  const stackEnv = join(root, '.medbus', 'stack.env');
  if (!existsSync(stackEnv)) return undefined;
  for (const line of readFileSync(stackEnv, 'utf8').split('\n')) {
    const match = /^SCHEMA_REGISTRY_URL=(.*)$/.exec(line.trim());
    if (match) return match[1].replace(/^(['"])(.*)\1$/, '$2');
  }
  return undefined;
}

async function main(argv: readonly string[]): Promise<number> {
  const register = !argv.includes('--no-register');
  const registryUrl = registryUrlFromEnvironment();
  if (!registryUrl) {
    console.error('No schema registry: set SCHEMA_REGISTRY_URL or start the stack (`npm run stack:up`) so .medbus/stack.env names it.');
    return 1;
  }
  let report: CompatibilityReport;
  try {
    report = await checkAndRegisterSchemas(registryUrl, join(REPO_ROOT, 'schemas', 'avro'), { register });
  } catch (error) {
    if (error instanceof SchemaValidationError || error instanceof RegistryError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  for (const check of report.subjects) {
    const id = check.registeredId === undefined ? '' : ` (registered as id ${check.registeredId})`;
    console.log(`${check.state.padEnd(12)} ${check.subject}${id}`);
    for (const reason of check.reasons) console.log(`             ${reason}`);
  }
  if (!report.compatible) {
    const refused = report.subjects.filter((check) => check.state === 'incompatible');
    console.error(`\n${refused.length} schema(s) would break ${COMPATIBILITY} compatibility; nothing was registered:`);
    for (const check of refused) console.error(`  ${check.subject} (schemas/avro/${check.file})`);
    console.error('Give new fields a default, keep removed fields\' defaults, and never change a field\'s type.');
    return 1;
  }
  console.log(register ? `\nAll ${report.subjects.length} schemas are ${COMPATIBILITY} compatible and registered at ${registryUrl}.` : `\nAll ${report.subjects.length} schemas are ${COMPATIBILITY} compatible (not registered: --no-register).`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
