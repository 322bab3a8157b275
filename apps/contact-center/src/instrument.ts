import { loadConfig } from '@medbus/config';
import { startTelemetry } from '@medbus/telemetry';
import { contactCenterTelemetryConfigSchema } from './contact-center.config';

const config = loadConfig(contactCenterTelemetryConfigSchema);

export const telemetry = startTelemetry({
  serviceName: config.OTEL_SERVICE_NAME,
  tracesEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  enabled: !config.OTEL_SDK_DISABLED,
});
