import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { Headers, extractTraceContext, type StringHeaders } from './kafka-headers.mapper';
import { originOf } from './adapter-topics.mapper';
import type { EventDefinition } from './kafka.config';
import type { EventPublisher, OutgoingEvent } from './event-publisher.service';
import type { ConsumerLogger } from './event-consumer.service';

interface OutboxRow {
  id: string;
  event_id: string;
  event_type: string;
  topic: string;
  message_key: string;
  payload: unknown;
  headers: StringHeaders;
}

export interface OutboxRelayOptions {
  readonly dataSource: DataSource;
  readonly publisher: EventPublisher;
  /** Every event type this service may write to its outbox, by name. */
  readonly events: readonly EventDefinition[];
  readonly batchSize?: number;
  readonly idleDelayMs?: number;
  readonly logger?: ConsumerLogger;
}

/**
 * Publishes committed outbox rows in order. Rows are locked while being sent and marked
 * published in the same transaction, so concurrent relays never send one row twice; a relay
 * killed between the broker's acknowledgement and the commit sends that batch again with the
 * same event ids, which consumers' processed-event store absorbs.
 */
export class OutboxRelay {
  private readonly eventsByName: Map<string, EventDefinition>;
  private running?: Promise<void>;
  private stopRequested = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.eventsByName = new Map(options.events.map((event) => [event.name, event]));
  }

  start(): void {
    if (this.running) return;
    this.stopRequested = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.running;
    this.running = undefined;
  }

  /** Publishes one batch; returns how many rows it published. */
  async publishBatch(): Promise<number> {
    const batchSize = this.options.batchSize ?? 500;
    return this.options.dataSource.transaction(async (tx) => {
      const rows: OutboxRow[] = await tx.query(
        `SELECT id, event_id, event_type, topic, message_key, payload, headers FROM medbus_outbox
         WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      await this.options.publisher.publishAll(rows.map((row) => this.toOutgoing(row)));
      await tx.query(`UPDATE medbus_outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
      return rows.length;
    });
  }

  private toOutgoing(row: OutboxRow): OutgoingEvent {
    const event = this.eventsByName.get(row.event_type);
    if (!event) throw new Error(`outbox row ${row.id} has event type ${row.event_type}, unknown to this relay`);
    return {
      event,
      key: row.message_key,
      value: row.payload,
      eventId: row.event_id,
      correlationId: row.headers[Headers.correlationId],
      parentContext: extractTraceContext(row.headers),
      // The row's topic is the contract's or, for a per-adapter event, the adapter's (without namespace).
      adapterId: originOf(row.topic),
    };
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopRequested) {
      try {
        const published = await this.publishBatch();
        failures = 0;
        if (published === 0) await sleep(this.options.idleDelayMs ?? 50);
      } catch (error) {
        failures++;
        const backoff = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
        this.options.logger?.warn(`outbox relay: publishing failed (${failures} in a row), retrying in ${backoff} ms: ${(error as Error).message}`);
        await sleep(backoff);
      }
    }
  }
}
