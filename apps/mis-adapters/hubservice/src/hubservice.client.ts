import * as soap from 'soap';
import { assertSafeXml, decodeSoapResponse, encodeSoapRequest, SafeXmlCode, SoapCodecCode, SoapFaultError, type Patient } from '@medbus/hubservice';
import { AppError } from '@medbus/errors';
import {
  readResponseUpTo,
  MisCircuitOpenError,
  MisResponseRejectedError,
  MisResponseRejection,
  MisUnavailableError,
  withRetry,
  type BackoffOptions,
  type CircuitBreaker,
  type Clock,
  type RawPayloadArchive,
  type TokenBucket,
} from '@medbus/mis-adapter-kit';
import type { z } from 'zod';
import { resultSchemas, sendSchemas, type HubReadOperation, type HubReadResult, type HubSendOperation, type HubSendResult } from './hubservice-response.mapper';

export interface HubServiceClientOptions {
  readonly wsdlUrl: string;
  readonly guid: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly clock: Clock;
  readonly breaker: CircuitBreaker;
  readonly limiter: TokenBucket;
  readonly retry: BackoffOptions;
  readonly archive?: RawPayloadArchive;
  /** Called for every payload refused before or after parsing (counted and logged by the caller). */
  readonly onRejected?: (operation: string, reason: MisResponseRejection) => void;
  readonly onArchiveError?: (error: unknown) => void;
}

/** HubService `IdError`s that only mean "nothing there" for the lists the adapter reads. */
const EMPTY_RESULT_ERRORS = new Set([305, 306]);

const rejectionByGuardCode: Record<string, MisResponseRejection> = {
  [SafeXmlCode.bodyTooLarge]: MisResponseRejection.tooLarge,
  [SafeXmlCode.dtdForbidden]: MisResponseRejection.dtd,
  [SafeXmlCode.tooDeep]: MisResponseRejection.malformed,
  [SafeXmlCode.malformed]: MisResponseRejection.malformed,
};

/** Bodies as received, before soap's handleResponse trims them to the Envelope. */
const rawBodies = new WeakMap<object, string>();

type RawListener = (operation: string, body: string, rejection?: MisResponseRejection) => void;
type Callback = (error: unknown, res?: unknown, body?: unknown) => unknown;

/**
 * soap's HTTP client with the raw bytes guarded before soap's parser sees them: a size limit
 * enforced while reading (axios maxContentLength), then no DTD, bounded depth, well-formed
 * (`assertSafeXml`). Error bodies (HTTP 500 faults) are dropped rather than parsed.
 */
class GuardedHttpClient extends soap.HttpClient {
  constructor(
    private readonly limits: { timeoutMs: number; maxResponseBytes: number },
    private readonly onRaw: RawListener,
  ) {
    super({});
  }

  override handleResponse(req: never, res: never, body: unknown): unknown {
    if (typeof body === 'string' && res && typeof res === 'object') rawBodies.set(res, body);
    return super.handleResponse(req, res, body);
  }

  override request(rurl: string, data: unknown, callback: Callback, exheaders?: Record<string, unknown>, exoptions?: Record<string, unknown>) {
    const operation = operationOf(exheaders) ?? 'wsdl';
    const options = {
      ...exoptions,
      timeout: this.limits.timeoutMs,
      maxContentLength: this.limits.maxResponseBytes,
      responseType: 'text',
      transformResponse: [(body: unknown) => body],
    };
    return super.request(
      rurl,
      data,
      (error: unknown, res?: unknown, body?: unknown) => {
        if (error) {
          const response = (error as { response?: { data?: unknown } }).response;
          if (response) response.data = undefined;
          return callback(error);
        }
        const status = (res as { status?: number } | undefined)?.status ?? 200;
        if (status >= 400) {
          return callback(new MisUnavailableError(`HubService ${operation} answered HTTP ${status}`, { details: { status } }));
        }
        // soap trims anything around the Envelope (a DOCTYPE included): guard what came over the wire.
        const raw = rawBodies.get(res as object) ?? (typeof body === 'string' ? body : '');
        try {
          assertSafeXml(raw, { maxBytes: this.limits.maxResponseBytes });
        } catch (guardError) {
          const reason = (guardError instanceof AppError && rejectionByGuardCode[guardError.code]) || MisResponseRejection.malformed;
          this.onRaw(operation, raw, reason);
          return callback(new MisResponseRejectedError(reason, `HubService ${operation} answered with XML we refuse`, { cause: guardError }));
        }
        this.onRaw(operation, raw);
        return callback(null, res, body);
      },
      exheaders as never,
      options as never,
    );
  }
}

