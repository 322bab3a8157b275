import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import avro from 'avsc';

/**
 * The Avro schemas under `schemas/avro`, read and checked against medbus's rules: every
 * record, enum and field documented, PascalCase names, enums with a default symbol, only
 * `["null", T]` unions, a namespace that matches the folder, and one topic per folder as
 * `topics.json` declares it. Both the contracts generator and the registry check start here.
 */

export type AvroSchema = string | AvroSchema[] | AvroObjectSchema;

export interface AvroObjectSchema {
  readonly type: AvroSchema;
  readonly name?: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields?: readonly AvroField[];
  readonly symbols?: readonly string[];
  readonly default?: unknown;
  readonly items?: AvroSchema;
  readonly values?: AvroSchema;
  readonly logicalType?: string;
  readonly size?: number;
}

export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  readonly doc?: string;
  readonly default?: unknown;
}

export interface TopicSpec {
  /** Kafka topic, `<owner>.<aggregate>`. */
  readonly name: string;
  /** Property of `Topics` in libs/contracts. */
  readonly constant: string;
  /** Folder under schemas/avro holding the topic's schemas, `<owner>/<aggregate>`. */
  readonly schemaDir: string;
  /** Avro namespace every top-level record in that folder must have. */
  readonly namespace: string;
  /** What the record key is. */
  readonly key: string;
  readonly doc: string;
}

export interface EventSchema {
  /** Record name, also the `event-type` header value. */
  readonly name: string;
  readonly fullName: string;
  readonly topic: TopicSpec;
  /** Registry subject, TopicRecordNameStrategy: `<topic>-<fullName>`. */
  readonly subject: string;
  /** Path of the .avsc file relative to the schemas folder, with `/` separators. */
  readonly file: string;
  readonly schema: AvroObjectSchema;
}

/** A named type (record, enum, fixed) as first defined in some schema file. */
export interface NamedType {
  readonly fullName: string;
  readonly name: string;
  readonly namespace: string;
  readonly schema: AvroObjectSchema;
  readonly file: string;
}

export interface SchemaCatalog {
  readonly schemasDir: string;
  /** Sorted by topic name. */
  readonly topics: readonly TopicSpec[];
  /** Sorted by record name. */
  readonly events: readonly EventSchema[];
  /** Every named type, keyed by full name. */
  readonly namedTypes: ReadonlyMap<string, NamedType>;
}

export class SchemaValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid Avro schemas:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SchemaValidationError';
  }
}

export const TOPICS_FILE = 'topics.json';
const NAMESPACE_ROOT = 'ru.medbus';
const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
/** Logical types the generator maps, and the Avro type each must annotate. */
export const SUPPORTED_LOGICAL_TYPES: Readonly<Record<string, string>> = {
  'timestamp-millis': 'long',
  date: 'int',
  uuid: 'string',
};
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
const ENUM_SYMBOL = /^[A-Z][A-Z0-9_]*$/;
const TOPIC_NAME = /^[a-z][a-z0-9]*\.[a-z][a-z0-9-]*$/;
const SCHEMA_DIR = /^[a-z][a-z0-9]*\/[a-z][a-z0-9]*$/;

/** Reads and validates every schema; throws SchemaValidationError listing all problems found. */
export function loadSchemaCatalog(schemasDir: string): SchemaCatalog {
  const problems: string[] = [];
  const topics = readTopics(schemasDir, problems);
  const topicsByDir = new Map(topics.map((topic) => [topic.schemaDir, topic]));
  const namedTypes = new Map<string, NamedType>();
  const events: EventSchema[] = [];
  const dirsWithSchemas = new Set<string>();

  for (const file of listSchemaFiles(schemasDir)) {
    const dir = file.split('/').slice(0, -1).join('/');
    dirsWithSchemas.add(dir);
    const topic = topicsByDir.get(dir);
    if (!topic) {
      problems.push(`${file}: folder ${dir || '.'} is not the schemaDir of any topic in ${TOPICS_FILE}`);
      continue;
    }
    const schema = readJson(join(schemasDir, file), file, problems);
    if (schema === undefined) continue;
    const event = checkEventSchema(file, schema, topic, namedTypes, problems);
    if (event) events.push(event);
  }

  const seen = new Map<string, string>();
  for (const event of events) {
    const other = seen.get(event.name);
    if (other) problems.push(`${event.file}: record name ${event.name} is also used by ${other}; event names must be unique`);
    seen.set(event.name, event.file);
  }
  for (const topic of topics) {
    if (!dirsWithSchemas.has(topic.schemaDir)) {
      problems.push(`${TOPICS_FILE}: topic ${topic.name} has no schemas in ${topic.schemaDir}`);
    }
  }
  if (problems.length > 0) throw new SchemaValidationError(problems);

  return {
    schemasDir,
    topics: [...topics].sort((a, b) => compare(a.name, b.name)),
    events: events.sort((a, b) => compare(a.name, b.name)),
    namedTypes,
  };
}

