import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { EventPublisher, KafkaProbe, ProjectionConsumer, kafkaConnectionOf } from '@medbus/kafka';
import { HealthService } from '../health/health.service';
import type { BusConfig } from './bus.config';
import { BusProjection } from './bus.consumer';

/** The service's Kafka settings and the bus consumer's own. */
type BusConsumerConfig = Parameters<typeof kafkaConnectionOf>[0] & Pick<BusConfig, 'CC_CONSUMER_GROUP' | 'CC_CONSUMER_BATCH_SIZE'>;

/**
 * Runs the bus projection's consumer beside the HTTP server: started once every module is ready,
 * stopped before the database closes (a batch in flight finishes or is fetched again). Reported to
 * readiness as `bus`, critical: the patients' history and tasks are only as current as it.
 */
@Injectable()
export class BusConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: ProjectionConsumer;
  private deadLetters?: EventPublisher;
  private probe?: KafkaProbe;
  private running = false;

  constructor(
    @Inject(AppConfig) private readonly config: BusConsumerConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BusProjection) private readonly projection: BusProjection,
    @Inject(HealthService) private readonly health: HealthService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const connection = kafkaConnectionOf(this.config);
    this.deadLetters = new EventPublisher(connection);
    this.probe = new KafkaProbe(connection);
    this.consumer = new ProjectionConsumer({
      connection: { ...connection, clientId: `${connection.clientId}-${this.projection.name}` },
      groupId: this.config.CC_CONSUMER_GROUP,
      projections: [this.projection],
      dataSource: this.dataSource,
      deadLetters: this.deadLetters,
      maxBatchSize: this.config.CC_CONSUMER_BATCH_SIZE,
      logger: new Logger(`${this.projection.name} consumer`),
    });
    const consumer = this.consumer;
    const probe = this.probe;
    this.health.register('bus', {
      critical: true,
      check: async () => (this.running ? probe.state() : 'down'),
      details: () => ({ ...consumer.stats }),
    });
    await consumer.start();
    this.running = true;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.consumer?.stop();
    await this.deadLetters?.close();
    await this.probe?.close();
  }
}
