import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { KafkaConnectionOptions } from './kafka.config';

/**
 * A Kafka client on the connection's brokers with its SASL credentials and TLS: every producer,
 * consumer and admin of ours is made from one, so none connects without them.
 */
export function kafkaClientOf(
  connection: Pick<KafkaConnectionOptions, 'sasl' | 'ssl'> & { readonly brokers: readonly string[] },
  clientId: string,
  logLevel: KafkaJS.logLevel = KafkaJS.logLevel.WARN,
): KafkaJS.Kafka {
  const { sasl, ssl } = connection;
  return new KafkaJS.Kafka({
    kafkaJS: {
      brokers: [...connection.brokers],
      clientId,
      logLevel,
      ...(sasl === undefined ? {} : { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } }),
      ...(ssl === undefined ? {} : { ssl: true }),
    },
    // The compat layer takes only `ssl: true`; librdkafka's own settings carry the rest.
    ...(ssl?.caFile === undefined ? {} : { 'ssl.ca.location': ssl.caFile }),
  });
}
