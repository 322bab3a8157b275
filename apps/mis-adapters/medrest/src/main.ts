import { telemetry } from './instrument';
import { runMisAdapter } from '@medbus/mis-adapter-kit';
import { medRestAdapterConfigSchema } from './medrest.config';
import { MedRestAdapter } from './medrest-adapter.module';

runMisAdapter('MedRestAdapter', medRestAdapterConfigSchema, (config, deps) => new MedRestAdapter(config, deps), () => telemetry.shutdown());
