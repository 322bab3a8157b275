import { loadConfig, telemetryConfigSchema } from '@medbus/config';
import { startTelemetry } from '@medbus/telemetry';

const config = loadConfig(telemetryConfigSchema);

export const telemetry = startTelemetry({
  serviceName: config.OTEL_SERVICE_NAME,
  tracesEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  enabled: !config.OTEL_SDK_DISABLED,
});