/** Network failures that prove the request never reached the MIS. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** HTTP statuses of a front end (IIS, a proxy) that did not hand the request to the service. */
const NOT_PROCESSED_STATUSES = new Set([502, 503]);

/**
 * Whether a failed call may nevertheless have changed something at the MIS: a timeout, a reset
 * connection, a lost or garbled answer may follow a booking that was made. An open circuit, a
 * refused connection or a 502/503 from the front end prove it was not.
 */
export function mayHaveReachedMis(error: unknown): boolean {
  if (error instanceof MisCircuitOpenError) return false;
  if (error instanceof MisUnavailableError) {
    const status = error.details?.['status'];
    if (typeof status === 'number') return !NOT_PROCESSED_STATUSES.has(status);
    if (error.details?.['stage'] === 'wsdl') return false;
    const cause = error.cause as { code?: unknown; cause?: { code?: unknown } } | undefined;
    const code = cause?.code ?? cause?.cause?.code;
    return !(typeof code === 'string' && NOT_SENT_CODES.has(code));
  }
  return true;
}

function operationOf(headers: Record<string, unknown> | undefined): string | undefined {
  const action = headers?.SOAPAction;
  return typeof action === 'string' ? /\/([A-Za-z]+)"?$/.exec(action)?.[1] : undefined;
}

/**
 * The MIS's HubService, read-only: each call goes through the rate limit, the circuit breaker
 * and retry with backoff, and its answer is guarded, parsed by `soap` (scalars left as text) and
 * validated with zod before anything else sees it.
 */
export class HubServiceClient {
  private client?: Promise<soap.Client>;
  private lastCallOk: boolean | undefined;

  constructor(private readonly options: HubServiceClientOptions) {}

  /** Whether the last call reached the MIS and got an answer (a refused answer counts as reached). */
  get misReachable(): boolean {
    return this.lastCallOk ?? false;
  }

  getDistricts() {
    return this.call('GetDistrictList', {});
  }

  getClinics(idDistrict: number) {
    return this.call('GetLPUList', { idDistrict });
  }

  getSpecialities(idLpu: number) {
    return this.call('GetSpesialityList', { idLpu, idPat: '' });
  }

  getDoctors(idLpu: number, idSpesiality: string) {
    return this.call('GetDoctorList', { idSpesiality, idLpu, idPat: '' });
  }

  getAvailableDates(idLpu: number, idDoc: string, visitStart: string, visitEnd: string) {
    return this.call('GetAvailableDates', { idDoc, idLpu, idPat: '', visitStart, visitEnd });
  }

  getAppointments(idLpu: number, idDoc: string, visitStart: string, visitEnd: string) {
    return this.call('GetAvaibleAppointments', { idDoc, idLpu, idPat: '', visitStart, visitEnd });
  }

  checkPatient(idLpu: number, pat: Patient) {
    return this.send('CheckPatient', { pat: ordered(pat), idLpu });
  }

  addNewPatient(idLpu: number, patient: Patient) {
    return this.send('AddNewPatient', { patient: ordered(patient), idLpu });
  }

  /** Books (or, with `idAppointmentPrev`, moves a booking to) an appointment. */
  setAppointment(idLpu: number, idAppointment: string, idPat: string, idAppointmentPrev?: string | null) {
    return this.send('SetAppointment', { idAppointment, idLpu, idPat, ...(idAppointmentPrev ? { idAppointmentPrev } : {}) });
  }

  createClaimForRefusal(idLpu: number, idPat: string, idAppointment: string) {
    return this.send('CreateClaimForRefusal', { idLpu, idPat, idAppointment });
  }

  getPatientHistory(idLpu: number, idPat: string) {
    return this.send('GetPatientHistory', { idLpu, idPat });
  }

