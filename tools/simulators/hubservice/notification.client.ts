import { decodeSoapResponse, encodeSoapRequest, soapActionOf, type HubRequests } from '@medbus/hubservice';

type NotificationOperation = 'SendNotificationAboutAppointment' | 'SendNotificationAboutAppointmentStatus';

interface Pending {
  readonly operation: NotificationOperation;
  readonly body: string;
  readonly idLpu: number;
  attempts: number;
}

export interface NotifierStats {
  readonly sent: number;
  readonly failed: number;
  readonly pending: number;
  readonly lastError?: string;
}

export interface NotifierOptions {
  readonly url: string;
  readonly retries: number;
  /** First retry delay; doubles with every attempt. */
  readonly retryDelayMs?: number;
  readonly timeoutMs?: number;
  readonly maxQueue?: number;
  readonly log: (line: Record<string, unknown>) => void;
}

/**
 * Delivers SendNotificationAboutAppointment / …Status to the subscriber, one at a time in the order
 * the changes happened, retrying with exponential backoff; a notification that still fails is
 * dropped and counted (a real MIS gives up too, and subscribers must also poll).
 */
export class NotificationClient {
  private readonly queue: Pending[] = [];
  private running = false;
  private stopped = false;
  private sent = 0;
  private failed = 0;
  private lastError: string | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: NotifierOptions) {}

  enqueue<K extends NotificationOperation>(operation: K, params: HubRequests[K], idLpu: number): void {
    if (this.stopped) return;
    if (this.queue.length >= (this.options.maxQueue ?? 10_000)) {
      this.failed++;
      this.lastError = 'queue full';
      return;
    }
    this.queue.push({ operation, body: encodeSoapRequest(operation, params), idLpu, attempts: 0 });
    if (!this.running) void this.drain();
  }

  stats(): NotifierStats {
    return { sent: this.sent, failed: this.failed, pending: this.queue.length, ...(this.lastError ? { lastError: this.lastError } : {}) };
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
        const error = await this.deliver(next);
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
          this.options.log({ msg: 'notification dropped', operation: next.operation, idLpu: next.idLpu, reason: error });
          continue;
        }
        await this.sleep((this.options.retryDelayMs ?? 250) * 2 ** (next.attempts - 1));
      }
    } finally {
      this.running = false;
    }
  }

  /** Undefined when delivered, otherwise why not. */
  private async deliver(item: Pending): Promise<string | undefined> {
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapActionOf(item.operation)}"` },
        body: item.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      const text = await response.text();
      if (!response.ok) return `HTTP ${response.status}`;
      const result = decodeSoapResponse(item.operation, text);
      return result.Success ? undefined : `Success=false ${result.ErrorList?.[0]?.IdError ?? ''}`.trim();
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
