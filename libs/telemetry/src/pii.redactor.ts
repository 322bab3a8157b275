import { REDACTED, classifyKey, piiPatterns, sqlTextKeys } from './pii.patterns';

const maxDepth = 12;
const maxEmbeddedJson = 1_000_000;

/**
 * A deep copy of `value` with patient data replaced by `[REDACTED]`: by key (`snils`,
 * `birthDate`, anything about a `patient` but its id, credentials) and by the shape of
 * strings (СНИЛС, ЕНП, phones, e-mail), including inside URLs, JSON and XML held in
 * strings. Errors become plain objects with their message, stack and cause redacted.
 *
 * This is the one redaction layer: spans (RedactingSpanProcessor), logs (RedactingLogger)
 * and Kafka header or payload logging all go through it.
 */
export function redact(value: unknown): unknown {
  return redactAt(value, { patient: false, keepLeaves: true }, new Set(), 0);
}

/**
 * `redact` for one keyed value: the key decides as much as the value
 * (`redactEntry('birthDate', '1980-01-02')` is `[REDACTED]`; `redactEntry('visitStart', …)` is kept).
 */
export function redactEntry(key: string, value: unknown): unknown {
  return entry(key, value, { patient: false, keepLeaves: true }, new Set(), 0);
}

/** A string with every recognisable patient identifier replaced. */
export function redactText(text: string): string {
  return redactString(text, 0);
}

/** SQL with every string literal replaced: `where snils = '[REDACTED]'`. */
export function redactSql(sql: string): string {
  return redactText(sql.replace(/'(?:[^']|'')*'/g, `'${REDACTED}'`));
}

interface Scope {
  readonly patient: boolean;
  // False inside something about a patient, unless the key names an identifier.
  readonly keepLeaves: boolean;
}

function entry(key: string, value: unknown, parent: Scope, seen: Set<object>, depth: number): unknown {
  const verdict = classifyKey(key);
  if (verdict.sensitive) return REDACTED;
  const patient = parent.patient || verdict.patient;
  const scope: Scope = { patient, keepLeaves: !patient || verdict.identifier };
  if (typeof value === 'string' && sqlTextKeys.has(key)) return scope.keepLeaves ? redactSql(value) : REDACTED;
  return redactAt(value, scope, seen, depth);
}

function redactAt(value: unknown, scope: Scope, seen: Set<object>, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return scope.keepLeaves ? redactString(value, depth) : REDACTED;
    case 'number':
    case 'bigint':
      return scope.keepLeaves && !looksLikeIdentifierNumber(value) ? value : REDACTED;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
    case 'object':
      return value === null ? null : redactObject(value, scope, seen, depth);
    default:
      return value;
  }
}

function redactObject(value: object, scope: Scope, seen: Set<object>, depth: number): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (ArrayBuffer.isView(value)) return `[binary ${value.byteLength} bytes]`;
  if (seen.has(value)) return '[Circular]';
  if (depth >= maxDepth) return '[Truncated]';
  seen.add(value);
  try {
    if (Array.isArray(value) || value instanceof Set) {
      return Array.from(value, (item: unknown) => redactAt(item, scope, seen, depth + 1));
    }
    const entries = value instanceof Map ? Array.from(value, ([key, item]: [unknown, unknown]) => [String(key), item] as const) : Object.entries(value);
    const result: Record<string, unknown> = {};
    if (value instanceof Error) {
      result['name'] = value.name;
      result['message'] = redactAt(value.message, scope, seen, depth + 1);
    }
    for (const [key, item] of entries) result[key] = entry(key, item, scope, seen, depth + 1);
    if (value instanceof Error) {
      if (value.stack !== undefined) result['stack'] = redactAt(value.stack, scope, seen, depth + 1);
      if (value.cause !== undefined) result['cause'] = redactAt(value.cause, scope, seen, depth + 1);
    }
    return result;
  } finally {
    seen.delete(value);
  }
}

// СНИЛС, phone (11 digits) or ЕНП (16) held as a number.
function looksLikeIdentifierNumber(value: number | bigint): boolean {
  const digits = typeof value === 'bigint' ? value.toString() : Number.isInteger(value) ? String(value) : '';
  return /^\d{11}$|^\d{16}$/.test(digits);
}

function redactString(text: string, depth: number): string {
  const embedded = redactEmbeddedJson(text, depth);
  if (embedded !== undefined) return embedded;
  return redactShapes(redactXmlElements(redactQueryParameters(text)));
}

// A raw payload logged as a JSON string is redacted as data, so its keys count too.
function redactEmbeddedJson(text: string, depth: number): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length > maxEmbeddedJson || !/^[[{]/.test(trimmed)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  return JSON.stringify(redactAt(parsed, { patient: false, keepLeaves: true }, new Set(), depth + 1));
}

// `?phone=…&lastName=…` in URLs: the parameter name says what the value is.
function redactQueryParameters(text: string): string {
  return text.replace(/([?&;]([^=&#\s?]+)=)([^&#\s]*)/g, (match: string, prefix: string, name: string) =>
    keyHidesLeaf(safeDecode(name)) ? `${prefix}${REDACTED}` : match,
  );
}

// `<Surname>…</Surname>` in SOAP payloads. Only leaf elements with a telling name are
// recognised: a bare `<Name>` inside `<pat>` is not, and only the shape patterns guard it.
function redactXmlElements(text: string): string {
  if (!text.includes('</')) return text;
  return text.replace(
    /<((?:[\w.-]+:)?([\w.-]+))(\s[^<>]*)?>([^<]*)<\/\1>/g,
    (match: string, tag: string, local: string, attributes: string | undefined) =>
      keyHidesLeaf(local) ? `<${tag}${attributes ?? ''}>${REDACTED}</${tag}>` : match,
  );
}

function keyHidesLeaf(key: string): boolean {
  const verdict = classifyKey(key);
  return verdict.sensitive || (verdict.patient && !verdict.identifier);
}

function redactShapes(text: string): string {
  let result = text;
  for (const pattern of Object.values(piiPatterns)) result = result.replace(pattern, REDACTED);
  return result;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
