import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyUpTo } from '@medbus/hubservice';
import type { Clock } from '@medbus/mis-adapter-kit';
import { webhookEventSchema, type MedRestWebhookEvent } from './medrest-response.mapper';

export const webhookPath = '/webhooks/medrest';

/**
 * Whether `X-MedREST-Signature` (`t=<unix seconds>,v1=<hex HMAC-SHA256>`[,v1=…]) signs exactly these
 * body bytes with one of the secrets, at a `t` within `toleranceSeconds` of now (older signatures are
 * replays). The HMAC is over `"<t>.<raw body>"`; every candidate is compared in constant time.
 */
export function verifySignature(secrets: readonly string[], header: string | undefined, body: Buffer, nowSeconds: number, toleranceSeconds: number): boolean {
  if (header === undefined || header.length > 1024) return false;
  const parts = header.split(',').map((part) => {
    const at = part.indexOf('=');
    return at < 0 ? ['', ''] : [part.slice(0, at).trim(), part.slice(at + 1).trim()];
  });
  const stamps = parts.filter(([name]) => name === 't');
  const t = stamps.length === 1 ? stamps[0]?.[1] : undefined;
  if (t === undefined || !/^\d{1,12}$/.test(t) || Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return false;
  const given = parts.filter(([name, value]) => name === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')).map(([, value]) => Buffer.from(value ?? '', 'hex'));
  let match = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
    for (const signature of given) match = timingSafeEqual(signature, expected) || match;
  }
  return match;
}

export interface WebhookCounters {
  accepted: number;
  /** Deliveries of an event already taken (the MIS's retry after a lost `2xx`). */
  duplicates: number;
  /** `401 WEBHOOK.INVALID_SIGNATURE`: unsigned, wrongly signed, or signed too long ago. */
  badSignature: number;
  /** `400`/`415`: not the documented JSON. */
  malformed: number;
  /** `413`: a body over the limit. */
  tooLarge: number;
}

export interface WebhookEndpointOptions {
  /** Secrets the MIS may sign with (two while one is rotated). */
  readonly secrets: readonly string[];
  readonly toleranceSeconds: number;
  readonly maxBodyBytes: number;
  readonly clock: Clock;
  /** Starts the re-read an event calls for; the answer does not wait for it. */
  readonly onEvent: (event: MedRestWebhookEvent) => void;
}

/** Event ids remembered to drop redeliveries. */
const rememberedIds = 10_000;

/**
 * `POST /webhooks/medrest`: the MIS's signed events. The body is read up to its limit and its
 * signature checked before it is parsed; a good event is answered `202` at once and its
 * practitioner's day read again behind the answer (events carry no slot state).
 */
export class WebhookEndpoint {
  readonly path = webhookPath;
  readonly counters: WebhookCounters = { accepted: 0, duplicates: 0, badSignature: 0, malformed: 0, tooLarge: 0 };
  private readonly seen = new Set<string>();

  constructor(private readonly options: WebhookEndpointOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!/^application\/json\s*(;|$)/i.test(String(req.headers['content-type'] ?? ''))) {
      this.counters.malformed += 1;
      req.resume();
      return reply(res, 415, { code: 'WEBHOOK.UNSUPPORTED_MEDIA_TYPE', message: 'send application/json' });
    }
    const body = await readBodyUpTo(req, this.options.maxBodyBytes);
    if (body === undefined) {
      this.counters.tooLarge += 1;
      return reply(res, 413, { code: 'WEBHOOK.TOO_LARGE', message: `the body exceeds ${this.options.maxBodyBytes} bytes` }, { connection: 'close' });
    }
    const signature = req.headers['x-medrest-signature'];
    const nowSeconds = Math.floor(this.options.clock.now().getTime() / 1000);
    if (!verifySignature(this.options.secrets, typeof signature === 'string' ? signature : undefined, body, nowSeconds, this.options.toleranceSeconds)) {
      this.counters.badSignature += 1;
      return reply(res, 401, { code: 'WEBHOOK.INVALID_SIGNATURE', message: 'the X-MedREST-Signature does not sign this body now' });
    }
    const event = parsed(body);
    if (!event) {
      this.counters.malformed += 1;
      return reply(res, 400, { code: 'WEBHOOK.MALFORMED', message: 'the body is not a MedREST event' });
    }
    if (this.seen.has(event.id)) {
      this.counters.duplicates += 1;
      return reply(res, 200, { status: 'duplicate' });
    }
    this.remember(event.id);
    this.counters.accepted += 1;
    this.options.onEvent(event);
    return reply(res, 202, { status: 'accepted' });
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > rememberedIds) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}

function parsed(body: Buffer): MedRestWebhookEvent | undefined {
  try {
    const result = webhookEventSchema.safeParse(JSON.parse(body.toString('utf8')));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
