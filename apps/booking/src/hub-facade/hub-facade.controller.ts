import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Controller, Get, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppError, ErrorKind } from '@medbus/errors';
import { AppConfig } from '@medbus/config';
import { SafeXmlCode, SoapCodecCode, decodeFacadeSoapRequest, defaultMaxXmlBytes, encodeSoapFault, encodeSoapResponse, hubFacadeWsdl, peekSoapGuid, readBodyUpTo, soapActionOf } from '@medbus/hubservice';
import type { BookingConfig } from '../booking.config';
import { Public } from '../auth/auth.guard';
import { ActionMismatchError, HubAccessDeniedError } from './hub-facade.errors';
import { HubFacadeService, isFacadeFault } from './hub-facade.service';

export const hubServicePath = '/Hub25/HubService.svc';

/** Largest SOAP request accepted; HubService requests are a few kilobytes. */
export const maxSoapBodyBytes = defaultMaxXmlBytes;

const xml = 'text/xml; charset=utf-8';
const unsupportedMediaType = 'SOAP.UNSUPPORTED_MEDIA_TYPE';

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

/** SOAP 1.1 and 1.2 media types; parameters (charset, action) may follow. */
const soapMediaTypes: ReadonlySet<string> = new Set(['text/xml', 'application/soap+xml']);

function mediaTypeOf(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/**
 * Where this endpoint is for its clients: HUB_FACADE_PUBLIC_URL, or this server's own address and
 * port. Never the request's Host header, which a client (or a proxy's client) chooses.
 */
function locationOf(config: BookingConfig, req: IncomingMessage): string {
  if (config.HUB_FACADE_PUBLIC_URL !== undefined) return `${config.HUB_FACADE_PUBLIC_URL}${hubServicePath}`;
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  const host = ['0.0.0.0', '::', ''].includes(config.HTTP_HOST) ? 'localhost' : config.HTTP_HOST.includes(':') ? `[${config.HTTP_HOST}]` : config.HTTP_HOST;
  return `${scheme}://${host}:${req.socket.localPort ?? config.HTTP_PORT}${hubServicePath}`;
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

  constructor(
    @Inject(HubFacadeService) private readonly hub: HubFacadeService,
    @Inject(AppConfig) private readonly config: BookingConfig,
  ) {}

  @Get(hubServicePath)
  describe(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const keys = [...query.keys()].map((key) => key.toLowerCase());
    if (keys.includes('wsdl') || keys.includes('singlewsdl')) {
      send(res, 200, xml, hubFacadeWsdl(locationOf(this.config, req)));
      return;
    }
    // WCF's service help page, shortened.
    send(res, 200, 'text/html; charset=utf-8', `<html><body><p>HubService</p><p><a href="${hubServicePath}?wsdl">${hubServicePath}?wsdl</a></p></body></html>`);
  }

  @Post(hubServicePath)
  async soap(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const started = Date.now();
    // Anything else may have been consumed by Nest's JSON or form parser already.
    if (!soapMediaTypes.has(mediaTypeOf(req)) || req.readableEnded) {
      if (!req.readableEnded) req.resume();
      send(res, 415, xml, encodeSoapFault('Client', 'Ожидается сообщение SOAP (text/xml или application/soap+xml)', unsupportedMediaType));
      return;
    }
    const body = await readBodyUpTo(req, maxSoapBodyBytes);
    if (body === undefined) {
      this.logger.warn(`soap refused: ${SafeXmlCode.bodyTooLarge}`);
      res.setHeader('connection', 'close');
      send(res, 413, xml, encodeSoapFault('Client', codecFaults[SafeXmlCode.bodyTooLarge], SafeXmlCode.bodyTooLarge));
      return;
    }
    let operation: string | undefined;
    try {
      const text = body.toString('utf8');
      // An unknown client costs a regular-expression scan, not a parse of up to a mebibyte.
      const guid = peekSoapGuid(text);
      const client = guid === undefined ? undefined : await this.hub.clientOf(guid);
      if (!client) throw new HubAccessDeniedError();
      const request = decodeFacadeSoapRequest(text, { maxBytes: maxSoapBodyBytes });
      operation = request.operation;
      const action = String(req.headers['soapaction'] ?? '').replace(/^"|"$/g, '');
      if (action !== '' && action !== soapActionOf(request.operation)) throw new ActionMismatchError(action);
      const answer = await this.hub.handle(request, client);
      const idError = answer.result.ErrorList?.[0]?.IdError;
      this.logger.debug(`soap ${operation} success=${answer.result.Success}${idError === undefined ? '' : ` idError=${idError}`} ${Date.now() - started}ms`);
      send(res, 200, xml, encodeSoapResponse(answer.operation, answer.result as never));
    } catch (error) {
      const fault = faultOf(error);
      this.logger.warn(`soap fault ${operation ?? '-'}: ${error instanceof AppError ? error.code : error instanceof Error ? error.name : 'unknown'}`);
      send(res, 500, xml, encodeSoapFault(fault.code, fault.text, fault.errorCode));
    }
  }
}

/**
 * A fault worded for the client: our refusals in Russian, anything unexpected without detail (as WCF
 * does); the stable code of our own refusals goes into the fault's detail.
 */
export function faultOf(error: unknown): { code: 'Client' | 'Server'; text: string; errorCode: string } {
  if (error instanceof AppError && Object.hasOwn(codecFaults, error.code)) {
    const field = error.details?.['field'];
    return { code: 'Client', text: typeof field === 'string' ? `${codecFaults[error.code]} ${field}` : codecFaults[error.code], errorCode: error.code };
  }
  if (isFacadeFault(error) || error instanceof ActionMismatchError) return { code: 'Client', text: (error as AppError).message, errorCode: (error as AppError).code };
  if (error instanceof AppError && (error.kind === ErrorKind.unavailable || error.kind === ErrorKind.timeout)) {
    return { code: 'Server', text: 'Сервис временно недоступен, повторите попытку позже', errorCode: 'COMMON.UNAVAILABLE' };
  }
  return { code: 'Server', text: 'The server was unable to process the request due to an internal error.', errorCode: 'COMMON.INTERNAL' };
}