/** Code-unit order, so output does not depend on the machine's locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function readTopics(schemasDir: string, problems: string[]): TopicSpec[] {
  const raw = readJson(join(schemasDir, TOPICS_FILE), TOPICS_FILE, problems);
  if (raw === undefined) return [];
  const entries = isObject(raw) && Array.isArray(raw['topics']) ? raw['topics'] : undefined;
  if (!entries) {
    problems.push(`${TOPICS_FILE}: expected an object with a "topics" array`);
    return [];
  }
  const topics: TopicSpec[] = [];
  const unique = { name: new Set<string>(), constant: new Set<string>(), schemaDir: new Set<string>() };
  entries.forEach((entry: unknown, index: number) => {
    const where = `${TOPICS_FILE} topics[${index}]`;
    if (!isObject(entry)) {
      problems.push(`${where}: expected an object`);
      return;
    }
    const text = (key: string): string => {
      const value = entry[key];
      if (typeof value === 'string' && value.trim() !== '') return value;
      problems.push(`${where}: "${key}" must be a non-empty string`);
      return '';
    };
    const topic: TopicSpec = {
      name: text('name'),
      constant: text('constant'),
      schemaDir: text('schemaDir'),
      namespace: '',
      key: text('key'),
      doc: text('doc'),
    };
    if (topic.name && !TOPIC_NAME.test(topic.name)) {
      problems.push(`${where}: topic name "${topic.name}" must be <owner>.<aggregate> in lower case (kebab-case aggregate)`);
    }
    if (topic.constant && !CAMEL_CASE.test(topic.constant)) {
      problems.push(`${where}: constant "${topic.constant}" must be camelCase`);
    }
    if (topic.schemaDir && !SCHEMA_DIR.test(topic.schemaDir)) {
      problems.push(`${where}: schemaDir "${topic.schemaDir}" must be <owner>/<aggregate>, lower-case letters and digits`);
    }
    for (const key of ['name', 'constant', 'schemaDir'] as const) {
      if (topic[key] && unique[key].has(topic[key])) problems.push(`${where}: duplicate ${key} "${topic[key]}"`);
      unique[key].add(topic[key]);
    }
    topics.push({ ...topic, namespace: `${NAMESPACE_ROOT}.${topic.schemaDir.replace('/', '.')}` });
  });
  return topics;
}

function listSchemaFiles(schemasDir: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort(compare)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.avsc')) files.push(relative(schemasDir, path).split(sep).join('/'));
    }
  };
  if (existsSync(schemasDir)) walk(schemasDir);
  return files;
}

function readJson(path: string, label: string, problems: string[]): unknown {
  if (!existsSync(path)) {
    problems.push(`${label}: file not found`);
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    problems.push(`${label}: not valid JSON (${(error as Error).message})`);
    return undefined;
  }
}

function checkEventSchema(
  file: string,
  schema: unknown,
  topic: TopicSpec,
  namedTypes: Map<string, NamedType>,
  problems: string[],
): EventSchema | undefined {
  const before = problems.length;
  try {
    avro.Type.forSchema(schema as avro.Schema);
  } catch (error) {
    problems.push(`${file}: avsc rejects the schema: ${(error as Error).message}`);
    return undefined;
  }
  if (!isObject(schema) || schema['type'] !== 'record') {
    problems.push(`${file}: the top-level schema must be a record`);
    return undefined;
  }
  const record = schema as unknown as AvroObjectSchema;
  const expectedName = basename(file, '.avsc');
  if (record.name !== expectedName) {
    problems.push(`${file}: record name "${record.name}" must match the file name "${expectedName}"`);
  }
  const namespace = namespaceOf(record, '');
  if (namespace !== topic.namespace) {
    problems.push(
      `${file}: namespace "${namespace}" must be "${topic.namespace}" (ru.medbus.<owner>.<aggregate> of the folder)`,
    );
  }
  new SchemaWalker(file, namedTypes, problems).walk(record, namespace, record.name ?? expectedName);
  if (problems.length > before) return undefined;
  const fullName = `${namespace}.${record.name}`;
  return {
    name: expectedName,
    fullName,
    topic,
    subject: `${topic.name}-${fullName}`,
    file,
    schema: record,
  };
}

class SchemaWalker {
  constructor(
    private readonly file: string,
    private readonly namedTypes: Map<string, NamedType>,
    private readonly problems: string[],
  ) {}

  walk(schema: AvroSchema, namespace: string, path: string): void {
    if (typeof schema === 'string') return;
    if (Array.isArray(schema)) {
      if (schema.length !== 2 || schema[0] !== 'null' || schema[1] === 'null') {
        this.problem(path, 'unions must be ["null", T] (null first, so the field can default to null)');
        return;
      }
      this.walk(schema[1], namespace, path);
      return;
    }
    const type = schema.type;
    if (typeof type !== 'string') {
      this.walk(type, namespace, path);
      return;
    }
    if (schema.logicalType !== undefined) {
      const annotated = SUPPORTED_LOGICAL_TYPES[schema.logicalType];
      if (annotated === undefined) {
        this.problem(path, `logicalType "${schema.logicalType}" is not supported (use one of ${Object.keys(SUPPORTED_LOGICAL_TYPES).join(', ')})`);
      } else if (annotated !== type) {
        this.problem(path, `logicalType "${schema.logicalType}" must annotate "${annotated}", not "${type}"`);
      }
    }
    switch (type) {
      case 'record':
      case 'error':
        this.record(schema, namespace, path);
        return;
      case 'enum':
        this.enum(schema, namespace, path);
        return;
      case 'fixed':
        this.named(schema, namespace, path);
        return;
      case 'array':
        if (schema.items !== undefined) this.walk(schema.items, namespace, `${path}[]`);
        return;
      case 'map':
        if (schema.values !== undefined) this.walk(schema.values, namespace, `${path}{}`);
        return;
      default:
        if (!PRIMITIVES.has(type)) this.problem(path, `"type": "${type}" must not be a named type reference; write it as the field's type directly`);
    }
  }

  private record(schema: AvroObjectSchema, namespace: string, path: string): void {
    const own = this.named(schema, namespace, path);
    this.requireDoc(schema.doc, `${own.path} (record ${schema.name})`);
    for (const field of schema.fields ?? []) {
      const fieldPath = `${own.path}.${field.name}`;
      if (!CAMEL_CASE.test(field.name)) this.problem(fieldPath, 'field names must be camelCase');
      this.requireDoc(field.doc, `${fieldPath} (field)`);
      this.walk(field.type, own.namespace, fieldPath);
    }
  }

  private enum(schema: AvroObjectSchema, namespace: string, path: string): void {
    const own = this.named(schema, namespace, path);
    this.requireDoc(schema.doc, `${own.path} (enum ${schema.name})`);
    for (const symbol of schema.symbols ?? []) {
      if (!ENUM_SYMBOL.test(symbol)) this.problem(own.path, `enum symbol "${symbol}" must be UPPER_SNAKE_CASE`);
    }
    if (typeof schema.default !== 'string') {
      this.problem(own.path, `enum ${schema.name} needs a "default" symbol, which readers use for symbols added after them`);
    }
  }

  private named(schema: AvroObjectSchema, namespace: string, path: string): { namespace: string; path: string } {
    const name = schema.name ?? '';
    const own = namespaceOf(schema, namespace);
    const shortName = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
    if (!PASCAL_CASE.test(shortName)) this.problem(path, `name "${name}" must be PascalCase`);
    const fullName = own ? `${own}.${shortName}` : shortName;
    const existing = this.namedTypes.get(fullName);
    if (existing) {
      if (canonical(existing.schema, existing.namespace) !== canonical(schema, own)) {
        this.problem(path, `${fullName} differs from its definition in ${existing.file}; a named type used by several schemas must be identical in each`);
      }
    } else {
      for (const other of this.namedTypes.values()) {
        if (other.name === shortName) {
          this.problem(path, `${fullName} and ${other.fullName} (in ${other.file}) share the name ${shortName}, which must be unique across all schemas`);
        }
      }
      this.namedTypes.set(fullName, { fullName, name: shortName, namespace: own, schema, file: this.file });
    }
    return { namespace: own, path: shortName === path ? path : `${path}<${shortName}>` };
  }

  private requireDoc(doc: string | undefined, where: string): void {
    if (typeof doc !== 'string' || doc.trim() === '') this.problem(where, 'missing "doc"; every record, enum and field must say what it means');
  }

  private problem(path: string, message: string): void {
    this.problems.push(`${this.file}: ${path}: ${message}`);
  }
}

function namespaceOf(schema: AvroObjectSchema, enclosing: string): string {
  const name = schema.name ?? '';
  if (name.includes('.')) return name.slice(0, name.lastIndexOf('.'));
  return schema.namespace ?? enclosing;
}

/** JSON with sorted keys and the resolved namespace, to compare two definitions of a named type. */
function canonical(schema: AvroObjectSchema, namespace: string): string {
  return stableStringify({ ...schema, namespace });
}

export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort(compare);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${stableStringify(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
