import { telemetry } from './instrument';
import { runMisAdapter } from '@medbus/mis-adapter-kit';
import { inboundAdapterConfigSchema } from './inbound.config';
import { InboundAdapter } from './inbound-adapter.module';

runMisAdapter('InboundAdapter', inboundAdapterConfigSchema, (config, deps) => new InboundAdapter(config, deps), () => telemetry.shutdown());
