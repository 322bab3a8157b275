import { readStackEnv } from './stack-env.reader';

/**
 * Jest setup for integration tests: takes the addresses that `npm run stack:up` wrote to
 * `.medbus/stack.env`, without overriding anything the caller exported explicitly.
 */
for (const [name, value] of Object.entries(readStackEnv())) {
  if (process.env[name] === undefined) process.env[name] = value;
}
