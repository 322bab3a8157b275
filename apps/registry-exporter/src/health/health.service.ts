import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ExportWorker } from '../export/export.poller';
import { FederalRegistryClient } from '../export/federal-registry.client';
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

/** The federal side as this instance last saw it: reported, never failing readiness. */
export interface FederalLink {
  /** Whether the last call got an answer (null before the first call). */
  readonly reachable: boolean | null;
  readonly backoffUntil: string | null;
  readonly lastCallAt: string | null;
  readonly lastCallOperation: string | null;
  /** ANSWERED, or the code of the failure. */
  readonly lastCallOutcome: string | null;
  readonly failedCallsInARow: number;
}

export interface Readiness {
  readonly status: 'ready' | 'not_ready';
  readonly checks: { readonly database: Check; readonly kafka: Check; readonly kafkaConsumer: Check };
  readonly consumers: Readonly<Record<string, ConsumerCounts>>;
  /** A federal outage is the federal side's: the exporter keeps consuming, and its backlog drains when it returns. */
  readonly federal: FederalLink;
}

/** Whether the exporter can do its work: its database and Kafka answer and its consumer runs. The federal side is reported beside. */
@Injectable()
export class HealthService implements OnApplicationShutdown {
  private consumerRunning = false;
  private counts: () => Readonly<Record<string, ConsumerCounts>> = () => ({});
  private kafka?: KafkaProbe;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ExportWorker) private readonly worker: ExportWorker,
    @Inject(FederalRegistryClient) private readonly federal: FederalRegistryClient,
  ) {}

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
    const last = this.federal.lastCall;
    return {
      status: ready ? 'ready' : 'not_ready',
      checks: { database, kafka, kafkaConsumer },
      consumers: this.counts(),
      federal: {
        reachable: last?.reachable ?? null,
        backoffUntil: this.worker.stats.backoffUntil?.toISOString() ?? null,
        lastCallAt: last?.at.toISOString() ?? null,
        lastCallOperation: last?.operation ?? null,
        lastCallOutcome: last?.outcome ?? null,
        failedCallsInARow: this.worker.stats.failuresInARow,
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.kafka?.close();
  }
}
