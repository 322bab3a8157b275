import { randomBytes } from 'node:crypto';
import * as soap from 'soap';
import { z } from 'zod';
import type { Log } from './fer.server';

/** Status_Code values of the region's ErWebService. */
export const ErStatusCode = {
  Success: 'SUCCESS',
  NotFound: 'NOT_FOUND',
  PatientNotFound: 'PATIENT_NOT_FOUND',
  SlotBusy: 'SLOT_BUSY',
  SlotNotAvailable: 'SLOT_NOT_AVAILABLE',
  RefusedByMis: 'REFUSED_BY_MIS',
  MisUnavailable: 'MIS_UNAVAILABLE',
  InvalidRequest: 'INVALID_REQUEST',
} as const;

/** A patient as the portal's user identifies themself (POST /admin/portal/bookings). */
export const portalPatientSchema = z
  .object({
    omsNumber: z.string().regex(/^\d{16}$/).optional(),
    snils: z.string().regex(/^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/).optional(),
    lastName: z.string().min(1).max(100).optional(),
    firstName: z.string().min(1).max(100).optional(),
    middleName: z.string().min(1).max(100).optional(),
    birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  })
  .strict();
export type PortalPatient = z.infer<typeof portalPatientSchema>;

/** ErWebService's GetPatientInfo arguments, in the contract's element order (node-soap writes keys in order). */
export function patientInfoRequest(sessionId: string, moOid: string, patient: PortalPatient): Record<string, unknown> {
  const fields: [string, string | undefined][] = [
    ['OMS_Number', patient.omsNumber],
    ['SNILS', patient.snils?.replace(/\D/g, '')],
    ['Last_Name', patient.lastName],
    ['First_Name', patient.firstName],
    ['Middle_Name', patient.middleName],
    ['Birth_Date', patient.birthDate],
  ];
  return { Session_ID: sessionId, MO_OID: moOid, Patient: Object.fromEntries(fields.filter(([, value]) => value !== undefined)) };
}

export function createAppointmentRequest(sessionId: string, moOid: string, slotId: string, patientId: string): Record<string, unknown> {
  return { Session_ID: sessionId, MO_OID: moOid, Slot_Id: slotId, Patient_Id: patientId };
}

export function cancelAppointmentRequest(sessionId: string, moOid: string, bookIdMis: string): Record<string, unknown> {
  return { Session_ID: sessionId, MO_OID: moOid, Book_Id_Mis: bookIdMis };
}

export const PortalErrorCode = {
  notConfigured: 'PORTAL.REGION_NOT_CONFIGURED',
  unreachable: 'PORTAL.REGION_UNREACHABLE',
  timeout: 'PORTAL.REGION_TIMEOUT',
  fault: 'PORTAL.REGION_FAULT',
  badAnswer: 'PORTAL.REGION_BAD_ANSWER',
} as const;
export type PortalErrorCode = (typeof PortalErrorCode)[keyof typeof PortalErrorCode];

/** The region did not answer with a Status_Code: unreachable, too slow, a SOAP Fault, or nonsense. */
export class PortalCallError extends Error {
  constructor(
    readonly code: PortalErrorCode,
    message: string,
    readonly detail: { operation?: string; httpStatus?: number; faultString?: string } = {},
  ) {
    super(message);
    this.name = 'PortalCallError';
  }
}

const answerSchema = z
  .object({
    Status_Code: z.string().min(1),
    Patient_Id: z.string().optional(),
    Book_Id_Mis: z.string().optional(),
    Visit_Time: z.string().optional(),
    Room: z.string().optional(),
    Slot_Id: z.string().optional(),
    Comment: z.string().optional(),
  })
  .passthrough();
type Answer = z.infer<typeof answerSchema>;

/** What a portal booking came to: which step answered and what the region said. */
export interface PortalBooking {
  readonly step: 'GetPatientInfo' | 'CreateAppointment';
  readonly statusCode: string;
  readonly patientId?: string;
  readonly bookIdMis?: string;
  readonly visitTime?: string;
  readonly room?: string;
  readonly slotId?: string;
  readonly comment?: string;
}

export interface PortalCancellation {
  readonly statusCode: string;
  readonly comment?: string;
}

export interface PortalClientOptions {
  /** The region's ErWebService endpoint, e.g. http://127.0.0.1:3030/er/v2_0/ErWebService; its WSDL is `<url>?wsdl`. */
  readonly url: string | undefined;
  readonly apiKey: string | undefined;
  readonly timeoutMs: number;
  readonly log: Log;
}

type SoapMethod = (args: Record<string, unknown>, options: Record<string, unknown>) => Promise<[unknown, ...unknown[]]>;

/**
 * The federal portal's side of the region's ErWebService: it identifies the patient, then books the
 * slot (or cancels a booking), with a Session_ID of its own and a timeout on every call. It uses the
 * region's live WSDL through the `soap` package and nothing of the region's code.
 */
export class RegionPortalClient {
  /** The portal's federal session: correlation only, as the contract says. */
  readonly sessionId = `fer-portal-${randomBytes(12).toString('hex')}`;
  private client: Promise<soap.Client> | undefined;

  constructor(private readonly options: PortalClientOptions) {}

