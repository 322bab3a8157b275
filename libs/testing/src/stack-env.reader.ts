import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The addresses `npm run stack:up` wrote to `.medbus/stack.env` (empty when the stack never ran). */
export function readStackEnv(file = join(__dirname, '..', '..', '..', '.medbus', 'stack.env')): Record<string, string> {
  const env: Record<string, string> = {};
  if (!existsSync(file)) return env;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]] = match[2];
  }
  return env;
}

/**
 * The SCRAM password `npm run stack:up` (or `tools/stack/kafka-principal.sh`) generated for a Kafka
 * principal, from `.medbus/kafka-users.env`; undefined when that principal was never provisioned.
 */
export function readKafkaPassword(principal: string, file = join(__dirname, '..', '..', '..', '.medbus', 'kafka-users.env')): string | undefined {
  const variable = `KAFKA_PASSWORD_${principal.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return readStackEnv(file)[variable];
}
