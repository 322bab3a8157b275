import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { z } from 'zod';
import { kafkaConfigSchema } from './bus.config';
import { AppConfig, ConfigModule } from './config.module';

type KafkaConfig = z.output<typeof kafkaConfigSchema>;

@Injectable()
class BrokerList {
  constructor(@Inject(AppConfig) private readonly config: KafkaConfig) {}

  describe(): string {
    return `${this.config.KAFKA_CLIENT_ID}@${this.config.KAFKA_BROKERS.join(',')}`;
  }
}

@Module({ providers: [BrokerList], exports: [BrokerList] })
class FeatureModule {}

function appModuleWith(env: Record<string, string>) {
  @Module({ imports: [ConfigModule.forRoot(kafkaConfigSchema, env), FeatureModule] })
  class AppModule {}
  return AppModule;
}

describe('ConfigModule', () => {
  it('gives every module of the app the parsed configuration', async () => {
    const app = await NestFactory.createApplicationContext(
      appModuleWith({ KAFKA_BROKERS: 'a:9092,b:9092', KAFKA_CLIENT_ID: 'booking' }),
      { logger: false },
    );

    expect(app.get(BrokerList).describe()).toBe('booking@a:9092,b:9092');
    await app.close();
  });

  it('keeps the configuration of two apps in one process apart', async () => {
    const booking = await NestFactory.createApplicationContext(
      appModuleWith({ KAFKA_BROKERS: 'a:9092', KAFKA_CLIENT_ID: 'booking' }),
      { logger: false },
    );
    const exporter = await NestFactory.createApplicationContext(
      appModuleWith({ KAFKA_BROKERS: 'a:9092', KAFKA_CLIENT_ID: 'registry-exporter' }),
      { logger: false },
    );

    expect([booking.get(BrokerList).describe(), exporter.get(BrokerList).describe()]).toEqual([
      'booking@a:9092',
      'registry-exporter@a:9092',
    ]);
    await Promise.all([booking.close(), exporter.close()]);
  });

  it('refuses to start an app whose environment is incomplete, naming the variable', async () => {
    await expect(
      NestFactory.createApplicationContext(appModuleWith({ KAFKA_BROKERS: 'a:9092' }), { logger: false, abortOnError: false }),
    ).rejects.toThrow('Invalid configuration: KAFKA_CLIENT_ID is required');
  });
});