  /**
   * One call, not retried here: for a booking only the caller knows whether trying again is safe
   * (see `mayHaveReachedMis`). Rate limit and breaker apply; a refusal (`Success` false with an
   * IdError) is returned as the answer it is, not thrown.
   */
  async send<O extends HubSendOperation>(operation: O, args: Record<string, unknown>): Promise<HubSendResult<O>> {
    const { breaker, limiter } = this.options;
    try {
      const result = await breaker.run(async () => {
        await limiter.take();
        return this.request(operation, sendSchemas[operation], { ...args, guid: this.options.guid });
      });
      this.lastCallOk = true;
      return result as HubSendResult<O>;
    } catch (error) {
      this.lastCallOk = error instanceof MisResponseRejectedError;
      if (error instanceof MisResponseRejectedError) this.options.onRejected?.(operation, error.reason);
      throw error;
    }
  }

  async call<O extends HubReadOperation>(operation: O, args: Record<string, unknown>): Promise<HubReadResult<O>> {
    const { breaker, limiter, retry } = this.options;
    try {
      const result = await withRetry(
        () =>
          breaker.run(async () => {
            await limiter.take();
            return this.invoke(operation, { ...args, guid: this.options.guid });
          }),
        retry,
      );
      this.lastCallOk = true;
      return result;
    } catch (error) {
      this.lastCallOk = error instanceof MisResponseRejectedError;
      if (error instanceof MisResponseRejectedError) this.options.onRejected?.(operation, error.reason);
      throw error;
    }
  }

  private async invoke<O extends HubReadOperation>(operation: O, args: Record<string, unknown>): Promise<HubReadResult<O>> {
    const result = (await this.read(operation, resultSchemas[operation], args)) as HubReadResult<O>;
    if (!result.Success) {
      const codes = result.ErrorList.map((e) => e.IdError);
      if (codes.length > 0 && codes.every((code) => EMPTY_RESULT_ERRORS.has(code))) return emptied(result);
      throw new MisResponseRejectedError(MisResponseRejection.businessError, `HubService ${operation} failed`, { details: { idErrors: codes } });
    }
    return result;
  }

