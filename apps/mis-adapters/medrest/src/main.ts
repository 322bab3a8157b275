import { telemetry } from './instrument';
import { loadConfig } from '@medbus/config';
import { RedactingLogger } from '@medbus/telemetry';
import { medRestAdapterConfigSchema } from './medrest.config';
import { MedRestAdapter } from './medrest-adapter.module';

async function main(): Promise<void> {
  const config = loadConfig(medRestAdapterConfigSchema);
  const nestLogger = new RedactingLogger();
  const logger = {
    log: (message: string, ...params: unknown[]) => nestLogger.log(message, ...params, 'MedRestAdapter'),
    warn: (message: string, ...params: unknown[]) => nestLogger.warn(message, ...params, 'MedRestAdapter'),
    error: (message: string, ...params: unknown[]) => nestLogger.error(message, ...params, 'MedRestAdapter'),
  };
  const adapter = new MedRestAdapter(config, { logger });
  await adapter.start();
  const shutdown = async () => {
    await adapter.stop();
    await telemetry.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
