import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { KafkaSasl } from '@medbus/config';
import { readKafkaPassword, testConnection, uniqueName, waitFor } from '@medbus/testing';
import { EventPublisher } from './event-publisher.service';
import { deleteNamespaceTopics } from './topics.client';

/**
 * The local stack's Kafka as production runs it (decision record 0011): SASL/SCRAM, and ACLs that
 * give booking, each MIS adapter and the federal registry's exporter only their own topics. The principals get their rights from
 * tools/stack/kafka-principal.sh, here inside a namespace of the test's own.
 */

const root = join(__dirname, '..', '..', '..');
const namespace = uniqueName('authz');
const vendorA = 'test-vendor-a';
const vendorB = 'test-vendor-b';
const inNs = (topic: string) => `${namespace}.${topic}`;
const admin = testConnection(uniqueName('authz-admin'));

async function principals(...args: string[]): Promise<void> {
  await promisify(execFile)('bash', [join(root, 'tools/stack/kafka-principal.sh'), ...args, '--namespace', namespace], { cwd: root, timeout: 120_000 });
}

function saslOf(principal: string): KafkaSasl {
  const password = readKafkaPassword(principal);
  if (password === undefined) throw new Error(`no password for ${principal} in .medbus/kafka-users.env`);
  return { mechanism: 'scram-sha-512', username: principal, password };
}

/** What a client's librdkafka reported as errors (authentication and authorization failures of consumers show only there). */
class RecordedErrors {
  readonly lines: string[] = [];
  readonly logger: KafkaJS.Logger = {
    info: () => undefined,
    debug: () => undefined,
    warn: (message: string) => void this.lines.push(message),
    error: (message: string) => void this.lines.push(message),
    namespace: () => this.logger,
    setLogLevel: () => undefined,
  };

  seen(pattern: RegExp): Promise<string> {
    return waitFor(async () => this.lines.find((line) => pattern.test(line)), `an error matching ${pattern}`, 30_000);
  }
}

/** A client with short timeouts, as `principal` (or without credentials), its errors recorded. */
function clientAs(sasl: KafkaSasl | undefined, errors = new RecordedErrors()): KafkaJS.Kafka {
  return new KafkaJS.Kafka({
    kafkaJS: {
      brokers: admin.brokers,
      clientId: uniqueName('authz'),
      logLevel: KafkaJS.logLevel.WARN,
      logger: errors.logger,
      connectionTimeout: 3_000,
      requestTimeout: 3_000,
      ...(sasl === undefined ? {} : { sasl }),
    },
  });
}

function publisherAs(principal: string): EventPublisher {
  return new EventPublisher({ ...testConnection(uniqueName(principal)), namespace, sasl: saslOf(principal) });
}

/** Reads `topic` as `principal` in `group` from the beginning, collecting message values. */
async function consumerAs(principal: string, group: string, topic: string, errors: RecordedErrors): Promise<{ values: string[]; stop: () => Promise<void> }> {
  const consumer = clientAs(saslOf(principal), errors).consumer({ kafkaJS: { groupId: group, fromBeginning: true } });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
  return { values, stop: () => consumer.disconnect() };
}

/**
 * The broker's refusal of a write: the client reports it as an error typed ERR_TOPIC_AUTHORIZATION_FAILED
 * or, when the refusal arrives in the delivery report, as a plain error with the broker's words (a CI run saw both).
 */
const topicAuthorizationFailed = /Topic authorization failed/;

