import { trace } from '@opentelemetry/api';
import { REDACTED } from './pii.patterns';
import { RedactingLogger } from './redacting.logger';
import { startTelemetry, type TelemetryHandle } from './telemetry.bootstrap';

describe('RedactingLogger', () => {
  let telemetry: TelemetryHandle;
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;

  beforeAll(() => {
    telemetry = startTelemetry({ serviceName: 'logger-test', enabled: true });
  });

  afterAll(() => telemetry.shutdown());

  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => jest.restoreAllMocks());

  function linesOf(stream: jest.SpyInstance): Record<string, unknown>[] {
    return stream.mock.calls.map(([chunk]: [string]) => {
      expect(chunk.endsWith('\n')).toBe(true);
      expect(chunk.trimEnd()).not.toContain('\n');
      return JSON.parse(chunk) as Record<string, unknown>;
    });
  }

  it('writes one JSON line with timestamp, level, context and message', () => {
    new RedactingLogger().log('slot 1.2.643.5.1.13.13.12.2.23.1234:777 booked', 'BookingService');

    expect(linesOf(stdout)).toEqual([
      { timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), level: 'info', context: 'BookingService', message: 'slot 1.2.643.5.1.13.13.12.2.23.1234:777 booked' },
    ]);
  });

  it('redacts an ЕНП and a phone from the message and the extra arguments', () => {
    new RedactingLogger().warn('callback to +7 (916) 123-45-67 for policy 7755010834000123', { patient: { id: 'p-1', phone: '89161234567' } }, 'Callbacks');

    const [line] = linesOf(stdout);
    expect(line).toMatchObject({
      level: 'warn',
      context: 'Callbacks',
      message: `callback to ${REDACTED} for policy ${REDACTED}`,
      params: [{ patient: { id: 'p-1', phone: REDACTED } }],
    });
    expect(JSON.stringify(line)).not.toMatch(/916|7755010834000123/);
  });

  it('carries the trace and span ids of the active span', () => {
    const logger = new RedactingLogger({ context: 'Booking' });

    const span = trace.getTracer('logger-test').startActiveSpan('BookSlot', (active) => {
      logger.log('booking');
      active.end();
      return active;
    });
    logger.log('after the span');

    const [inside, outside] = linesOf(stdout);
    expect(inside).toMatchObject({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(outside).not.toHaveProperty('trace_id');
  });

  it('writes errors to stderr with their stack redacted', () => {
    const error = new Error('no patient with snils 112-233-445 95');

    new RedactingLogger().error(error.message, error.stack, 'Registry');

    const [line] = linesOf(stderr);
    expect(line).toMatchObject({ level: 'error', context: 'Registry', message: `no patient with snils ${REDACTED}` });
    expect(line['stack']).toEqual(expect.stringContaining(`Error: no patient with snils ${REDACTED}\n    at `));
    expect(stdout).not.toHaveBeenCalled();
  });

  it('redacts an error logged as an object', () => {
    new RedactingLogger().error(new Error('callback to +79161234567 failed'));

    const [line] = linesOf(stderr);
    expect(line['message']).toMatchObject({ name: 'Error', message: `callback to ${REDACTED} failed` });
  });

  it('writes nothing below the configured levels', () => {
    new RedactingLogger({ logLevels: ['warn', 'error'] }).log('noise');

    expect(stdout).not.toHaveBeenCalled();
  });
});
