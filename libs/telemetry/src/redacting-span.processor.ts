import type { AttributeValue, Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { REDACTED } from './pii.patterns';
import { redactEntry, redactText } from './pii.redactor';

/**
 * Wraps the processor that exports spans so that it only ever sees a redacted copy: span
 * name, attributes, event names and attributes (exception messages and stacks included),
 * link attributes and the status message go through `redact`.
 *
 * A copy rather than an edit of the ended span, because ReadableSpan is read-only by
 * contract and other processors may hold the same span.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  constructor(private readonly exporting: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.exporting.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.exporting.onEnd(redactSpan(span));
  }

  forceFlush(): Promise<void> {
    return this.exporting.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.exporting.shutdown();
  }
}

/** A redacted copy of an ended span. */
export function redactSpan(span: ReadableSpan): ReadableSpan {
  const { status } = span;
  return {
    name: redactText(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    ended: span.ended,
    status: status.message === undefined ? status : { ...status, message: redactText(status.message) },
    attributes: redactAttributes(span.attributes),
    links: span.links.map((link) => (link.attributes ? { ...link, attributes: redactAttributes(link.attributes) } : link)),
    events: span.events.map((event) => ({
      ...event,
      name: redactText(event.name),
      ...(event.attributes ? { attributes: redactAttributes(event.attributes) } : {}),
    })),
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Span, event or link attributes with patient data replaced by `[REDACTED]`. */
export function redactAttributes(attributes: Attributes): Attributes {
  const result: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) result[key] = asAttributeValue(redactEntry(key, value));
  }
  return result;
}

// Attribute values are primitives or arrays of them; redactEntry keeps them so, but the type says unknown.
function asAttributeValue(value: unknown): AttributeValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (!Array.isArray(value)) return REDACTED;
  if (value.every((item: unknown): item is number | null | undefined => item == null || typeof item === 'number')) return value;
  if (value.every((item: unknown): item is boolean | null | undefined => item == null || typeof item === 'boolean')) return value;
  return value.map((item: unknown) => (item == null || typeof item === 'string' ? item : String(item)));
}
