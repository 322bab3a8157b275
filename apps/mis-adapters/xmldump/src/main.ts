import { telemetry } from './instrument';
import { loadConfig } from '@medbus/config';
import { RedactingLogger } from '@medbus/telemetry';
import { xmlDumpAdapterConfigSchema } from './xmldump.config';
import { XmlDumpAdapter } from './xmldump-adapter.module';

async function main(): Promise<void> {
  const config = loadConfig(xmlDumpAdapterConfigSchema);
  const nestLogger = new RedactingLogger();
  const logger = {
    log: (message: string, ...params: unknown[]) => nestLogger.log(message, ...params, 'XmlDumpAdapter'),
    warn: (message: string, ...params: unknown[]) => nestLogger.warn(message, ...params, 'XmlDumpAdapter'),
    error: (message: string, ...params: unknown[]) => nestLogger.error(message, ...params, 'XmlDumpAdapter'),
  };
  const adapter = new XmlDumpAdapter(config, { logger });
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
