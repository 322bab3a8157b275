import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '@medbus/config';
import type { BookingConfig } from '../booking.config';

/** Postgres channel the outcome consumer notifies (in its transaction) with an appointment id. */
export const outcomeChannel = 'booking_outcome';

/**
 * Lets an API call wait until the MIS's outcome for an appointment has been applied, whichever
 * instance's consumer applied it: Postgres NOTIFY is delivered on commit to every listener. The
 * caller re-reads the row afterwards, and also on a short poll, so a notification lost to a
 * reconnect only costs latency.
 */
@Injectable()
export class OutcomeWaiter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OutcomeWaiter.name);
  private readonly waiters = new Map<string, Set<() => void>>();
  private client?: Client;
  private closing = false;

  constructor(@Inject(AppConfig) private readonly config: BookingConfig) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const set of this.waiters.values()) for (const wake of set) wake();
    await this.client?.end().catch(() => undefined);
  }

  /**
   * Resolves when `settled()` says the appointment left its in-flight state, or after `timeoutMs`;
   * returns whether it settled.
   */
  async waitFor(appointmentId: string, timeoutMs: number, settled: () => Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await settled()) return true;
      const left = deadline - Date.now();
      if (left <= 0 || this.closing) return false;
      await this.nextSignal(appointmentId, Math.min(left, 250));
    }
  }

  private nextSignal(appointmentId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(appointmentId) ?? new Set<() => void>();
      this.waiters.set(appointmentId, set);
      const wake = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0) this.waiters.delete(appointmentId);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      set.add(wake);
    });
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL });
    client.on('notification', (message) => {
      if (!message.payload) return;
      for (const wake of [...(this.waiters.get(message.payload) ?? [])]) wake();
    });
    client.on('error', (error) => {
      this.logger.warn(`outcome listener lost its connection (${error.message}); reconnecting`);
      void this.reconnect(client);
    });
    await client.connect();
    await client.query(`LISTEN ${outcomeChannel}`);
    this.client = client;
  }

  private async reconnect(old: Client): Promise<void> {
    if (this.closing || this.client !== old) return;
    this.client = undefined;
    await old.end().catch(() => undefined);
    for (let attempt = 1; !this.closing; attempt++) {
      try {
        await this.listen();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }
}
