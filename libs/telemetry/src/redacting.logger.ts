import { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from '@nestjs/common';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { redact } from './pii.redactor';

/** The options of Nest's ConsoleLogger that still mean something for JSON lines. */
export type RedactingLoggerOptions = Pick<ConsoleLoggerOptions, 'logLevels' | 'context' | 'forceConsole'>;

/** One line of a medbus log. */
export interface LogRecord {
  readonly timestamp: string;
  readonly level: string;
  readonly context?: string;
  readonly message: unknown;
  /** Further arguments of the call (`logger.log('booked', { slotId })`). */
  readonly params?: readonly unknown[];
  readonly stack?: unknown;
  readonly trace_id?: string;
  readonly span_id?: string;
}

/**
 * Nest's logger for every medbus service: one JSON object per line, with the trace and span
 * of the active context so that a log line leads to its trace in Zipkin, and with patient
 * data redacted from the message, the extra arguments and the stack.
 *
 * `NestFactory.create(AppModule, { logger: new RedactingLogger() })`; Nest's `Logger`
 * instances in services then write through it.
 */
export class RedactingLogger extends ConsoleLogger {
  constructor(options: RedactingLoggerOptions = {}) {
    super({ ...options, json: true, colors: false });
  }

  protected override printMessages(
    messages: unknown[],
    context = '',
    logLevel: LogLevel = 'log',
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    if (messages.length === 0) return;
    const [message, ...params] = messages.map(redact);
    const record = this.toRecord(message, params, context, logLevel, errorStack === undefined ? undefined : redact(errorStack));
    const line = this.stringifyJsonLogObject({ ...record });
    if (this.options.forceConsole) {
      if (writeStreamType === 'stderr') console.error(line);
      else console.log(line);
      return;
    }
    process[writeStreamType ?? 'stdout'].write(`${line}\n`);
  }

  private toRecord(message: unknown, params: unknown[], contextName: string, logLevel: LogLevel, stack: unknown): LogRecord {
    const spanContext = trace.getSpanContext(context.active());
    const traced = spanContext !== undefined && isSpanContextValid(spanContext);
    return {
      timestamp: new Date().toISOString(),
      // Log collectors know `info`; Nest calls it `log`.
      level: logLevel === 'log' ? 'info' : logLevel,
      ...(contextName === '' ? {} : { context: contextName }),
      message,
      ...(params.length === 0 ? {} : { params }),
      ...(stack === undefined ? {} : { stack }),
      ...(traced ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {}),
    };
  }
}
