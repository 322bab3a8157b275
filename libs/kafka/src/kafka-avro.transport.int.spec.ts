import { randomUUID } from 'node:crypto';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { DataSource } from 'typeorm';
import { ConflictError } from '@medbus/errors';
import { aTestEventType, collectTopic, createTopics, testConnection, testDataSource, uniqueName, waitFor } from '@medbus/testing';
import { EventPublisher } from './event-publisher.service';
import { Headers } from './kafka-headers.mapper';
import { deadLetterTopicOf, type EventDefinition } from './kafka.config';
import { connectKafkaAvroTransport, KafkaEventContext } from './kafka-avro.transport';
import { CreateKafkaBackboneTables1732406400000 } from './kafka-tables.migration';

interface DoorOpened {
  doorId: string;
  by: string;
}

const topic = uniqueName('test.door');
const doorOpened: EventDefinition = aTestEventType(topic, 'DoorOpened', [
  { name: 'doorId', type: 'string' },
  { name: 'by', type: 'string' },
]);

const applied: string[] = [];

@Controller()
class DoorsController {
  @EventPattern('DoorOpened')
  async onDoorOpened(@Payload() event: DoorOpened, @Ctx() ctx: KafkaEventContext): Promise<void> {
    if (event.by === 'intruder') throw new ConflictError('TEST.INTRUDER', 'intruders are refused');
    await ctx.applyOnce(async () => void applied.push(`${event.doorId}:${ctx.event.eventId}`));
  }
}

@Module({ controllers: [DoorsController] })
class DoorsModule {}

describe('handlers bound with @EventPattern through the Kafka Avro transport', () => {
  let app: INestApplication;
  let dataSource: DataSource;
  let publisher: EventPublisher;

  beforeAll(async () => {
    await createTopics([topic, deadLetterTopicOf(topic)]);
    dataSource = await testDataSource([CreateKafkaBackboneTables1732406400000]);
    publisher = new EventPublisher(testConnection());
    app = await NestFactory.create(DoorsModule, { logger: false });
    connectKafkaAvroTransport(app, { connection: testConnection(), groupId: uniqueName('doors'), events: [doorOpened], dataSource, retry: { maxAttempts: 2, initialBackoffMs: 10, maxBackoffMs: 10 } });
    await app.startAllMicroservices();
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await publisher.close();
    await dataSource.destroy();
  });

  it('delivers the decoded event to the handler and applies a redelivery once', async () => {
    const doorId = randomUUID();
    const eventId = randomUUID();
    await publisher.publish({ event: doorOpened, key: doorId, value: { doorId, by: 'nurse' }, eventId });
    await publisher.publish({ event: doorOpened, key: doorId, value: { doorId, by: 'nurse' }, eventId });
    const after = randomUUID();
    await publisher.publish({ event: doorOpened, key: doorId, value: { doorId: after, by: 'nurse' } });

    await waitFor(async () => applied.some((a) => a.startsWith(after)), 'the handler to run');
    expect(applied.filter((a) => a.startsWith(doorId))).toEqual([`${doorId}:${eventId}`]);
  });

  it("dead-letters with the handler's own error code, not Nest's generic one", async () => {
    const dead = await collectTopic(deadLetterTopicOf(topic));
    try {
      const doorId = randomUUID();
      await publisher.publish({ event: doorOpened, key: doorId, value: { doorId, by: 'intruder' } });
      const [letter] = await waitFor(async () => dead.records.find((r) => r.key === doorId) && dead.records.filter((r) => r.key === doorId), 'the dead letter');
      expect(letter.headers).toMatchObject({ [Headers.deadLetterCode]: 'TEST.INTRUDER', [Headers.deadLetterAttempts]: '1' });
    } finally {
      await dead.stop();
    }
  });
});