  private async request<S extends z.ZodTypeAny>(operation: string, schema: S, args: Record<string, unknown>): Promise<z.output<S>> {
    const client = await this.soapClient();
    const method = (client as unknown as Record<string, (args: unknown) => Promise<[unknown]>>)[`${operation}Async`];
    if (typeof method !== 'function') throw new MisUnavailableError(`the MIS WSDL has no operation ${operation}`);
    let answer: unknown;
    try {
      [answer] = await method.call(client, args);
    } catch (error) {
      throw classify(operation, error);
    }
    const wrapped = (answer as Record<string, unknown> | null)?.[`${operation}Result`];
    const parsed = schema.safeParse(wrapped);
    if (!parsed.success) {
      throw new MisResponseRejectedError(MisResponseRejection.invalidShape, `HubService ${operation} answered with an unexpected shape`, {
        details: { issues: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`) },
      });
    }
    return parsed.data as z.output<S>;
  }

  /**
   * A read, without `soap` on the way: its WSDL-driven parser spent 150–300 ms on one doctor's
   * 14-day answer (50 KB), which made a region's resync take a quarter of an hour of CPU. The
   * request is the contract's envelope (libs/hubservice), the answer is guarded, parsed and decoded
   * by libs/hubservice's codec, then validated by the same zod schemas as before.
   */
  private async read<S extends z.ZodTypeAny>(operation: HubReadOperation, schema: S, args: Record<string, unknown>): Promise<z.output<S>> {
    const endpoint = await this.endpoint();
    const envelope = encodeSoapRequest(operation as never, { idHistory: undefined, ...args } as never);
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', SOAPAction: `"http://tempuri.org/IHubService/${operation}"` },
        body: envelope,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new MisUnavailableError(`HubService ${operation} failed: ${errorCodeOf(error)}`, { cause: error });
    }
    if (response.status >= 400) {
      await response.body?.cancel().catch(() => undefined);
      throw new MisUnavailableError(`HubService ${operation} answered HTTP ${response.status}`, { details: { status: response.status } });
    }
    const raw = await readResponseUpTo(response, this.options.maxResponseBytes).catch((error: unknown) => {
      throw new MisUnavailableError(`HubService ${operation} failed: ${errorCodeOf(error)}`, { cause: error });
    });
    if (raw === undefined) {
      this.archive(operation, '', MisResponseRejection.tooLarge);
      throw new MisResponseRejectedError(MisResponseRejection.tooLarge, `HubService ${operation} answer is too large`);
    }
    let decoded: unknown;
    try {
      decoded = decodeSoapResponse(operation as never, raw, { maxBytes: this.options.maxResponseBytes });
    } catch (error) {
      if (error instanceof SoapFaultError) throw new MisUnavailableError(`HubService ${operation} answered a fault`, { cause: error });
      const code = error instanceof AppError ? error.code : '';
      const reason = rejectionByGuardCode[code] ?? (code === SoapCodecCode.badValue ? MisResponseRejection.invalidShape : MisResponseRejection.malformed);
      this.archive(operation, raw, reason);
      throw new MisResponseRejectedError(reason, `HubService ${operation} answered with XML we refuse`, { cause: error });
    }
    this.archive(operation, raw);
    const parsed = schema.safeParse(decoded);
    if (!parsed.success) {
      throw new MisResponseRejectedError(MisResponseRejection.invalidShape, `HubService ${operation} answered with an unexpected shape`, {
        details: { issues: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`) },
      });
    }
    return parsed.data as z.output<S>;
  }

  /** The service address the WSDL names (its soap:address), loaded with the WSDL. */
  private async endpoint(): Promise<string> {
    const client = await this.soapClient();
    const services = (client as unknown as { wsdl: { definitions: { services: Record<string, { ports: Record<string, { location?: string }> }> } } }).wsdl.definitions.services;
    for (const service of Object.values(services)) for (const port of Object.values(service.ports)) if (port.location) return port.location;
    throw new MisUnavailableError('the MIS WSDL names no service address', { details: { stage: 'wsdl' } });
  }

  private soapClient(): Promise<soap.Client> {
    if (!this.client) {
      const httpClient = new GuardedHttpClient(this.options, (operation, body, rejection) => this.archive(operation, body, rejection));
      this.client = soap
        .createClientAsync(this.options.wsdlUrl, {
          httpClient,
          disableCache: true,
          wsdl_options: { timeout: this.options.timeoutMs },
          // Scalars stay text; zod decides what is a valid int, bool or clinic-local date-time.
          customDeserializer: Object.fromEntries(
            ['int', 'long', 'short', 'integer', 'double', 'float', 'decimal', 'boolean', 'dateTime', 'date'].map((type) => [type, (text: string) => text]),
          ),
        })
        .catch((error: unknown) => {
          this.client = undefined;
          throw error instanceof AppError ? error : new MisUnavailableError('cannot load the MIS WSDL', { cause: error, details: { stage: 'wsdl' } });
        });
    }
    return this.client;
  }

  private archive(operation: string, body: string, rejection?: MisResponseRejection): void {
    if (!this.options.archive || operation === 'wsdl') return;
    this.options.archive
      .store({ operation, body, fetchedAt: this.options.clock.now(), accepted: rejection === undefined, ...(rejection ? { rejection } : {}) })
      .catch((error: unknown) => this.options.onArchiveError?.(error));
  }
}

function errorCodeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  const code = (error as { code?: unknown })?.code ?? cause?.code;
  if (typeof code === 'string') return code;
  return (error as Error)?.name === 'TimeoutError' ? 'timeout' : 'error';
}

/** A Patient with its members in DataContract (alphabetical) order and no empty ones. */
function ordered(patient: Patient): Patient {
  return Object.fromEntries(
    Object.entries(patient)
      .filter(([, value]) => value !== undefined && value !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ) as Patient;
}

function emptied<R extends { Success: boolean }>(result: R): R {
  const copy: Record<string, unknown> = { ...result, Success: true };
  for (const [key, value] of Object.entries(copy)) if (Array.isArray(value) && key !== 'ErrorList') copy[key] = [];
  return copy as R;
}

function classify(operation: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = (error as Error)?.message ?? '';
  if (/maxContentLength/i.test(message)) {
    return new MisResponseRejectedError(MisResponseRejection.tooLarge, `HubService ${operation} answer is too large`, { cause: error });
  }
  const isHttp = typeof (error as { isAxiosError?: boolean })?.isAxiosError === 'boolean' || (error as { code?: string })?.code !== undefined;
  if (isHttp || /fault|ECONN|timeout|socket/i.test(message)) {
    return new MisUnavailableError(`HubService ${operation} failed: ${(error as { code?: string }).code ?? 'error'}`, { cause: error });
  }
  return new MisResponseRejectedError(MisResponseRejection.malformed, `HubService ${operation} answer cannot be parsed`, { cause: error });
}
