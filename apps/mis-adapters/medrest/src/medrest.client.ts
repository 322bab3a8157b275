import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import {
  readResponseUpTo,
  MisCircuitOpenError,
  MisResponseRejectedError,
  MisResponseRejection,
  MisUnavailableError,
  withRetry,
  type BackoffOptions,
  type CircuitBreaker,
  type Clock,
  type RawPayloadArchive,
  type TokenBucket,
} from '@medbus/mis-adapter-kit';
import { patientOperations, problemSchema, redactedPatientAnswer, type MedRestProblem } from './medrest-response.mapper';

export interface MedRestClientOptions {
  /** `…/api/v2`, no trailing slash. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly clock: Clock;
  readonly breaker: CircuitBreaker;
  readonly limiter: TokenBucket;
  /** Attempts of a read (and of a write that carries an idempotency key and asks for it). */
  readonly retry: BackoffOptions;
  /** Longest wait a `429` with `Retry-After` is given before the call counts as failed. */
  readonly maxRateLimitWaitMs: number;
  readonly archive?: RawPayloadArchive;
  /** Called for every answer refused (counted and logged by the caller). */
  readonly onRejected?: (operation: string, reason: MisResponseRejection) => void;
  readonly onArchiveError?: (error: unknown) => void;
  readonly wait?: (ms: number) => Promise<unknown>;
}

/** What the MIS answered: the validated body, `304 Not Modified`, or a problem (4xx) as the MIS worded it. */
export type Answer<T> =
  | { readonly kind: 'ok'; readonly status: number; readonly value: T; readonly etag: string | null }
  | { readonly kind: 'not-modified' }
  | { readonly kind: 'problem'; readonly status: number; readonly problem: MedRestProblem };

/** An answer to a request that sent no ETag: never `not-modified`. */
export type Fresh<T> = Exclude<Answer<T>, { readonly kind: 'not-modified' }>;

export type Query = Readonly<Record<string, string | number | undefined>>;

interface Call {
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  readonly etag?: string;
  readonly idempotencyKey?: string;
}

type Exchange<T> = Answer<T> | { readonly kind: 'rate-limited'; readonly retryAfterMs: number };

/** Network failures that prove the request never reached the MIS. */
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/**
 * Statuses answered before the operation ran: MedREST's `503` (maintenance) and `429`, and a
 * proxy's `502`; a `500` may follow a change that was made (the README: retry writes with their key).
 */
const notProcessedStatuses = new Set([429, 502, 503]);

/**
 * Whether a failed call may nevertheless have changed something at the MIS: a timeout, a reset
 * connection, a lost or garbled answer may follow a booking that was made. An open circuit, a
 * refused connection, a 429 or a 503 prove it was not.
 */
export function mayHaveReachedMis(error: unknown): boolean {
  if (error instanceof MisCircuitOpenError) return false;
  if (error instanceof MisUnavailableError) {
    const status = error.details?.['status'];
    if (typeof status === 'number') return !notProcessedStatuses.has(status);
    const cause = error.cause as { code?: unknown; cause?: { code?: unknown } } | undefined;
    const code = cause?.code ?? cause?.cause?.code;
    return !(typeof code === 'string' && notSentCodes.has(code));
  }
  return true;
}

/**
 * MedREST's JSON API over fetch: each call goes through the rate limit and the circuit breaker, has
 * a timeout and a response size limit, and its answer is validated with zod before anything else
 * sees it. A `429` is waited out as its `Retry-After` says (up to `maxRateLimitWaitMs`); `5xx`,
 * timeouts and network failures are `MisUnavailableError` (retried for reads); an answer that is not
 * the documented JSON is a `MisResponseRejectedError`, counted; a problem (4xx) is returned as such.
 */
export class MedRestClient {
  private lastCallOk: boolean | undefined;

  constructor(private readonly options: MedRestClientOptions) {}

  /** Whether the last call reached the MIS and got an answer (a refused answer counts as reached). */
  get misReachable(): boolean {
    return this.lastCallOk ?? false;
  }

  /** A GET, retried on transient failures (`not-modified` answers only a request that sent an ETag). */
  read<S extends z.ZodTypeAny>(operation: string, path: string, schema: S, query: Query = {}): Promise<Fresh<z.output<S>>> {
    return withRetry(() => this.call({ operation, method: 'GET', path, query }, schema) as Promise<Fresh<z.output<S>>>, this.options.retry, this.options.wait);
  }

  /** A GET with the ETag of an earlier answer: `not-modified` when the answer would be the same. */
  readIfChanged<S extends z.ZodTypeAny>(operation: string, path: string, schema: S, query: Query, etag: string | undefined): Promise<Answer<z.output<S>>> {
    return withRetry(() => this.call({ operation, method: 'GET', path, query, etag }, schema), this.options.retry, this.options.wait);
  }

  /**
   * A POST. With `retry`, transient failures are retried with the same idempotency key (the MIS
   * answers a repeated key with its first answer); without, the caller decides.
   */
  post<S extends z.ZodTypeAny>(operation: string, path: string, body: unknown, schema: S, options: { idempotencyKey?: string; retry?: boolean } = {}): Promise<Fresh<z.output<S>>> {
    const call = () => this.call({ operation, method: 'POST', path, body, idempotencyKey: options.idempotencyKey }, schema) as Promise<Fresh<z.output<S>>>;
    return options.retry ? withRetry(call, this.options.retry, this.options.wait) : call();
  }

