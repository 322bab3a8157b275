import { context, propagation, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import type { KafkaJS } from '@confluentinc/kafka-javascript';

export const Headers = {
  eventId: 'event-id',
  eventType: 'event-type',
  correlationId: 'correlation-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  deadLetterReason: 'dlq-reason',
  deadLetterCode: 'dlq-error-code',
  deadLetterTopic: 'dlq-original-topic',
  deadLetterPartition: 'dlq-original-partition',
  deadLetterOffset: 'dlq-original-offset',
  deadLetterGroup: 'dlq-consumer-group',
  deadLetterAttempts: 'dlq-attempts',
  deadLetterAt: 'dlq-failed-at',
} as const;

export type StringHeaders = Record<string, string>;

export function headerText(headers: KafkaJS.IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

export function headersAsText(headers: KafkaJS.IHeaders | undefined): StringHeaders {
  const result: StringHeaders = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerText(headers, name);
    if (value !== undefined) result[name] = value;
  }
  return result;
}

const setter: TextMapSetter<StringHeaders> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<StringHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** Writes the W3C trace context of `ctx` (`traceparent`, `tracestate`) into the headers. */
export function injectTraceContext(headers: StringHeaders, ctx: Context = context.active()): StringHeaders {
  propagation.inject(ctx, headers, setter);
  return headers;
}

/** The context a producer sent in the headers, so that a consumer span becomes its child. */
export function extractTraceContext(headers: StringHeaders): Context {
  return propagation.extract(context.active(), headers, getter);
}
