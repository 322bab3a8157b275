import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export type Check = 'up' | 'down';

export interface Readiness {
  readonly status: 'ready' | 'not_ready';
  readonly checks: { readonly database: Check; readonly kafkaConsumer: Check };
}

/** Whether the service can do its work: its database answers and its Kafka consumer has started. */
@Injectable()
export class HealthService {
  private consumerRunning = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  consumerStarted(): void {
    this.consumerRunning = true;
  }

  async readiness(): Promise<Readiness> {
    const database = await this.dataSource.query('SELECT 1').then(
      (): Check => 'up',
      (): Check => 'down',
    );
    const kafkaConsumer: Check = this.consumerRunning ? 'up' : 'down';
    return { status: database === 'up' && kafkaConsumer === 'up' ? 'ready' : 'not_ready', checks: { database, kafkaConsumer } };
  }
}
