import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { REDACTED } from './pii.patterns';
import { RedactingSpanProcessor } from './redacting-span.processor';

describe('RedactingSpanProcessor', () => {
  const exported = new InMemorySpanExporter();
  const unredacted = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new RedactingSpanProcessor(new SimpleSpanProcessor(exported)), new SimpleSpanProcessor(unredacted)],
  });
  const tracer: Tracer = provider.getTracer('redaction-test');

  afterEach(() => {
    exported.reset();
    unredacted.reset();
  });

  afterAll(() => provider.shutdown());

  async function exportedSpan(): Promise<ReadableSpan> {
    await provider.forceFlush();
    const [span] = exported.getFinishedSpans();
    return span;
  }

  it('exports a span about a patient with no СНИЛС and no phone left in it', async () => {
    tracer
      .startSpan('GET /v1/patients', {
        attributes: {
          'patient.snils': '112-233-445 95',
          'http.url': 'http://x/v1/patients?phone=+79161234567',
          'db.statement': "select * from p where snils='11223344595'",
        },
      })
      .end();

    const span = await exportedSpan();

    expect(span.attributes).toEqual({
      'patient.snils': REDACTED,
      'http.url': `http://x/v1/patients?phone=${REDACTED}`,
      'db.statement': `select * from p where snils='${REDACTED}'`,
    });
    expect(JSON.stringify(span.attributes)).not.toMatch(/112-233-445|11223344595|9161234567/);
  });

  it('redacts recorded exceptions, event attributes, link attributes and the status message', async () => {
    const span = tracer.startSpan('CheckPatient', {
      links: [{ context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }, attributes: { 'patient.phone': '+79161234567' } }],
    });
    span.recordException(new Error('duplicate key value: Key (snils)=(112-233-445 95) already exists'));
    span.addEvent('patient found', { 'patient.enp': '7755010834000123', 'patient.id': 'p-1' });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'no patient with ЕНП 7755010834000123' });
    span.end();

    const redacted = await exportedSpan();

    expect(JSON.stringify([redacted.events, redacted.links, redacted.status])).not.toMatch(/112-233-445|9161234567|7755010834000123/);
    expect(redacted.events[1].attributes).toEqual({ 'patient.enp': REDACTED, 'patient.id': 'p-1' });
    expect(redacted.events[0].attributes?.['exception.type']).toBe('Error');
    expect(redacted.status).toEqual({ code: SpanStatusCode.ERROR, message: `no patient with ЕНП ${REDACTED}` });
  });

  it('keeps what is not patient data: slot ids, OIDs, slot times, ids and the span identity', async () => {
    const attributes = {
      'slot.id': '1.2.643.5.1.13.13.12.2.23.1234:777',
      'specialty.dictionary': '1.2.643.5.1.13.13.11.1066',
      'slot.visit_start': '2026-03-02T08:00:00+03:00',
      'patient.id': 'p-1',
      'messaging.kafka.offset': 104857,
      'http.status_code': 409,
      retried: false,
    };
    const span = tracer.startSpan('BookSlot', { attributes });
    span.end();

    const redacted = await exportedSpan();

    expect(redacted.attributes).toEqual(attributes);
    expect(redacted.name).toBe('BookSlot');
    expect(redacted.spanContext()).toEqual(span.spanContext());
    expect(redacted.resource).toBe(unredacted.getFinishedSpans()[0].resource);
  });

  it('leaves the span other processors see as it was', async () => {
    tracer.startSpan('lookup', { attributes: { 'patient.snils': '112-233-445 95' } }).end();
    await provider.forceFlush();

    expect(unredacted.getFinishedSpans()[0].attributes['patient.snils']).toBe('112-233-445 95');
  });
});
