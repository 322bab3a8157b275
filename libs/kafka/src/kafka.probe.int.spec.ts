import { testConnection } from '@medbus/testing';
import { KafkaProbe } from './kafka.probe';

describe('KafkaProbe', () => {
  it("reports Kafka up while the stack's brokers answer", async () => {
    const probe = new KafkaProbe({ ...testConnection('kafka-probe-it') });
    try {
      expect(await probe.state()).toBe('up');
    } finally {
      await probe.close();
    }
  }, 20_000);

  it('reports Kafka down within its timeout when no broker answers, and keeps the answer for its cache window', async () => {
    const probe = new KafkaProbe({ ...testConnection('kafka-probe-it'), brokers: ['127.0.0.1:1'] }, { timeoutMs: 1_000, cacheMs: 60_000 });
    try {
      const started = Date.now();
      expect(await probe.state()).toBe('down');
      expect(Date.now() - started).toBeLessThan(4_000);
      const again = Date.now();
      expect(await probe.state()).toBe('down');
      expect(Date.now() - again).toBeLessThan(50);
    } finally {
      await probe.close();
    }
  }, 20_000);
});