describe('Kafka authentication and ACLs of the local stack', () => {
  const publishers: EventPublisher[] = [];
  const as = (principal: string) => {
    const publisher = publisherAs(principal);
    publishers.push(publisher);
    return publisher;
  };
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    await principals('adapter', vendorA, vendorB);
    await principals('booking');
    await principals('registry-exporter');
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...publishers.map((p) => p.close()), ...stops.map((stop) => stop())]);
    await principals('adapter', vendorA, vendorB, '--revoke');
    await principals('booking', '--revoke');
    await principals('registry-exporter', '--revoke');
    await deleteNamespaceTopics(admin, namespace);
  }, 180_000);

  it('refuses a client without credentials: it can neither list topics, produce nor consume', async () => {
    const errors = new RecordedErrors();
    const kafka = clientAs(undefined, errors);
    const anonymous = kafka.admin();
    await anonymous.connect();
    await expect(anonymous.listTopics()).rejects.toMatchObject({ type: 'ERR__TRANSPORT' });
    await anonymous.disconnect().catch(() => undefined);

    const producer = kafka.producer({ 'message.timeout.ms': 5_000 });
    const producing = (async () => {
      await producer.connect();
      await producer.send({ topic: inNs(`mis.slot.${vendorA}`), messages: [{ value: 'anonymous' }] });
    })();
    await expect(producing).rejects.toMatchObject({ message: expect.stringMatching(/broker transport failure|message timed out/i) });
    await producer.disconnect().catch(() => undefined);

    await as('booking').publishRaw(inNs(`booking.command.${vendorA}`), { key: 'k', value: 'a command' });
    const consumer = kafka.consumer({ kafkaJS: { groupId: inNs(`mis-adapter-${vendorA}-commands`), fromBeginning: true } });
    const received: string[] = [];
    const refusal = await (async () => {
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [inNs(`booking.command.${vendorA}`)] });
        await consumer.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) });
        return await errors.seen(/transport failure|all broker connections are down/i);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    await consumer.disconnect().catch(() => undefined);
    expect(refusal).toMatch(/transport failure|all broker connections are down/i);
    expect(received).toEqual([]);
  });

  it('refuses a wrong password at authentication', async () => {
    const errors = new RecordedErrors();
    const client = clientAs({ mechanism: 'scram-sha-512', username: 'booking', password: 'not-the-password' }, errors).admin();
    await client.connect();
    await expect(client.listTopics()).rejects.toMatchObject({ type: 'ERR__TRANSPORT' });
    await client.disconnect();
    expect(await errors.seen(/SASL authentication error/)).toMatch(/Authentication failed during authentication due to invalid credentials/);
  });

  it("lets booking write an adapter's commands but not its slots", async () => {
    const booking = as('booking');
    await expect(booking.publishRaw(inNs(`booking.command.${vendorA}`), { key: 'k', value: 'a command' })).resolves.toBeUndefined();
    await expect(booking.publishRaw(inNs(`mis.slot.${vendorA}`), { key: 'k', value: 'a forged slot' })).rejects.toThrow(topicAuthorizationFailed);
  });

  it("lets an adapter write its own slots, and neither write another adapter's nor read its commands", async () => {
    const adapterA = as(vendorA);
    await expect(adapterA.publishRaw(inNs(`mis.slot.${vendorA}`), { key: 'k', value: 'own slot' })).resolves.toBeUndefined();
    await expect(adapterA.publishRaw(inNs(`mis.slot.${vendorB}`), { key: 'k', value: "B's slot, forged" })).rejects.toThrow(topicAuthorizationFailed);

    const booking = as('booking');
    await booking.publishRaw(inNs(`booking.command.${vendorA}`), { key: 'k', value: 'for A' });
    await booking.publishRaw(inNs(`booking.command.${vendorB}`), { key: 'k', value: 'for B' });

    const ownErrors = new RecordedErrors();
    const own = await consumerAs(vendorA, inNs(`mis-adapter-${vendorA}-commands`), inNs(`booking.command.${vendorA}`), ownErrors);
    stops.push(own.stop);
    await waitFor(async () => own.values.includes('for A'), "A's own command", 30_000);

    const errors = new RecordedErrors();
    const others = await consumerAs(vendorA, inNs(`mis-adapter-${vendorA}-spying`), inNs(`booking.command.${vendorB}`), errors);
    stops.push(others.stop);
    await errors.seen(/Topic authorization failed/);
    expect(others.values).toEqual([]);
  });

  it("lets the registry exporter read any adapter's slots and write their dead letters, and never write the slots", async () => {
    await as(vendorB).publishRaw(inNs(`mis.slot.${vendorB}`), { key: 'k', value: "B's slot for the exporter" });
    const errors = new RecordedErrors();
    const slots = await consumerAs('registry-exporter', inNs('registry-exporter-slots'), inNs(`mis.slot.${vendorB}`), errors);
    stops.push(slots.stop);
    await waitFor(async () => slots.values.includes("B's slot for the exporter"), "B's slot, read by the exporter", 30_000);

    const exporter = as('registry-exporter');
    await expect(exporter.publishRaw(inNs(`mis.slot.${vendorB}`), { key: 'k', value: 'a forged slot' })).rejects.toThrow(topicAuthorizationFailed);
    await expect(exporter.publishRaw(inNs(`dlq.mis.slot.${vendorB}`), { key: 'k', value: 'an undecodable slot' })).resolves.toBeUndefined();
    await expect(exporter.publishRaw(inNs('dlq.booking.appointment'), { key: 'k', value: 'an undecodable appointment' })).resolves.toBeUndefined();
    await expect(exporter.publishRaw(inNs(`booking.command.${vendorB}`), { key: 'k', value: 'a forged command' })).rejects.toThrow(topicAuthorizationFailed);
  });
});
