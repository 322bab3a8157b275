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