  private async call<S extends z.ZodTypeAny>(call: Call, schema: S): Promise<Answer<z.output<S>>> {
    const wait = this.options.wait ?? sleep;
    let waited = 0;
    try {
      for (;;) {
        const answer = await this.options.breaker.run(async () => {
          await this.options.limiter.take();
          return this.exchange(call, schema);
        });
        if (answer.kind !== 'rate-limited') {
          this.lastCallOk = true;
          return answer;
        }
        if (waited + answer.retryAfterMs > this.options.maxRateLimitWaitMs) {
          throw new MisUnavailableError(`MedREST ${call.operation} is rate limited`, { details: { status: 429, retryAfterMs: answer.retryAfterMs } });
        }
        waited += answer.retryAfterMs;
        await wait(answer.retryAfterMs);
      }
    } catch (error) {
      this.lastCallOk = error instanceof MisResponseRejectedError;
      if (error instanceof MisResponseRejectedError) this.options.onRejected?.(call.operation, error.reason);
      throw error;
    }
  }

  private async exchange<S extends z.ZodTypeAny>(call: Call, schema: S): Promise<Exchange<z.output<S>>> {
    const { operation } = call;
    let response: Response;
    try {
      response = await fetch(this.urlOf(call), {
        method: call.method,
        headers: {
          accept: 'application/json',
          'x-api-key': this.options.apiKey,
          'x-request-id': randomUUID(),
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(call.etag ? { 'if-none-match': call.etag } : {}),
          ...(call.idempotencyKey ? { 'idempotency-key': call.idempotencyKey } : {}),
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        // A redirect (a sign-on page in front of the MIS) is an answer we refuse, and the key must not follow it elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new MisUnavailableError(`MedREST ${operation} failed: ${errorCodeOf(error)}`, { cause: error });
    }
    const { status } = response;
    if (status === 304 && call.etag) {
      await discard(response);
      return { kind: 'not-modified' };
    }
    if (status === 429) {
      await discard(response);
      return { kind: 'rate-limited', retryAfterMs: retryAfterMsOf(response.headers.get('retry-after'), this.options.clock.now().getTime()) };
    }
    if (status >= 500 || status === 401) {
      await discard(response);
      // A refused key is the MIS answering, but it will not serve this adapter until someone fixes the key.
      const details = status === 401 ? { status, misRefused: true, misCode: 'unauthorized' } : { status };
      throw new MisUnavailableError(`MedREST ${operation} answered HTTP ${status}`, { details });
    }
    const raw = await readResponseUpTo(response, this.options.maxResponseBytes).catch((error: unknown) => {
      throw new MisUnavailableError(`MedREST ${operation} failed: ${errorCodeOf(error)}`, { cause: error });
    });
    if (raw === undefined) return this.reject(operation, '', MisResponseRejection.tooLarge, 'answer is too large');
    const problem = status >= 400;
    if (!/^application\/(problem\+)?json\s*(;|$)/i.test(response.headers.get('content-type') ?? '')) {
      return this.reject(operation, raw, MisResponseRejection.malformed, 'answered something that is not JSON');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      return this.reject(operation, raw, MisResponseRejection.malformed, 'answered JSON that cannot be parsed', error);
    }
    const parsed = (problem ? problemSchema : schema).safeParse(json);
    if (!parsed.success) {
      this.archive(operation, raw, MisResponseRejection.invalidShape);
      throw new MisResponseRejectedError(MisResponseRejection.invalidShape, `MedREST ${operation} answered with an unexpected shape`, {
        details: { status, issues: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`) },
      });
    }
    this.archive(operation, raw);
    if (problem) return { kind: 'problem', status, problem: parsed.data as MedRestProblem };
    return { kind: 'ok', status, value: parsed.data as z.output<S>, etag: response.headers.get('etag') };
  }

  private reject(operation: string, raw: string, reason: MisResponseRejection, what: string, cause?: unknown): never {
    this.archive(operation, raw, reason);
    throw new MisResponseRejectedError(reason, `MedREST ${operation} ${what}`, cause === undefined ? undefined : { cause });
  }

  private urlOf(call: Call): string {
    const url = new URL(`${this.options.baseUrl}${call.path}`);
    for (const [name, value] of Object.entries(call.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    return url.toString();
  }

  private archive(operation: string, body: string, rejection?: MisResponseRejection): void {
    if (!this.options.archive) return;
    this.options.archive
      .store({
        operation,
        body: patientOperations.has(operation) ? redactedPatientAnswer(body) : body,
        fetchedAt: this.options.clock.now(),
        accepted: rejection === undefined,
        ...(rejection ? { rejection } : {}),
      })
      .catch((error: unknown) => this.options.onArchiveError?.(error));
  }
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; 1 s when absent or unreadable. */
export function retryAfterMsOf(header: string | null, nowMs: number): number {
  const text = header?.trim() ?? '';
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - nowMs);
}

function errorCodeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  const code = (error as { code?: unknown })?.code ?? cause?.code;
  if (typeof code === 'string') return code;
  return (error as Error)?.name === 'TimeoutError' ? 'timeout' : 'error';
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

