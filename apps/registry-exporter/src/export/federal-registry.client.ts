import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SpanKind, SpanStatusCode, context, trace, type Link, type Span, type SpanContext } from '@opentelemetry/api';
import { AppConfig } from '@medbus/config';
import { AppError } from '@medbus/errors';
import {
  FerFaultCode,
  FerOperation,
  ferList,
  ferSoapActionOf,
  type FerGetLocationsResponse,
  type FerGetSlotsResponse,
  type FerLocation,
  type FerRequests,
  type FerResult,
  type FerSlot,
  type FerUpdateAppointmentStatusRequest,
} from '@medbus/federal-registry';
import { Headers, extractTraceContext } from '@medbus/kafka';
import type { ExporterConfig } from '../exporter.config';
import { FederalBadResponseError, FederalFaultError, FederalRateLimitedError, FederalTimeoutError, FederalUnavailableError } from '../exporter.errors';
import { ferRequestXml, locationOf, parseFerAnswer, resultOf, resultsOf, slotOf, type FerAnswer } from './federal-envelope.mapper';
import { CallPacer } from './federal-view.mapper';

type FederalClientConfig = Pick<ExporterConfig, 'FER_URL' | 'FER_LOGIN' | 'FER_PASSWORD' | 'FER_TIMEOUT_MS' | 'FER_CALLS_PER_SECOND'>;

/** W3C traceparents of the objects a call carries (null where an object has none). */
export type Traceparents = readonly (string | null)[];

/** How the last call to the federal side went, for the export status. */
export interface FederalCallRecord {
  readonly at: Date;
  readonly operation: FerOperation;
  /** ANSWERED (the federal side answered for the items) or the error code of the failure. */
  readonly outcome: string;
  readonly reachable: boolean;
}

const tracer = trace.getTracer('registry-exporter');
const maxSpanLinks = 100;
/**
 * A call carrying at most this many traced changes also ends each change's own trace with a span of its
 * export: trace viewers without span links (Zipkin) then show a change's path from the MIS to the federal
 * side. A bulk call (an initial export, a drained backlog) is linked only, not thousands of spans.
 */
const maxExportSpans = 16;
// A session is renewed a minute before the federal side would expire it.
const sessionMarginMs = 60_000;
const defaultRetryAfterSeconds = 1;

type Body = Record<string, unknown>;

/**
 * The federal registry's push API (SOAP 1.1 over HTTP, libs/federal-registry): one session for the
 * process, opened on first use and again when the federal side forgets it; calls spaced to at most
 * FER_CALLS_PER_SECOND; each call one span (linked to the traces of the objects it carries) and one
 * log line of counts, never a SNILS or a name. A call that gets no answer for its items throws a
 * FederalFailure (unavailable, timeout, rate-limited, fault) and the caller decides when to retry.
 */
@Injectable()
export class FederalRegistryClient implements OnApplicationShutdown {
  private readonly logger = new Logger(FederalRegistryClient.name);
  private readonly pacer: CallPacer;
  private session?: { readonly id: string; readonly renewAt: number };
  private opening?: Promise<string>;
  private last?: FederalCallRecord;

  constructor(@Inject(AppConfig) private readonly config: FederalClientConfig) {
    this.pacer = new CallPacer(config.FER_CALLS_PER_SECOND);
  }

  /** The last call made, answered or not. */
  get lastCall(): FederalCallRecord | undefined {
    return this.last;
  }

  updateLocations(locations: readonly FerLocation[], traceparents: Traceparents = []): Promise<FerResult[]> {
    return this.batch(FerOperation.UpdateLocations, { Location: [...locations] }, locations.length, traceparents);
  }

  removeLocations(locationIds: readonly string[], traceparents: Traceparents = []): Promise<FerResult[]> {
    return this.batch(FerOperation.RemoveLocations, { Location_Id: [...locationIds] }, locationIds.length, traceparents);
  }

  updateSlots(slots: readonly FerSlot[], traceparents: Traceparents = []): Promise<FerResult[]> {
    return this.batch(FerOperation.UpdateSlots, { Slot: [...slots] }, slots.length, traceparents);
  }

  removeSlots(slotIds: readonly string[], traceparents: Traceparents = []): Promise<FerResult[]> {
    return this.batch(FerOperation.RemoveSlots, { Slot_Id: [...slotIds] }, slotIds.length, traceparents);
  }

  async updateAppointmentStatus(request: Omit<FerUpdateAppointmentStatusRequest, 'Session_ID'>, traceparent: string | null = null): Promise<FerResult> {
    return this.call(FerOperation.UpdateAppointmentStatus, request, 1, [traceparent], (body) => {
      const results = ferList(body['Result'] as unknown[] | undefined);
      const result = results.length === 1 ? resultOf(results[0]) : undefined;
      return result === undefined ? undefined : { value: result, counts: countsOf([result]) };
    });
  }

