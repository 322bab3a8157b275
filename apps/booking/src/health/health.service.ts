import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export type Check = 'up' | 'down';

/** What a projection consumer has done since the service started. */
export interface ConsumerCounts {
  readonly batches: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly outages: number;
}

export interface Readiness {
  readonly status: 'ready' | 'not_ready';
  readonly checks: { readonly database: Check; readonly kafkaConsumer: Check };
  /** Per projection (inventory, outcomes), since start: events applied, redeliveries skipped, dead letters, outages waited out. */
  readonly consumers: Readonly<Record<string, ConsumerCounts>>;
}

/** Whether the service can do its work: its database answers and its Kafka consumer has started. */
@Injectable()
export class HealthService {
  private consumerRunning = false;
  private counts: () => Readonly<Record<string, ConsumerCounts>> = () => ({});

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  consumerStarted(counts: () => Readonly<Record<string, ConsumerCounts>>): void {
    this.consumerRunning = true;
    this.counts = counts;
  }

  async readiness(): Promise<Readiness> {
    const database = await this.dataSource.query('SELECT 1').then(
      (): Check => 'up',
      (): Check => 'down',
    );
    const kafkaConsumer: Check = this.consumerRunning ? 'up' : 'down';
    return { status: database === 'up' && kafkaConsumer === 'up' ? 'ready' : 'not_ready', checks: { database, kafkaConsumer }, consumers: this.counts() };
  }
}
