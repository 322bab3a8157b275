import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { readBodyUpTo } from '@medbus/hubservice';
import type { Faults } from '../clinic/admin.controller';
import type { ChangeTracker } from './change.tracker';
import { apiBase, matchRoute, type ApiAnswer, type ApiRoute } from './medrest.controller';
import { fingerprintOf, type IdempotencyStore } from './idempotency.store';
import { problemOf, ProblemError } from './problem.errors';
import type { RateLimiter } from './rate.limiter';

export const malformedModes = ['none', 'broken-json', 'wrong-types', 'huge', 'html'] as const;
export type Malformed = (typeof malformedModes)[number];

/** Size of the `huge` hostile response. */
export const hugeResponseBytes = 32 * 1024 * 1024;

export type Log = (line: Record<string, unknown>) => void;

export interface EndpointOptions {
  readonly apiKeys: readonly string[];
  readonly maxBodyBytes: number;
  readonly faults: Faults;
  readonly limiter: RateLimiter;
  readonly idempotency: IdempotencyStore;
  readonly tracker: ChangeTracker;
  readonly log: Log;
  readonly random?: () => number;
}

const jsonType = 'application/json; charset=utf-8';
const problemType = 'application/problem+json; charset=utf-8';

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendProblem(res: ServerResponse, error: ProblemError): void {
  send(res, error.status, problemType, JSON.stringify(problemOf(error.code, error.detail, error.extensions)), error.headers);
}

const etagOf = (body: string): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//, '');
    return value === '*' || value === etag;
  });
}

const isoDateTime = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isoDay = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `wrong-types`: numbers as strings, booleans as Y/N, dates as `dd.mm.yyyy HH:MM`, null as "", a list of one as its item. */
export function garbled(value: unknown): unknown {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  if (typeof value === 'string') {
    const time = isoDateTime.exec(value);
    if (time) return `${time[3]}.${time[2]}.${time[1]} ${time[4]}:${time[5]}`;
    const day = isoDay.exec(value);
    return day ? `${day[3]}.${day[2]}.${day[1]}` : value;
  }
  if (Array.isArray(value)) return value.length === 1 ? garbled(value[0]) : value.map(garbled);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, garbled(v)]));
  return value;
}

/**
 * The HTTP side of MedREST: outage, API key, rate limit, injected latency and errors, the bounded
 * JSON body, idempotency keys, ETags, lost answers and hostile answers, one log line per request.
 */
export class MedRestEndpoint {
  private readonly keys: readonly Buffer[];

