import { telemetry } from './instrument';
import { loadConfig } from '@medbus/config';
import { RedactingLogger } from '@medbus/telemetry';
import { inboundAdapterConfigSchema } from './inbound.config';
import { InboundAdapter } from './inbound-adapter.module';

async function main(): Promise<void> {
  const config = loadConfig(inboundAdapterConfigSchema);
  const nestLogger = new RedactingLogger();
  const logger = {
    log: (message: string, ...params: unknown[]) => nestLogger.log(message, ...params, 'InboundAdapter'),
    warn: (message: string, ...params: unknown[]) => nestLogger.warn(message, ...params, 'InboundAdapter'),
    error: (message: string, ...params: unknown[]) => nestLogger.error(message, ...params, 'InboundAdapter'),
  };
  const adapter = new InboundAdapter(config, { logger });
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
