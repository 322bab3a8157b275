import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The hostile corpus: requests an attacker would send, kept as data (one JSON file per class in this
 * folder), each with the status and stable error code it must be answered with.
 */

/** Which HTTP surface a case is sent to. */
export type Target = 'booking' | 'adapterPatients' | 'adapterNotifications' | 'exporter' | 'contactCentre';

/**
 * Whose key a case sends. `operator`: the target's default caller (booking: the region's operator; the
 * exporter: the federal concentrator; the contact centre: the head centre's operator). The others are the
 * contact centre's staff and callers it does not admit: `portal` (a patient portal's key) and
 * `contactCentreService` (the service's own key at booking).
 */
export type CredentialKind =
  | 'operator'
  | 'adapter'
  | 'sochiOperator'
  | 'secondLine'
  | 'headSupervisor'
  | 'sochiSupervisor'
  | 'portal'
  | 'contactCentreService';

export type Credentials = Readonly<{ operator: string; adapter: string } & Partial<Record<CredentialKind, string>>>;

export interface HostileRequest {
  readonly target?: Target;
  readonly method: string;
  readonly path: string;
  /** Header values; `{{…}}` placeholders are filled in. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Whose key is sent as `Authorization: Bearer` (CredentialKind; default `operator`, `adapter` for the adapter's patients), or `none`. */
  readonly auth?: CredentialKind | 'none';
  /** Sent as JSON (`content-type: application/json` unless headers say otherwise). */
  readonly json?: unknown;
  /** Sent as is (UTF-8). */
  readonly body?: string;
  /** `body` with its `{{pad}}` replaced by `unit` repeated `times` times (large bodies stay small in the file). */
  readonly pad?: { readonly unit: string; readonly times: number };
  /** The whole request written to the socket as is (`\r\n` line ends), for what an HTTP client refuses to send. */
  readonly raw?: string;
}

export interface HostileExpectation {
  readonly status: number;
  /** `error.code` of a JSON answer (or `code` of the adapter's), the ErrorCode of a SOAP fault's detail; `null`: none expected (Node's own 400). */
  readonly code: string | null;
  /** Texts the answer's body must contain / must not contain. */
  readonly bodyIncludes?: readonly string[];
  readonly bodyExcludes?: readonly string[];
  /** Headers the answer must not carry. */
  readonly headersAbsent?: readonly string[];
}

export interface HostileCase {
  readonly name: string;
  readonly request: HostileRequest;
  readonly expect: HostileExpectation;
}

export interface HostileClass {
  readonly class: string;
  readonly description: string;
  readonly cases: readonly HostileCase[];
}

/** Every class file of the corpus except Avro (which is not HTTP), in name order. */
export function httpClasses(dir = __dirname): HostileClass[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json') && file !== 'avro.json')
    .sort()
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as HostileClass);
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** The stable error code found in the body, if any. */
  readonly code: string | null;
}

export type Placeholders = Readonly<Record<string, string>>;

export function fill(text: string, values: Placeholders): string {
  return text.replace(/\{\{(\w+)\}\}/g, (match, name: string) => {
    if (!(name in values)) throw new Error(`the corpus names an unknown placeholder ${match}`);
    return values[name];
  });
}

/** The stable error code of an answer: a JSON error body's, or the ErrorCode in a SOAP fault's detail. */
export function codeOf(body: string): string | null {
  const fault = /<ErrorCode[^>]*>([^<]+)<\/ErrorCode>/.exec(body);
  if (fault) return fault[1];
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown }; code?: unknown };
    const code = parsed.error?.code ?? parsed.code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

/** Sends one case to `port` and reads the whole answer. */
export function send(port: number, request: HostileRequest, values: Placeholders, credentials: Credentials): Promise<Answer> {
  if (request.raw !== undefined) return sendRaw(port, fill(request.raw, values));
  const headers: Record<string, string> = {};
  const auth = request.auth ?? (request.target === 'adapterPatients' ? 'adapter' : request.target === 'adapterNotifications' ? 'none' : 'operator');
  if (auth !== 'none') {
    const key = credentials[auth];
    if (key === undefined) throw new Error(`the corpus sends a ${auth} key, which this run has not issued`);
    headers['authorization'] = `Bearer ${key}`;
  }
  let body: Buffer | undefined;
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = Buffer.from(fill(JSON.stringify(request.json), values));
  } else if (request.body !== undefined) {
    const text = request.pad ? request.body.replace('{{pad}}', request.pad.unit.repeat(request.pad.times)) : request.body;
    body = Buffer.from(fill(text, values));
  }
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = fill(value, values);
  if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    // A connection of its own per case: a case never inherits what the last one left of a kept-alive socket.
    const req = httpRequest({ host: '127.0.0.1', port, method: request.method, path: fill(request.path, values), headers, timeout: 30_000, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, code: codeOf(text) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    // A server may answer (401, 413) and close before the whole body is written: the write then fails with
    // EPIPE or ECONNRESET while the answer is still being read, so such an error counts only if no answer came.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') return reject(error);
      setTimeout(() => (answered ? undefined : reject(error)), 2_000);
    });
    req.end(body);
  });
}

function sendRaw(port: number, raw: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer within 30 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = rest.join('\r\n\r\n');
      resolve({ status, headers, body, code: codeOf(body) });
    });
    socket.end(raw);
  });
}