  constructor(
    private readonly routes: readonly ApiRoute[],
    private readonly options: EndpointOptions,
  ) {
    this.keys = options.apiKeys.map((k) => Buffer.from(k));
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const started = Date.now();
    const given = String(req.headers['x-request-id'] ?? '');
    const requestId = /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    // Route names and problem codes only: never paths with ids, queries or bodies (patient data).
    const line: Record<string, unknown> = { msg: 'request', method: req.method, route: null, requestId };
    try {
      await this.serve(req, res, url, line);
    } catch (error) {
      const problem = error instanceof ProblemError ? error : new ProblemError('internal_error', 'The request could not be processed.');
      if (!(error instanceof ProblemError)) line['error'] = error instanceof Error ? error.name : 'unknown';
      line['status'] = problem.status;
      line['code'] = problem.code;
      if (!res.headersSent) sendProblem(res, problem);
      else res.destroy();
    } finally {
      line['ms'] = Date.now() - started;
      this.options.log(line);
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL, line: Record<string, unknown>): Promise<void> {
    const { faults } = this.options;
    if (faults.outage) throw new ProblemError('service_unavailable', 'The MIS is down for maintenance.', {}, { 'retry-after': '30' });
    const apiKey = this.apiKeyOf(req);
    if (apiKey === undefined) throw new ProblemError('unauthorized', 'Send a valid API key in the X-Api-Key header.', {}, { 'www-authenticate': 'ApiKey header="X-Api-Key"' });
    const allowance = this.options.limiter.take(apiKey);
    if (!allowance.ok) {
      throw new ProblemError('rate_limited', 'Too many requests for this API key.', { retry_after: allowance.retryAfterSeconds }, { 'retry-after': String(allowance.retryAfterSeconds) });
    }
    const method = req.method ?? 'GET';
    const path = url.pathname.slice(apiBase.length);
    const { route, params } = matchRoute(this.routes, method, path);
    line['route'] = `${route.method} ${apiBase}${route.name}`;
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults.errorRate > 0 && (this.options.random ?? Math.random)() < faults.errorRate) {
      line['injected'] = 'error';
      throw new ProblemError('internal_error', 'An unexpected error occurred.');
    }
    const raw = method === 'POST' ? await readBodyUpTo(req, this.options.maxBodyBytes) : Buffer.alloc(0);
    if (raw === undefined) throw new ProblemError('payload_too_large', `The body exceeds ${this.options.maxBodyBytes} bytes.`, {}, { connection: 'close' });
    const body = this.bodyOf(req, raw);

    const key = method === 'POST' ? req.headers['idempotency-key'] : undefined;
    if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key))) {
      throw new ProblemError('validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', { errors: [{ field: 'Idempotency-Key', message: 'format' }] });
    }
    const fingerprint = fingerprintOf(method, path, raw);
    const stored = key === undefined ? undefined : this.options.idempotency.get(apiKey, key);
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw new ProblemError('idempotency_key_reused', 'This Idempotency-Key was used with another request.');
      line['status'] = stored.status;
      line['replayed'] = true;
      send(res, stored.status, stored.status >= 400 ? problemType : jsonType, stored.body, { ...stored.headers, 'idempotent-replayed': 'true' });
      return;
    }

    this.options.tracker.sync();
    const answer = this.answerOf(route, params, url.searchParams, body, line);
    this.options.tracker.sync();
    const text = JSON.stringify(answer.body);
    if (key !== undefined) this.options.idempotency.put(apiKey, key, { fingerprint, status: answer.status, body: text, headers: answer.headers ?? {} });
    line['status'] = answer.status;

    if (route.changes && faults.dropAnswers > 0) {
      faults.dropAnswers -= 1;
      line['injected'] = 'answer-dropped';
      req.socket.destroy();
      return;
    }
    if (answer.status >= 400) return send(res, answer.status, problemType, text, answer.headers);
    const etag = method === 'GET' && answer.status === 200 ? etagOf(text) : undefined;
    const headers = { ...answer.headers, ...(etag ? { etag, 'cache-control': 'private, no-cache' } : {}) };
    if (etag && matchesEtag(req.headers['if-none-match'], etag)) {
      line['status'] = 304;
      res.writeHead(304, headers).end();
      return;
    }
    const mode = faults.malformed as Malformed;
    if (mode !== 'none') line['injected'] = mode;
    this.write(res, mode, answer.status, text, headers);
  }

  private answerOf(route: ApiRoute, params: readonly string[], query: URLSearchParams, body: unknown, line: Record<string, unknown>): ApiAnswer {
    try {
      return route.handle(params, query, body);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      line['code'] = error.code;
      return { status: error.status, body: problemOf(error.code, error.detail, error.extensions), headers: error.headers };
    }
  }

  private bodyOf(req: IncomingMessage, raw: Buffer): unknown {
    if (raw.length === 0) return {};
    if (!/^application\/([a-z.+-]*\+)?json\s*(;|$)/i.test(String(req.headers['content-type'] ?? ''))) {
      throw new ProblemError('unsupported_media_type', 'Send the body as application/json.');
    }
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ProblemError('validation_failed', 'The body is not JSON.', { errors: [{ field: '(body)', message: 'not JSON' }] });
    }
  }

  private apiKeyOf(req: IncomingMessage): string | undefined {
    const given = Buffer.from(String(req.headers['x-api-key'] ?? ''));
    const match = this.keys.find((key) => key.length === given.length && timingSafeEqual(key, given));
    return match?.toString();
  }

  /** A 2xx answer as it is, or garbled the configured way so a client's defences can be tested. */
  private write(res: ServerResponse, mode: Malformed, status: number, text: string, headers: Readonly<Record<string, string>>): void {
    switch (mode) {
      case 'none':
        return send(res, status, jsonType, text, headers);
      case 'broken-json':
        return send(res, status, jsonType, text.slice(0, Math.floor(text.length * 0.6)), headers);
      case 'wrong-types':
        return send(res, status, jsonType, JSON.stringify(garbled(JSON.parse(text))), headers);
      case 'html':
        return send(res, 200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><head><title>Вход в систему</title></head><body><form method="post" action="/sso/login"><input name="login"><input name="password" type="password"></form></body></html>');
      case 'huge': {
        res.writeHead(status, { 'content-type': jsonType });
        const chunk = 'x'.repeat(64 * 1024);
        let written = 0;
        const pump = (): void => {
          while (written < hugeResponseBytes) {
            written += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end('"}],"next_cursor":null}');
        };
        res.on('close', () => (written = hugeResponseBytes));
        res.write('{"data":[{"id":"');
        pump();
        return;
      }
      default:
        mode satisfies never;
    }
  }
}
