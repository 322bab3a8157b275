import { randomUUID } from 'node:crypto';
import { startTelemetry } from '@medbus/telemetry';
import { aTestEventType, createTopics, stackAddresses, testConnection, uniqueName, waitFor } from '@medbus/testing';
import { EventConsumer, type ConsumedEvent } from './event-consumer.service';
import { EventPublisher } from './event-publisher.service';
import { Headers } from './kafka-headers.mapper';
import type { EventDefinition } from './kafka.config';

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  kind?: string;
  name: string;
  localEndpoint?: { serviceName?: string };
}

const topic = uniqueName('test.trace');
const pinged: EventDefinition = aTestEventType(topic, 'PingSent', [{ name: 'pingId', type: 'string' }]);

describe('tracing across Kafka', () => {
  it("shows the consumer's span in Zipkin as the child of the producer's", async () => {
    const serviceName = uniqueName('medbus-trace-test');
    const telemetry = startTelemetry({ serviceName, tracesEndpoint: stackAddresses().otlpTracesUrl, enabled: true });
    const publisher = new EventPublisher(testConnection());
    const received: ConsumedEvent[] = [];
    const consumer = new EventConsumer({
      connection: testConnection(),
      groupId: uniqueName('trace'),
      topics: [topic],
      deadLetters: publisher,
      handle: async (event) => void received.push(event),
    });
    try {
      await createTopics([topic]);
      await consumer.start();
      await publisher.publish({ event: pinged, key: 'k', value: { pingId: randomUUID() } });
      const [event] = await waitFor(async () => received.length > 0 && received, 'the ping');
      const traceId = event.headers[Headers.traceparent].split('-')[1];
      const producerSpanId = event.headers[Headers.traceparent].split('-')[2];
      await consumer.stop();
      await publisher.close();
      await telemetry.shutdown();

      const spans = await waitFor(async () => {
        const response = await fetch(`${stackAddresses().zipkinUrl}/api/v2/trace/${traceId}`);
        if (response.status !== 200) return undefined;
        const trace = (await response.json()) as ZipkinSpan[];
        return trace.some((s) => s.kind === 'CONSUMER') && trace;
      }, `trace ${traceId} in Zipkin`);

      const producer = spans.find((s) => s.kind === 'PRODUCER');
      const consumerSpan = spans.find((s) => s.kind === 'CONSUMER');
      expect(producer).toMatchObject({ id: producerSpanId, name: expect.stringContaining(topic) });
      expect(consumerSpan).toMatchObject({ parentId: producerSpanId, traceId });
      expect(consumerSpan?.localEndpoint?.serviceName).toBe(serviceName);
    } finally {
      await telemetry.shutdown().catch(() => undefined);
    }
  });
});
