import { loadConfig, telemetryConfigSchema } from '@medbus/config';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from '../telemetry.bootstrap';

// An app's instrument.ts as startTelemetry documents it, with an in-memory exporter to read back.
export const exporter = new InMemorySpanExporter();
export const patchableLoadedEarly = Object.keys(require.cache).filter((path) => /node_modules\/(@nestjs\/core|express|pg)\//.test(path));
const config = loadConfig(telemetryConfigSchema);
export const telemetry = startTelemetry({
  serviceName: config.OTEL_SERVICE_NAME,
  tracesEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  enabled: !config.OTEL_SDK_DISABLED,
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
