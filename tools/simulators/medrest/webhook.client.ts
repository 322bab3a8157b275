import { signatureHeader, signatureOf } from './webhook.signature';

export type WebhookType = 'slot.updated' | 'schedule.changed';

/** The body of a webhook POST. */
export interface WebhookEvent {
  readonly id: string;
  readonly type: WebhookType;
  readonly occurred_at: string;
  readonly data: { readonly facility_id: string; readonly practitioner_id: string; readonly slot_id?: string; readonly date: string };
}

export interface WebhookStats {
  readonly sent: number;
  readonly failed: number;
  readonly pending: number;
  /** Changes no webhook was built for: the change log had moved past them. */
  readonly missed: number;
  readonly lastError?: string;
}

export interface WebhookOptions {
  readonly url: string;
  readonly secret: string;
  readonly retries: number;
  /** First retry delay; doubles with every attempt up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly timeoutMs?: number;
  readonly maxQueue?: number;
  readonly log: (line: Record<string, unknown>) => void;
}

/**
 * Delivers webhooks one at a time in the order of the changes, each body signed afresh per attempt,
 * retrying with bounded exponential backoff; a webhook that still fails is dropped and counted
 * (receivers must also read the change feed).
 */
export class WebhookClient {
  private readonly queue: { readonly event: WebhookEvent; attempts: number }[] = [];
  private running = false;
  private stopped = false;
  private sent = 0;
  private failed = 0;
  private missed = 0;
  private lastError: string | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: WebhookOptions) {}

  enqueue(event: WebhookEvent): void {
    if (this.stopped) return;
    if (this.queue.length >= (this.options.maxQueue ?? 10_000)) {
      this.failed++;
      this.lastError = 'queue full';
      return;
    }
    this.queue.push({ event, attempts: 0 });
    if (!this.running) void this.drain();
  }

  countMissed(changes: number): void {
    this.missed += changes;
  }

  stats(): WebhookStats {
    return { sent: this.sent, failed: this.failed, pending: this.queue.length, missed: this.missed, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.wake?.();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped) {
        const next = this.queue[0];
        if (!next) break;
        const error = await this.deliver(next.event);
        if (error === undefined) {
          this.queue.shift();
          this.sent++;
          continue;
        }
        next.attempts++;
        this.lastError = error;
        if (next.attempts > this.options.retries) {
          this.queue.shift();
          this.failed++;
          this.options.log({ msg: 'webhook dropped', type: next.event.type, id: next.event.id, reason: error });
          continue;
        }
        const delay = Math.min(this.options.maxRetryDelayMs ?? 30_000, (this.options.retryDelayMs ?? 250) * 2 ** (next.attempts - 1));
        await this.sleep(delay);
      }
    } finally {
      this.running = false;
    }
  }

  /** Undefined when the receiver answered 2xx, otherwise why not. */
  private async deliver(event: WebhookEvent): Promise<string | undefined> {
    const body = JSON.stringify(event);
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'MedREST-Webhooks/2',
          [signatureHeader]: signatureOf(this.options.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      return error instanceof Error ? error.message : 'delivery failed';
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
