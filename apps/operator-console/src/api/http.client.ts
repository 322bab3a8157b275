/** An error answer of a medbus API (`{ error: { code, message, details? } }`), or of the network. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Query = Record<string, string | number | boolean | undefined | null>;

const base = `${import.meta.env.BASE_URL}api`;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Calls the console's backend (same origin, session cookie). Every non-GET carries the CSRF header the
 * backend requires. A 401 CONSOLE.NO_SESSION tells the shell to show the sign-in screen.
 */
export async function request<T>(method: Method, path: string, options: { query?: Query; body?: unknown; timeoutMs?: number; idempotencyKey?: string } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(withQuery(`${base}${path}`, options.query), {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(method === 'GET' ? {} : { 'x-medbus-console': '1' }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw new ApiError(0, timedOut ? 'CONSOLE.TIMEOUT' : 'CONSOLE.NETWORK', timedOut ? 'timeout' : 'network');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    const failure = new ApiError(response.status, error?.code ?? `HTTP.${response.status}`, error?.message ?? response.statusText, error?.details);
    if (failure.code === 'CONSOLE.NO_SESSION') window.dispatchEvent(new CustomEvent('medbus:session-lost'));
    throw failure;
  }
  return body as T;
}

/**
 * A key naming one action of the person (a form being written, a click on "book"): the API carries out
 * an action once however often it is sent with the same key, so a re-send after a lost answer is safe.
 */
export const newIdempotencyKey = (): string => crypto.randomUUID();

/** The contact-centre API as the signed-in person (`/console/api/cc/...`). */
export const cc = {
  get: <T>(path: string, query?: Query) => request<T>('GET', `/cc${path}`, { query }),
  post: <T>(path: string, body?: unknown, idempotencyKey?: string) => request<T>('POST', `/cc${path}`, { body: body ?? {}, idempotencyKey }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', `/cc${path}`, { body: body ?? {} }),
};

/** Booking's API as the signed-in person (`/console/api/booking/...`, an allow-list of it). */
export const booking = {
  get: <T>(path: string, query?: Query) => request<T>('GET', `/booking${path}`, { query }),
  post: <T>(path: string, body?: unknown, idempotencyKey?: string) => request<T>('POST', `/booking${path}`, { body: body ?? {}, timeoutMs: 60_000, idempotencyKey }),
  delete: <T>(path: string) => request<T>('DELETE', `/booking${path}`),
};