  async book(moOid: string, slotId: string, patient: PortalPatient): Promise<PortalBooking> {
    const identified = await this.call('GetPatientInfo', patientInfoRequest(this.sessionId, moOid, patient));
    if (identified.Status_Code !== ErStatusCode.Success || !identified.Patient_Id) {
      return { step: 'GetPatientInfo', statusCode: identified.Status_Code, ...(identified.Comment ? { comment: identified.Comment } : {}) };
    }
    const booked = await this.call('CreateAppointment', createAppointmentRequest(this.sessionId, moOid, slotId, identified.Patient_Id));
    const optional = {
      bookIdMis: booked.Book_Id_Mis,
      visitTime: booked.Visit_Time,
      room: booked.Room,
      slotId: booked.Slot_Id,
      comment: booked.Comment,
    };
    return {
      step: 'CreateAppointment',
      statusCode: booked.Status_Code,
      patientId: identified.Patient_Id,
      ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    };
  }

  async cancel(moOid: string, bookIdMis: string): Promise<PortalCancellation> {
    const answer = await this.call('CancelAppointment', cancelAppointmentRequest(this.sessionId, moOid, bookIdMis));
    return { statusCode: answer.Status_Code, ...(answer.Comment ? { comment: answer.Comment } : {}) };
  }

  private async call(operation: 'GetPatientInfo' | 'CreateAppointment' | 'CancelAppointment', args: Record<string, unknown>): Promise<Answer> {
    const started = Date.now();
    const client = await this.soapClient();
    const method = (client as unknown as Record<string, SoapMethod | undefined>)[`${operation}Async`];
    if (typeof method !== 'function') throw new PortalCallError(PortalErrorCode.badAnswer, `the region's WSDL has no ${operation}`, { operation });
    let raw: unknown;
    try {
      [raw] = await method.call(client, args, { timeout: this.options.timeoutMs });
    } catch (error) {
      const failure = callFailure(operation, error, this.options.timeoutMs);
      this.options.log({ msg: 'portal', operation, error: failure.code, httpStatus: failure.detail.httpStatus, ms: Date.now() - started });
      throw failure;
    }
    const answer = answerSchema.safeParse(raw ?? {});
    if (!answer.success) {
      this.options.log({ msg: 'portal', operation, error: PortalErrorCode.badAnswer, ms: Date.now() - started });
      throw new PortalCallError(PortalErrorCode.badAnswer, `${operation} answered without a Status_Code`, { operation });
    }
    // Codes only: the answer's Comment or ids never reach the log next to a patient's request.
    this.options.log({ msg: 'portal', operation, statusCode: answer.data.Status_Code, ms: Date.now() - started });
    return answer.data;
  }

  private soapClient(): Promise<soap.Client> {
    const { url, apiKey, timeoutMs } = this.options;
    if (url === undefined) return Promise.reject(new PortalCallError(PortalErrorCode.notConfigured, 'no --region-url (FERSIM_REGION_URL) given'));
    if (!this.client) {
      const headers = apiKey === undefined ? {} : { Authorization: `Bearer ${apiKey}` };
      this.client = soap
        .createClientAsync(`${url}?wsdl`, {
          endpoint: url,
          disableCache: true,
          wsdl_headers: headers,
          wsdl_options: { timeout: timeoutMs },
          // Dates stay the text the region wrote (a Visit_Time keeps its offset).
          customDeserializer: { dateTime: (text: string) => text, date: (text: string) => text },
        })
        .then((client) => {
          if (apiKey !== undefined) client.addHttpHeader('Authorization', `Bearer ${apiKey}`);
          return client;
        })
        .catch((error: unknown) => {
          this.client = undefined;
          throw callFailure('wsdl', error, timeoutMs);
        });
    }
    return this.client;
  }
}

/** A failed call as a PortalCallError, keeping the HTTP status and the fault's text (never a request value). */
function callFailure(operation: string, error: unknown, timeoutMs: number): PortalCallError {
  if (error instanceof PortalCallError) return error;
  const failure = error as { code?: unknown; message?: unknown; response?: { status?: unknown }; root?: { Envelope?: { Body?: { Fault?: { faultstring?: unknown } } } } };
  const httpStatus = typeof failure.response?.status === 'number' ? failure.response.status : undefined;
  const faultString = failure.root?.Envelope?.Body?.Fault?.faultstring;
  if (typeof faultString === 'string') {
    return new PortalCallError(PortalErrorCode.fault, `${operation} answered a SOAP Fault: ${faultString.slice(0, 300)}`, { operation, faultString, ...(httpStatus ? { httpStatus } : {}) });
  }
  if (failure.code === 'ECONNABORTED' || failure.code === 'ETIMEDOUT' || (typeof failure.message === 'string' && /timeout/i.test(failure.message))) {
    return new PortalCallError(PortalErrorCode.timeout, `${operation} did not answer within ${timeoutMs} ms`, { operation });
  }
  if (httpStatus !== undefined) return new PortalCallError(PortalErrorCode.fault, `${operation} answered HTTP ${httpStatus}`, { operation, httpStatus });
  return new PortalCallError(PortalErrorCode.unreachable, `${operation}: the region cannot be reached (${typeof failure.code === 'string' ? failure.code : 'error'})`, { operation });
}
