import { createHash } from 'node:crypto';

/** An answer kept for its idempotency key, replayed byte for byte. */
export interface StoredAnswer {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly at: number;
}

/** What identifies a request under one key: method, path and the raw body. */
export function fingerprintOf(method: string, path: string, body: Buffer): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(body).digest('hex');
}

/**
 * Answers of POST requests that carried an `Idempotency-Key`, per API key, for `ttlMs`; the oldest
 * go first once `maxEntries` are kept.
 */
export class IdempotencyStore {
  private readonly answers = new Map<string, StoredAnswer>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly ttlMs = 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(apiKey: string, key: string): StoredAnswer | undefined {
    const answer = this.answers.get(`${apiKey}\n${key}`);
    if (answer && this.now() - answer.at > this.ttlMs) {
      this.answers.delete(`${apiKey}\n${key}`);
      return undefined;
    }
    return answer;
  }

  put(apiKey: string, key: string, answer: Omit<StoredAnswer, 'at'>): void {
    this.answers.set(`${apiKey}\n${key}`, { ...answer, at: this.now() });
    while (this.answers.size > this.maxEntries) {
      const oldest = this.answers.keys().next().value;
      if (oldest === undefined) break;
      this.answers.delete(oldest);
    }
  }
}