  /** One page (from 1) of the locations the federal side holds for an organisation. */
  async getLocations(organisationOid: string, page: number, pageSize: number): Promise<FerGetLocationsResponse> {
    return this.call(FerOperation.GetLocations, { MO_OID: organisationOid, Page: page, Page_Size: pageSize }, 0, [], (body) => {
      const locations = ferList(body['Location'] as unknown[] | undefined).map(locationOf);
      const total = Number(body['Total']);
      if (locations.some((location) => location === undefined) || !Number.isSafeInteger(total)) return undefined;
      return { value: { Location: locations as FerLocation[], Total: total }, counts: `held=${locations.length} total=${total} page=${page}` };
    });
  }

  /** One page (from 1) of the slots the federal side holds for an organisation (of one location when given). */
  async getSlots(organisationOid: string, page: number, pageSize: number, locationId?: string): Promise<FerGetSlotsResponse> {
    const request = { MO_OID: organisationOid, ...(locationId === undefined ? {} : { Location_Id: locationId }), Page: page, Page_Size: pageSize };
    return this.call(FerOperation.GetSlots, request, 0, [], (body) => {
      const slots = ferList(body['Slot'] as unknown[] | undefined).map(slotOf);
      const total = Number(body['Total']);
      if (slots.some((slot) => slot === undefined) || !Number.isSafeInteger(total)) return undefined;
      return { value: { Slot: slots as FerSlot[], Total: total }, counts: `held=${slots.length} total=${total} page=${page}` };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    // Courtesy only: the federal side expires an abandoned session anyway.
    await this.post(FerOperation.CloseSession, ferRequestXml(FerOperation.CloseSession, { Session_ID: session.id }), Math.min(this.config.FER_TIMEOUT_MS, 2_000)).catch(() => undefined);
  }

  private batch<Op extends 'UpdateLocations' | 'RemoveLocations' | 'UpdateSlots' | 'RemoveSlots'>(
    operation: Op,
    request: Omit<FerRequests[Op], 'Session_ID'>,
    items: number,
    traceparents: Traceparents,
  ): Promise<FerResult[]> {
    return this.call(operation, request, items, traceparents, (body) => {
      const results = resultsOf(body, items);
      return results === undefined ? undefined : { value: results, counts: countsOf(results) };
    });
  }

  /** One call, in its own span; a forgotten session is opened again once and the call repeated. */
  private async call<Op extends FerOperation, T>(
    operation: Op,
    request: Omit<FerRequests[Op], 'Session_ID'>,
    items: number,
    traceparents: Traceparents,
    read: (body: Body) => { readonly value: T; readonly counts: string } | undefined,
  ): Promise<T> {
    const links = linksOf(traceparents);
    const span = tracer.startSpan(`fer ${operation}`, {
      kind: SpanKind.CLIENT,
      links,
      attributes: { 'rpc.system': 'soap', 'rpc.service': 'RegistryService', 'rpc.method': operation, 'medbus.fer.items': items },
    });
    const exportSpans = links.length <= maxExportSpans ? links.map((link) => exportSpanOf(operation, link.context, span)) : [];
    const started = Date.now();
    try {
      const value = await context.with(trace.setSpan(context.active(), span), async () => {
        for (let attempt = 1; ; attempt++) {
          const sessionId = await this.sessionId();
          const answer = await this.paced(operation, ferRequestXml(operation, { ...request, Session_ID: sessionId } as FerRequests[Op]));
          if (answer.kind === 'fault' && answer.fault.Code === FerFaultCode.SessionInvalid && attempt === 1) {
            if (this.session?.id === sessionId) this.session = undefined;
            span.addEvent('session reopened');
            continue;
          }
          const answered = answer.kind === 'response' ? read(answer.body) : undefined;
          if (answered === undefined) throw failureOf(operation, answer);
          return answered;
        }
      });
      this.record(operation, 'ANSWERED', true);
      span.setAttribute('medbus.fer.outcome', value.counts);
      this.logger.log(`${operation} items=${items} ${value.counts} in ${Date.now() - started} ms`);
      return value.value;
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'EXPORT.FEDERAL_CALL_FAILED';
      const faultCode = (error as { faultCode?: string }).faultCode;
      this.record(operation, faultCode ?? code, error instanceof FederalRateLimitedError || error instanceof FederalFaultError);
      span.setStatus({ code: SpanStatusCode.ERROR, message: faultCode ?? code });
      for (const exportSpan of exportSpans) exportSpan.setStatus({ code: SpanStatusCode.ERROR, message: faultCode ?? code });
      this.logger.warn(`${operation} items=${items} failed ${faultCode ?? code} in ${Date.now() - started} ms`);
      throw error;
    } finally {
      span.end();
      for (const exportSpan of exportSpans) exportSpan.end();
    }
  }

  private record(operation: FerOperation, outcome: string, reachable: boolean): void {
    this.last = { at: new Date(), operation, outcome, reachable };
  }

  /** The open session's id; one OpenSession at a time for the whole process. */
  private async sessionId(): Promise<string> {
    if (this.session && Date.now() < this.session.renewAt) return this.session.id;
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<string> {
    const span = tracer.startSpan(`fer ${FerOperation.OpenSession}`, { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'soap', 'rpc.service': 'RegistryService', 'rpc.method': FerOperation.OpenSession } });
    try {
      const answer = await this.paced(FerOperation.OpenSession, ferRequestXml(FerOperation.OpenSession, { Login: this.config.FER_LOGIN, Password: this.config.FER_PASSWORD }));
      const body = answer.kind === 'response' ? answer.body : {};
      const id = body['Session_ID'];
      if (typeof id !== 'string' || id === '') throw failureOf(FerOperation.OpenSession, answer);
      const expiresAt = Date.parse(String(body['Expires_At'] ?? ''));
      const renewAt = Number.isNaN(expiresAt) ? Date.now() + 5 * 60_000 : Math.max(Date.now() + 1_000, expiresAt - sessionMarginMs);
      this.session = { id, renewAt };
      return id;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof AppError ? error.code : 'failed' });
      throw error;
    } finally {
      span.end();
    }
  }

