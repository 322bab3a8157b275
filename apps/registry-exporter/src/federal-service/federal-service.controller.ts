import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Catch, Controller, Get, Inject, Logger, Post, Req, Res, UseFilters, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppConfig } from '@medbus/config';
import { AppError, ErrorKind } from '@medbus/errors';
import { discardRequestBody, encodeSoapFault, readBodyUpTo } from '@medbus/hubservice';
import type { ExporterConfig } from '../exporter.config';
import { Public, Roles } from '@medbus/service-auth';
import { erServicePath, erSoapActionOf, type ErRequest } from './er-service.contract';
import { erServiceWsdl } from './er-service.wsdl';
import { decodeErRequest, encodeErResponse } from './er-soap.mapper';
import { ActionMismatchError, BodyTooLargeError, ErFaultCode, UnsupportedMediaTypeError } from './federal-service.errors';
import { FederalService } from './federal-service.service';

const xml = 'text/xml; charset=utf-8';

/** SOAP 1.1's media type (and 1.2's, which clients of WCF-era services sometimes send); parameters may follow. */
const soapMediaTypes: ReadonlySet<string> = new Set(['text/xml', 'application/soap+xml']);

const mediaTypeOf = (req: IncomingMessage): string =>
  String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** A host (and port) as a Host header may carry it; anything else is not echoed into the WSDL. */
const hostPattern = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * Where the endpoint is for its callers: ER_SERVICE_PUBLIC_URL when set (behind a proxy), else the
 * host the caller reached (a well-formed Host header), else this server's own address.
 */
export function endpointOf(config: Pick<ExporterConfig, 'ER_SERVICE_PUBLIC_URL' | 'HTTP_HOST' | 'HTTP_PORT'>, req: IncomingMessage): string {
  if (config.ER_SERVICE_PUBLIC_URL !== undefined) {
    const base = config.ER_SERVICE_PUBLIC_URL.replace(/\/+$/, '');
    return base.endsWith(erServicePath) ? base : `${base}${erServicePath}`;
  }
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  const host = req.headers.host;
  if (typeof host === 'string' && hostPattern.test(host)) return `${scheme}://${host}${erServicePath}`;
  const own = ['0.0.0.0', '::', ''].includes(config.HTTP_HOST) ? '127.0.0.1' : config.HTTP_HOST.includes(':') ? `[${config.HTTP_HOST}]` : config.HTTP_HOST;
  return `${scheme}://${own}:${req.socket.localPort ?? config.HTTP_PORT}${erServicePath}`;
}

/** HTTP status of a fault: SOAP 1.1 answers faults with 500, except what HTTP itself names better. */
function httpStatusOf(error: AppError): number {
  if (error.code === ErFaultCode.bodyTooLarge) return 413;
  if (error.code === ErFaultCode.unsupportedMediaType) return 415;
  if (error.kind === ErrorKind.unauthorized) return 401;
  if (error.kind === ErrorKind.forbidden) return 403;
  if (error.kind === ErrorKind.unavailable || error.kind === ErrorKind.timeout) return 503;
  return 500;
}

/** A fault worded for the caller: the stable code leads the faultstring and is in the detail; nothing unexpected is described. */
export function faultOf(error: unknown): { status: number; faultCode: 'Client' | 'Server'; text: string; code: string } {
  if (!(error instanceof AppError) || error.kind === ErrorKind.internal) {
    return { status: 500, faultCode: 'Server', text: `${ErFaultCode.internal}: internal error`, code: ErFaultCode.internal };
  }
  const status = httpStatusOf(error);
  return { status, faultCode: status >= 500 && error.kind !== ErrorKind.validation ? 'Server' : 'Client', text: `${error.code}: ${error.message}`, code: error.code };
}

/**
 * Answers whatever the route or its guard throws as a SOAP Fault (the guard's refusals too: a SOAP
 * client reads a fault, not JSON). A request whose body was not read is drained first (up to
 * {@link unreadBodyLimit}, past which the peer is cut off, so an unauthenticated one cannot keep streaming
 * into it), then answered with the connection closed: the client reads the fault instead of a reset.
 */
const unreadBodyLimit = 16 * 1024 * 1024;

@Catch()
export class ErFaultFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErWebService');

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<IncomingMessage>();
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const fault = faultOf(exception);
    if (fault.code === ErFaultCode.internal) this.logger.error(exception instanceof Error ? exception.message : 'non-Error thrown', exception instanceof Error ? exception.stack : undefined);
    else this.logger.warn(`soap fault ${fault.code} ${fault.status}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (req.readableEnded) {
      send(res, fault.status, xml, encodeSoapFault(fault.faultCode, fault.text, fault.code));
      return;
    }
    res.setHeader('connection', 'close');
    void discardRequestBody(req, unreadBodyLimit).then(() => send(res, fault.status, xml, encodeSoapFault(fault.faultCode, fault.text, fault.code)));
  }
}

/**
 * ErWebService (er-contract.md): SOAP 1.1 at /er/v2_0/ErWebService for the federal concentrator,
 * authenticated by `Authorization: Bearer` of a FEDERAL_REGISTRY client; its WSDL at ?wsdl is public.
 * The body is read raw with a size limit and guarded (no DTD, bounded depth) before any parser sees
 * it. One log line per call: operation, Status_Code, duration; never a parameter.
 */
@ApiExcludeController()
@UseFilters(ErFaultFilter)
@Controller()
export class FederalServiceController {
  private readonly logger = new Logger('ErWebService');

  constructor(
    @Inject(FederalService) private readonly service: FederalService,
    @Inject(AppConfig) private readonly config: ExporterConfig,
  ) {}

  @Get(erServicePath)
  @Public()
  describe(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    if ([...query.keys()].some((key) => key.toLowerCase() === 'wsdl')) {
      send(res, 200, xml, erServiceWsdl(endpointOf(this.config, req)));
      return;
    }
    send(res, 200, 'text/html; charset=utf-8', `<html><body><p>ErWebService</p><p><a href="${erServicePath}?wsdl">${erServicePath}?wsdl</a></p></body></html>`);
  }

  @Post(erServicePath)
  @Roles('FEDERAL_REGISTRY')
  async call(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const started = Date.now();
    // Anything else may have been consumed by Nest's JSON or form parser already.
    if (!soapMediaTypes.has(mediaTypeOf(req)) || req.readableEnded) throw new UnsupportedMediaTypeError();
    const body = await readBodyUpTo(req, this.config.ER_MAX_BODY_BYTES);
    if (body === undefined) throw new BodyTooLargeError(this.config.ER_MAX_BODY_BYTES);
    const request: ErRequest = decodeErRequest(body, this.config.ER_MAX_BODY_BYTES);
    const action = String(req.headers['soapaction'] ?? '').replace(/^"|"$/g, '');
    if (action !== '' && action !== erSoapActionOf(request.operation)) throw new ActionMismatchError();
    const response = await this.service.handle(request);
    const answer = encodeErResponse(response);
    this.logger.log(`${request.operation} ${response.result.Status_Code} ${Date.now() - started}ms`);
    send(res, 200, xml, answer);
  }
}
