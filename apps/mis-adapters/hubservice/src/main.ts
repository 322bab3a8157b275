import { telemetry } from './instrument';
import { runMisAdapter } from '@medbus/mis-adapter-kit';
import { hubServiceAdapterConfigSchema } from './hubservice.config';
import { HubServiceAdapter } from './hubservice-adapter.module';

runMisAdapter('HubServiceAdapter', hubServiceAdapterConfigSchema, (config, deps) => new HubServiceAdapter(config, deps), () => telemetry.shutdown());
