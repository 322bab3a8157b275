import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { defaultResource, hostDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { RedactingSpanProcessor } from './redacting-span.processor';

export interface TelemetryOptions {
  /** `service.name` of every span (`booking`, `mis-adapter-samson`). */
  readonly serviceName: string;
  /**
   * Where spans go as OTLP/HTTP protobuf: Zipkin with its OTel module
   * (`http://127.0.0.1:9411/v1/traces`) or an OpenTelemetry Collector
   * (`http://collector:4318/v1/traces`). Without it spans are created and propagated
   * (trace ids in logs and Kafka headers) but exported nowhere.
   */
  readonly tracesEndpoint?: string;
  /** `false` starts nothing: no patching, no context manager, no export. */
  readonly enabled: boolean;
  /**
   * More processors, also behind redaction. For tests:
   * `new SimpleSpanProcessor(new InMemorySpanExporter())`, then `forceFlush()` and assert.
   */
  readonly spanProcessors?: readonly SpanProcessor[];
}

export interface TelemetryHandle {
  /** Exports every ended span still buffered. */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and unpatches; call last in graceful shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing for this process: W3C trace context, spans of http, express,
 * pg and Nest, redacted, batched and exported over OTLP/HTTP protobuf.
 *
 * Instrumentation works by patching modules as they are first loaded, so this must run
 * before anything imports Nest, express or pg. Each app has an `instrument.ts` that
 * `main.ts` imports on its first line:
 *
 * @example
 * // instrument.ts: imports nothing but config and telemetry
 * import { loadConfig, telemetryConfigSchema } from '@medbus/config';
 * import { startTelemetry } from '@medbus/telemetry';
 * const config = loadConfig(telemetryConfigSchema);
 * export const telemetry = startTelemetry({
 *   serviceName: config.OTEL_SERVICE_NAME,
 *   tracesEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
 *   enabled: !config.OTEL_SDK_DISABLED,
 * });
 *
 * // main.ts
 * import { telemetry } from './instrument';
 * import { NestFactory } from '@nestjs/core';
 * // ... after app.close(): await telemetry.shutdown();
 */
export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  if (!options.enabled) return { forceFlush: async () => undefined, shutdown: async () => undefined };

  const exporting: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (options.tracesEndpoint !== undefined) {
    exporting.unshift(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.tracesEndpoint })));
  }
  // NodeSDK registers no tracer provider without a processor; spans would then have no ids.
  const spanProcessors = exporting.length === 0 ? [new NoopSpanProcessor()] : exporting.map((processor) => new RedactingSpanProcessor(processor));

  const instrumentations = [
    new HttpInstrumentation(),
    // Nest's own spans name the handler; one span per body parser and middleware is noise.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    new NestInstrumentation(),
    // Outbox relays and pollers query on a timer; without a parent those would be one trace each.
    new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
  ];

  const sdk = new NodeSDK({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName })),
    // Not the env or process detectors: config is read in one place, and process.command_args may hold secrets.
    resourceDetectors: [hostDetector],
    textMapPropagator: new W3CTraceContextPropagator(),
    spanProcessors,
    // Without this NodeSDK sets up an OTLP log exporter from OTEL_LOGS_EXPORTER's default.
    logRecordProcessors: [],
    instrumentations,
  });
  sdk.start();

  return {
    forceFlush: () => Promise.all(spanProcessors.map((processor) => processor.forceFlush())).then(() => undefined),
    shutdown: async () => {
      await sdk.shutdown();
      for (const instrumentation of instrumentations) instrumentation.disable();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
