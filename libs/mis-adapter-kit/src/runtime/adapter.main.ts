import type { z } from 'zod';
import { loadConfig } from '@medbus/config';
import { RedactingLogger } from '@medbus/telemetry';
import type { RuntimeDependencies } from './adapter.runtime';
import type { DialectLogger } from './mis.dialect';

/** What an adapter's main starts and stops. */
export interface RunnableAdapter {
  start(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * An adapter's process: its configuration checked (a missing variable named, never a value), the
 * redacting logger under the adapter's name, started, stopped on SIGTERM/SIGINT, then `onShutdown`
 * (the telemetry's flush). Every adapter's main.ts is this call after its instrumentation import.
 */
export function runMisAdapter<S extends z.ZodTypeAny>(
  name: string,
  schema: S,
  create: (config: z.output<S>, deps: RuntimeDependencies) => RunnableAdapter,
  onShutdown: () => Promise<void>,
): void {
  const main = async () => {
    const config = loadConfig(schema);
    const nestLogger = new RedactingLogger();
    const logger: DialectLogger = {
      log: (message, ...params) => nestLogger.log(message, ...params, name),
      warn: (message, ...params) => nestLogger.warn(message, ...params, name),
      error: (message, ...params) => nestLogger.error(message, ...params, name),
    };
    const adapter = create(config, { logger });
    await adapter.start();
    const shutdown = async () => {
      await adapter.stop();
      await onShutdown();
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown());
    process.once('SIGINT', () => void shutdown());
  };
  main().catch((error: unknown) => {
    // A ConfigError names variables, never their values.
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  });
}
