import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { KafkaProbe } from '@medbus/kafka';

export type Check = 'up' | 'down';

/** What a projection consumer has done since the service started. */
export interface ConsumerCounts {
  readonly batches: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Of those, events refused because their adapter may not speak for them (MIS.ORGANISATION_NOT_SERVED). */
  readonly refused: number;
  readonly outages: number;
}

export interface Readiness {
  readonly status: 'ready' | 'not_ready';
  /** kafka: the brokers answered a metadata request within seconds (cached a few seconds). */
  readonly checks: { readonly database: Check; readonly kafka: Check; readonly kafkaConsumer: Check };
  /** Per projection (inventory, outcomes), since start: events applied, redeliveries skipped, dead letters (refused among them), outages waited out. */
  readonly consumers: Readonly<Record<string, ConsumerCounts>>;
}

/** Whether the service can do its work: its database and Kafka's brokers answer and its Kafka consumers have started. */
@Injectable()
export class HealthService implements OnApplicationShutdown {
  private consumerRunning = false;
  private counts: () => Readonly<Record<string, ConsumerCounts>> = () => ({});
  private kafka?: KafkaProbe;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  consumerStarted(counts: () => Readonly<Record<string, ConsumerCounts>>): void {
    this.consumerRunning = true;
    this.counts = counts;
  }

  watchKafka(probe: KafkaProbe): void {
    this.kafka = probe;
  }

  async readiness(): Promise<Readiness> {
    const [database, kafka] = await Promise.all([
      this.dataSource.query('SELECT 1').then(
        (): Check => 'up',
        (): Check => 'down',
      ),
      this.kafka?.state() ?? Promise.resolve<Check>('down'),
    ]);
    const kafkaConsumer: Check = this.consumerRunning ? 'up' : 'down';
    const ready = database === 'up' && kafka === 'up' && kafkaConsumer === 'up';
    return { status: ready ? 'ready' : 'not_ready', checks: { database, kafka, kafkaConsumer }, consumers: this.counts() };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.kafka?.close();
  }
}
