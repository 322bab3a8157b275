import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { BackboneRetention } from '@medbus/kafka';
import type { BookingConfig } from './booking.config';

/** Prunes the service's outbox and processed-event store on the configured windows (decision record 0007). */
@Injectable()
export class BackboneRetentionPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly retention: BackboneRetention;

  constructor(@InjectDataSource() dataSource: DataSource, @Inject(AppConfig) config: BookingConfig) {
    this.retention = new BackboneRetention({
      dataSource,
      outboxRetentionMs: config.BACKBONE_OUTBOX_RETENTION_MS,
      processedEventRetentionMs: config.BACKBONE_PROCESSED_EVENT_RETENTION_MS,
      intervalMs: config.BACKBONE_RETENTION_INTERVAL_MS,
      batchSize: config.BACKBONE_RETENTION_BATCH_SIZE,
      logger: new Logger(BackboneRetention.name),
    });
  }

  onApplicationBootstrap(): void {
    this.retention.start();
  }

  // Before the database closes (TypeORM closes it on application shutdown).
  async beforeApplicationShutdown(): Promise<void> {
    await this.retention.stop();
  }
}
