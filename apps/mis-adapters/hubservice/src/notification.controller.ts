import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '@medbus/errors';
import { decodeSoapRequest, encodeSoapFault, encodeSoapResponse, readLimitedBody, type DecodedRequest } from '@medbus/hubservice';

/** What a notification asks the adapter to re-read. */
export type ReadRequest =
  | { readonly kind: 'doctor-day'; readonly idLpu: number; readonly idDoc: string; readonly localDay: string }
  | { readonly kind: 'slot'; readonly idLpu: number; readonly idAppointment: string }
  | { readonly kind: 'everything' };

/**
 * The re-read a MIS notification calls for: a front-desk booking names the doctor and the
 * appointment's day; a status change names only the appointment. Patient data in the
 * notification is never looked at.
 */
export function toReadRequest(request: DecodedRequest): ReadRequest | undefined {
  switch (request.operation) {
    case 'SendNotificationAboutAppointment': {
      const { idLpu, doctor, appointment } = request.params;
      const day = appointment?.VisitStart?.slice(0, 10);
      if (idLpu !== undefined && doctor?.IdDoc && day && /^\d{4}-\d{2}-\d{2}$/.test(day)) {
        return { kind: 'doctor-day', idLpu, idDoc: doctor.IdDoc, localDay: day };
      }
      if (idLpu !== undefined && appointment?.IdAppointment) return { kind: 'slot', idLpu, idAppointment: appointment.IdAppointment };
      return { kind: 'everything' };
    }
    case 'SendNotificationAboutAppointmentStatus': {
      const { idLpu, idAppointment } = request.params;
      return idLpu !== undefined && idAppointment ? { kind: 'slot', idLpu, idAppointment } : { kind: 'everything' };
    }
    default:
      return undefined;
  }
}

export interface NotificationCounters {
  accepted: number;
  refused: number;
}

export interface NotificationEndpointOptions {
  /** The guid the MIS must send; notifications without it are refused. */
  readonly guid: string;
  readonly maxBodyBytes: number;
  /** Starts the re-read; the SOAP answer does not wait for it. */
  readonly onRead: (request: ReadRequest) => void;
}

/**
 * POST /notifications: the SOAP endpoint a MIS calls with SendNotificationAboutAppointment and
 * SendNotificationAboutAppointmentStatus (hubservice-notifications.wsdl). The body is read with a
 * size limit and refused with any DTD before it is parsed; the answer is a SOAP envelope or fault.
 */
export class NotificationEndpoint {
  readonly counters: NotificationCounters = { accepted: 0, refused: 0 };

  constructor(private readonly options: NotificationEndpointOptions) {}

  /** Handles `POST /notifications` (the runtime routes it here). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
    let request: DecodedRequest;
    try {
      const body = await readLimitedBody(req, this.options.maxBodyBytes);
      request = decodeSoapRequest(body, { maxBytes: this.options.maxBodyBytes });
    } catch (error) {
      this.counters.refused += 1;
      req.resume();
      const code = error instanceof AppError ? error.code : 'SOAP.MALFORMED';
      return send(res, code === 'SOAP.BODY_TOO_LARGE' ? 413 : 400, 'text/xml; charset=utf-8', encodeSoapFault('Client', code, code));
    }
    if (!sameSecret(request.params.guid, this.options.guid)) {
      this.counters.refused += 1;
      return send(res, 403, 'text/xml; charset=utf-8', encodeSoapFault('Client', 'AUTH.INVALID_GUID', 'AUTH.INVALID_GUID'));
    }
    const read = toReadRequest(request);
    if (!read) {
      this.counters.refused += 1;
      return send(res, 400, 'text/xml; charset=utf-8', encodeSoapFault('Client', 'SOAP.UNKNOWN_OPERATION', 'SOAP.UNKNOWN_OPERATION'));
    }
    this.counters.accepted += 1;
    this.options.onRead(read);
    const idHistory = request.params.idHistory;
    const envelope =
      request.operation === 'SendNotificationAboutAppointment'
        ? encodeSoapResponse('SendNotificationAboutAppointment', { Success: true, IdHistory: idHistory, IdNotification: String(this.counters.accepted) })
        : encodeSoapResponse('SendNotificationAboutAppointmentStatus', { Success: true, IdHistory: idHistory });
    return send(res, 200, 'text/xml; charset=utf-8', envelope);
  }
}

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
