import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Jest setup for integration tests: takes the addresses that `npm run stack:up` wrote to
 * `.medbus/stack.env`, without overriding anything the caller exported explicitly.
 */
const stackEnvFile = join(__dirname, '..', '..', '..', '.medbus', 'stack.env');

if (existsSync(stackEnvFile)) {
  for (const line of readFileSync(stackEnvFile, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match && process.env[match[1]] === undefined) process.env[match[1]] = match[2];
  }
}
