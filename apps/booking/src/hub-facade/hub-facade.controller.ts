import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Controller, Get, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppError, ErrorKind } from '@medbus/errors';
import { SafeXmlCode, SoapCodecCode, decodeFacadeSoapRequest, defaultMaxXmlBytes, encodeSoapFault, encodeSoapResponse, hubFacadeWsdl, readBodyUpTo, soapActionOf } from '@medbus/hubservice';
import { Public } from '../auth/api-key.guard';
import { ActionMismatchError } from './hub-facade.errors';
import { HubFacadeService, isFacadeFault } from './hub-facade.service';

export const hubServicePath = '/Hub25/HubService.svc';

/** Largest SOAP request accepted; HubService requests are a few kilobytes. */
export const maxSoapBodyBytes = defaultMaxXmlBytes;

const xml = 'text/xml; charset=utf-8';

/** Russian faultstrings of the codec's refusals (its own messages are English). */
const codecFaults: Readonly<Record<string, string>> = {
  [SafeXmlCode.bodyTooLarge]: 'Сообщение превышает допустимый размер',
  [SafeXmlCode.dtdForbidden]: 'Сообщения с объявлением типа документа (DTD) не принимаются',
  [SafeXmlCode.tooDeep]: 'Слишком глубокая вложенность элементов XML',
  [SafeXmlCode.malformed]: 'Сообщение не является корректным конвертом SOAP',
  [SoapCodecCode.unknownOperation]: 'Неизвестная операция',
  [SoapCodecCode.badValue]: 'Неверное значение параметра',
};

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Where this endpoint is, as the client reached it (a Host that is not a host name is not echoed). */
function locationOf(req: IncomingMessage): string {
  const host = req.headers.host && /^[A-Za-z0-9.\-[\]:]{1,255}$/.test(req.headers.host) ? req.headers.host : 'localhost';
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  return `${scheme}://${host}${hubServicePath}`;
}

/**
 * The HubService SOAP 1.1 endpoint (WCF basicHttpBinding style) and its WSDL. Not behind the API
 * key: the per-client credential of this contract is the `guid` parameter. The body is read raw
 * with a size limit and guarded (no DTD, bounded depth) before any parser sees it; Nest's JSON
 * parser leaves `text/xml` alone.
 */
@Public()
@ApiExcludeController()
@Controller()
export class HubFacadeController {
  private readonly logger = new Logger('HubFacade');

  constructor(@Inject(HubFacadeService) private readonly hub: HubFacadeService) {}

  @Get(hubServicePath)
  describe(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const keys = [...query.keys()].map((key) => key.toLowerCase());
    if (keys.includes('wsdl') || keys.includes('singlewsdl')) {
      send(res, 200, xml, hubFacadeWsdl(locationOf(req)));
      return;
    }
    // WCF's service help page, shortened.
    send(res, 200, 'text/html; charset=utf-8', `<html><body><p>HubService</p><p><a href="${hubServicePath}?wsdl">${hubServicePath}?wsdl</a></p></body></html>`);
  }

  @Post(hubServicePath)
  async soap(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const started = Date.now();
    // Anything but text/xml may have been consumed by Nest's JSON or form parser already.
    if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('text/xml') || req.readableEnded) {
      if (!req.readableEnded) req.resume();
      send(res, 415, xml, encodeSoapFault('Client', 'Ожидается сообщение SOAP 1.1 (text/xml)'));
      return;
    }
    const body = await readBodyUpTo(req, maxSoapBodyBytes);
    if (body === undefined) {
      this.logger.warn(`soap refused: ${SafeXmlCode.bodyTooLarge}`);
      res.setHeader('connection', 'close');
      send(res, 413, xml, encodeSoapFault('Client', codecFaults[SafeXmlCode.bodyTooLarge]));
      return;
    }
    let operation: string | undefined;
    try {
      const request = decodeFacadeSoapRequest(body, { maxBytes: maxSoapBodyBytes });
      operation = request.operation;
      const action = String(req.headers['soapaction'] ?? '').replace(/^"|"$/g, '');
      if (action !== '' && action !== soapActionOf(request.operation)) throw new ActionMismatchError(action);
      const answer = await this.hub.handle(request);
      const idError = answer.result.ErrorList?.[0]?.IdError;
      this.logger.debug(`soap ${operation} success=${answer.result.Success}${idError === undefined ? '' : ` idError=${idError}`} ${Date.now() - started}ms`);
      send(res, 200, xml, encodeSoapResponse(answer.operation, answer.result as never));
    } catch (error) {
      const fault = faultOf(error);
      this.logger.warn(`soap fault ${operation ?? '-'}: ${error instanceof AppError ? error.code : error instanceof Error ? error.name : 'unknown'}`);
      send(res, 500, xml, encodeSoapFault(fault.code, fault.text));
    }
  }
}

/** A fault worded for the client: our refusals in Russian, anything unexpected without detail (as WCF does). */
export function faultOf(error: unknown): { code: 'Client' | 'Server'; text: string } {
  if (error instanceof AppError && Object.hasOwn(codecFaults, error.code)) {
    const field = error.details?.['field'];
    return { code: 'Client', text: typeof field === 'string' ? `${codecFaults[error.code]} ${field}` : codecFaults[error.code] };
  }
  if (isFacadeFault(error) || error instanceof ActionMismatchError) return { code: 'Client', text: (error as AppError).message };
  if (error instanceof AppError && (error.kind === ErrorKind.unavailable || error.kind === ErrorKind.timeout)) {
    return { code: 'Server', text: 'Сервис временно недоступен, повторите попытку позже' };
  }
  return { code: 'Server', text: 'The server was unable to process the request due to an internal error.' };
}
