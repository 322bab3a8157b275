import { KafkaJS } from '@confluentinc/kafka-javascript';
import { kafkaClientOf } from './kafka.client';
import type { KafkaConnectionOptions } from './kafka.config';

export type KafkaState = 'up' | 'down';

/**
 * Whether the brokers answer: one metadata request (topics this service may describe) on one
 * admin connection, at most every `cacheMs`, with a short timeout. Concurrent readiness probes
 * share the request in flight.
 */
export class KafkaProbe {
  private admin?: KafkaJS.Admin;
  private last?: { readonly at: number; readonly state: KafkaState };
  private inFlight?: Promise<KafkaState>;

  constructor(
    private readonly connection: KafkaConnectionOptions,
    private readonly options: { readonly timeoutMs: number; readonly cacheMs: number } = { timeoutMs: 2_000, cacheMs: 3_000 },
  ) {}

  state(now = Date.now()): Promise<KafkaState> {
    if (this.last && now - this.last.at < this.options.cacheMs) return Promise.resolve(this.last.state);
    this.inFlight ??= this.probe().then((state) => {
      this.last = { at: Date.now(), state };
      this.inFlight = undefined;
      return state;
    });
    return this.inFlight;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private async probe(): Promise<KafkaState> {
    try {
      if (!this.admin) {
        const admin = kafkaClientOf(this.connection, `${this.connection.clientId}-health`, KafkaJS.logLevel.NOTHING).admin();
        await withTimeout(admin.connect(), this.options.timeoutMs);
        this.admin = admin;
      }
      await withTimeout(this.admin.listTopics({ timeout: this.options.timeoutMs }), this.options.timeoutMs + 500);
      return 'up';
    } catch {
      // A fresh connection next time: librdkafka's own reconnects are not ours to wait for.
      await this.close();
      return 'down';
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
