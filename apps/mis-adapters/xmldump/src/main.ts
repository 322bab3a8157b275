import { telemetry } from './instrument';
import { runMisAdapter } from '@medbus/mis-adapter-kit';
import { xmlDumpAdapterConfigSchema } from './xmldump.config';
import { XmlDumpAdapter } from './xmldump-adapter.module';

runMisAdapter('XmlDumpAdapter', xmlDumpAdapterConfigSchema, (config, deps) => new XmlDumpAdapter(config, deps), () => telemetry.shutdown());