  private async paced(operation: FerOperation, xml: string): Promise<FerAnswer> {
    const wait = this.pacer.reserve(Date.now());
    if (wait > 0) await sleep(wait);
    return this.post(operation, xml, this.config.FER_TIMEOUT_MS);
  }

  private async post(operation: FerOperation, xml: string, timeoutMs: number): Promise<FerAnswer> {
    let status: number;
    let text: string;
    try {
      const response = await fetch(this.config.FER_URL, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${ferSoapActionOf(operation)}"` },
        body: xml,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (isTimeout(error)) throw new FederalTimeoutError(timeoutMs, operation);
      throw new FederalUnavailableError(`the federal registry could not be reached for ${operation}`, undefined, { cause: error, details: { operation } });
    }
    trace.getActiveSpan()?.setAttribute('http.response.status_code', status);
    const answer = parseFerAnswer(operation, text);
    // A gateway's 502/503/504 page, or a 503 "down" answer: the federal side's outage, waited out.
    if (answer.kind === 'unreadable' && status !== 200) {
      throw new FederalUnavailableError(`the federal registry answered ${operation} with HTTP ${status}`, undefined, { details: { operation, status } });
    }
    return answer;
  }
}

/** The error a call's answer stands for when it carries no usable result. */
function failureOf(operation: FerOperation, answer: FerAnswer): Error {
  switch (answer.kind) {
    case 'unreadable':
      return new FederalBadResponseError(operation, answer.problem);
    case 'response':
      return new FederalBadResponseError(operation, 'the answer does not carry one readable result per item');
    case 'fault': {
      const { Code: code, Message: message, Retry_After_Seconds: retryAfter } = answer.fault;
      switch (code) {
        case FerFaultCode.RateLimited:
        case FerFaultCode.QuotaExceeded:
          return new FederalRateLimitedError(code, (retryAfter ?? defaultRetryAfterSeconds) * 1_000, operation);
        case FerFaultCode.InternalError:
          return new FederalUnavailableError(`the federal registry failed handling ${operation}`, code, { details: { operation, faultCode: code } });
        case FerFaultCode.SessionInvalid:
        case FerFaultCode.AuthFailed:
        case FerFaultCode.BatchTooLarge:
        case FerFaultCode.MalformedRequest:
          return new FederalFaultError(code, message, operation);
        default:
          return new FederalFaultError(String(code), message, operation);
      }
    }
    default:
      return answer satisfies never;
  }
}

function countsOf(results: readonly FerResult[]): string {
  let accepted = 0;
  let unchanged = 0;
  let rejected = 0;
  for (const result of results) {
    if (result.Status === 'ACCEPTED') accepted++;
    else if (result.Status === 'UNCHANGED') unchanged++;
    else rejected++;
  }
  return `accepted=${accepted} unchanged=${unchanged} rejected=${rejected}`;
}

/** Links to the traces of the objects carried, the first ~100 (a span's links are kept in memory until it ends). */
function linksOf(traceparents: Traceparents): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const traceparent of traceparents) {
    if (links.length >= maxSpanLinks) break;
    if (traceparent === null || seen.has(traceparent)) continue;
    seen.add(traceparent);
    const linked = trace.getSpanContext(extractTraceContext({ [Headers.traceparent]: traceparent }));
    if (linked) links.push({ context: linked });
  }
  return links;
}

/** A span in a carried change's own trace, naming the call that exported it (its trace and span ids). */
function exportSpanOf(operation: FerOperation, change: SpanContext, call: Span): Span {
  const { traceId, spanId } = call.spanContext();
  return tracer.startSpan(
    `fer export (${operation})`,
    { kind: SpanKind.PRODUCER, links: [{ context: call.spanContext() }], attributes: { 'medbus.fer.call.trace_id': traceId, 'medbus.fer.call.span_id': spanId } },
    trace.setSpanContext(context.active(), change),
  );
}

/** AbortSignal.timeout's DOMException; not always an `Error` of this realm (test runners), so by its name. */
function isTimeout(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

