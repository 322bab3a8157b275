import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, ErrorKind } from '@medbus/errors';
import {
  SafeXmlCode,
  decodeSoapRequest,
  encodeSoapFault,
  encodeSoapResponse,
  hubServiceNotificationsWsdl,
  hubServiceWsdl,
  readBodyUpTo,
  soapActionOf,
} from '@medbus/hubservice';
import type { Faults } from '../clinic/admin.controller';
import type { HubService } from './hub.service';

export const servicePath = '/Hub25/HubService.svc';

/** The operations whose answers `dropAnswers` loses: the ones that change the schedule. */
const changingOperations: ReadonlySet<string> = new Set(['SetAppointment', 'CreateClaimForRefusal']);

export const malformedModes = ['none', 'broken-xml', 'entity-expansion', 'huge', 'wrong-types'] as const;
export type Malformed = (typeof malformedModes)[number];

export type Log = (line: Record<string, unknown>) => void;

/** Size of the `huge` hostile response. */
export const hugeResponseBytes = 32 * 1024 * 1024;

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendFault(res: ServerResponse, status: number, code: 'Client' | 'Server', message: string): void {
  send(res, status, 'text/xml; charset=utf-8', encodeSoapFault(code, message));
}

/**
 * The HubService endpoint, hand-rolled over fast-xml-parser (see README: the `soap` package's server
 * parses before we could guard, serialises DataContracts its own way and cannot be made to lie).
 */
export class HubSoapEndpoint {
  constructor(
    private readonly hub: HubService,
    private readonly faults: Faults,
    private readonly maxBodyBytes: number,
    private readonly log: Log,
    private readonly random: () => number = Math.random,
  ) {}

  wsdl(req: IncomingMessage, res: ServerResponse, notifications: boolean): void {
    const host = req.headers.host ?? '127.0.0.1';
    const location = `http://${host}${servicePath}`;
    send(res, 200, 'text/xml; charset=utf-8', notifications ? hubServiceNotificationsWsdl(location) : hubServiceWsdl(location));
  }

  async soap(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const body = await readBodyUpTo(req, this.maxBodyBytes);
    if (body === undefined) {
      this.log({ msg: 'soap refused', code: SafeXmlCode.bodyTooLarge });
      res.setHeader('connection', 'close');
      sendFault(res, 413, 'Client', 'Сообщение превышает допустимый размер');
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '');
    if (!contentType.startsWith('text/xml')) {
      sendFault(res, 415, 'Client', 'Ожидается SOAP 1.1 (text/xml)');
      return;
    }
    let operation: string | undefined;
    try {
      const request = decodeSoapRequest(body, { maxBytes: this.maxBodyBytes });
      operation = request.operation;
      const action = String(req.headers['soapaction'] ?? '').replace(/^"|"$/g, '');
      if (action !== '' && action !== soapActionOf(request.operation)) {
        sendFault(res, 500, 'Client', `Действие ${action} не поддерживается`);
        return;
      }
      if (this.faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.faults.latencyMs));
      if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate) {
        this.log({ msg: 'soap', operation, injected: 'error', ms: Date.now() - started });
        sendFault(res, 500, 'Server', 'The server was unable to process the request due to an internal error.');
        return;
      }
      const answer = this.hub.handle(request);
      if (this.faults.dropAnswers > 0 && changingOperations.has(operation)) {
        this.faults.dropAnswers -= 1;
        this.log({ msg: 'soap', operation, success: answer.result.Success, injected: 'answer-dropped', ms: Date.now() - started });
        req.socket.destroy();
        return;
      }
      const xml = encodeSoapResponse(answer.operation, answer.result as never);
      this.log({
        msg: 'soap',
        operation,
        idLpu: 'idLpu' in request.params ? request.params.idLpu : undefined,
        success: answer.result.Success,
        idError: answer.result.ErrorList?.[0]?.IdError,
        ms: Date.now() - started,
      });
      if (this.faults.malformed !== 'none') {
        this.hostile(res, xml, request.operation);
        return;
      }
      send(res, 200, 'text/xml; charset=utf-8', xml);
    } catch (error) {
      // Our own errors carry safe, patient-free wording; anything else is reported without detail.
      if (error instanceof AppError && error.kind !== ErrorKind.internal) {
        this.log({ msg: 'soap fault', operation, code: error.code, ms: Date.now() - started });
        sendFault(res, 500, 'Client', error.message);
        return;
      }
      this.log({ msg: 'soap failed', operation, error: error instanceof Error ? error.name : 'unknown' });
      sendFault(res, 500, 'Server', 'The server was unable to process the request due to an internal error.');
    }
  }

  /** Answers with the configured hostile response so a client's defences can be tested. */
  private hostile(res: ServerResponse, xml: string, operation: string): void {
    const mode = this.faults.malformed as Malformed;
    switch (mode) {
      case 'broken-xml':
        send(res, 200, 'text/xml; charset=utf-8', xml.slice(0, Math.floor(xml.length * 0.6)));
        return;
      case 'entity-expansion': {
        const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
        const body = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]>${xml
          .replace(/^<\?xml[^>]*\?>/, '')
          .replace('<a:Success>true</a:Success>', '<a:Success>&lol9;</a:Success>')}`;
        send(res, 200, 'text/xml; charset=utf-8', body);
        return;
      }
      case 'huge': {
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        const head = `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><${operation}Response xmlns="http://tempuri.org/"><${operation}Result><a:LPUFullName xmlns:a="x">`;
        const chunk = 'x'.repeat(64 * 1024);
        let written = 0;
        const pump = (): void => {
          while (written < hugeResponseBytes) {
            written += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end(`</a:LPUFullName></${operation}Result></${operation}Response></s:Body></s:Envelope>`);
        };
        res.on('close', () => (written = hugeResponseBytes));
        res.write(head);
        pump();
        return;
      }
      case 'wrong-types':
        send(
          res,
          200,
          'text/xml; charset=utf-8',
          xml
            .replace(/<a:Success>(true|false)<\/a:Success>/g, '<a:Success>maybe</a:Success>')
            .replace(/>(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}):00</g, '>$3.$2.$1 $4<')
            .replace(/<a:(IdLPU|IdDistrict|Num|CountFreeTicket|Version|IdError)>-?\d+</g, '<a:$1>NaN<'),
        );
        return;
      case 'none':
        send(res, 200, 'text/xml; charset=utf-8', xml);
        return;
      default:
        mode satisfies never;
    }
  }
}
