import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from './telemetry.bootstrap';

const patientSpan = {
  'patient.snils': '112-233-445 95',
  'http.url': 'http://x/v1/patients?phone=+79161234567',
  'db.statement': "select * from p where snils='11223344595'",
  'slot.id': '1.2.643.5.1.13.13.12.2.23.1234:777',
};

describe('startTelemetry', () => {
  it('hands spans to extra processors redacted, under the service name', async () => {
    const exporter = new InMemorySpanExporter();
    const telemetry = startTelemetry({ serviceName: 'booking', enabled: true, spanProcessors: [new SimpleSpanProcessor(exporter)] });

    trace.getTracer('test').startSpan('lookup', { attributes: patientSpan }).end();
    await telemetry.forceFlush();
    const [span] = exporter.getFinishedSpans();
    await telemetry.shutdown();

    expect(span.resource.attributes['service.name']).toBe('booking');
    expect(span.attributes).toEqual({
      'patient.snils': '[REDACTED]',
      'http.url': 'http://x/v1/patients?phone=[REDACTED]',
      'db.statement': "select * from p where snils='[REDACTED]'",
      'slot.id': '1.2.643.5.1.13.13.12.2.23.1234:777',
    });
  });

  it('propagates W3C trace context and nothing else', async () => {
    const telemetry = startTelemetry({ serviceName: 'booking', enabled: true });
    const span = trace.getTracer('test').startSpan('publish');
    const headers: Record<string, string> = {};

    propagation.inject(trace.setSpan(context.active(), span), headers);
    span.end();
    await telemetry.shutdown();

    const { traceId, spanId } = span.spanContext();
    expect(headers).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
  });

  it('records nothing when disabled', async () => {
    const telemetry = startTelemetry({ serviceName: 'booking', enabled: false });

    const span = trace.getTracer('test').startSpan('lookup');

    expect(span.isRecording()).toBe(false);
    await telemetry.shutdown();
  });
});
