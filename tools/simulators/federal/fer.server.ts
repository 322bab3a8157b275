import type { IncomingMessage, ServerResponse } from 'node:http';
import { FerFaultCode, ferRegistryPath, ferRegistryWsdl, ferSoapActionOf } from '@medbus/federal-registry';
import { readBodyUpTo } from '@medbus/hubservice';
import { FerFaultError, decodeFerRequest, encodeFerFault, encodeFerResponse, type DecodedRequest } from './fer.codec';
import type { RegistryService } from './registry.service';
import type { RegistryStats } from './registry.stats';

export const faultModes = ['up', 'down', 'drop', 'slow'] as const;
export type FaultMode = (typeof faultModes)[number];

/**
 * How the federal side misbehaves on purpose, changed at run time through POST /admin/faults.
 * down: HTTP 503 to every call; drop: the socket is destroyed before the call is handled; slow: every
 * answer waits `delayMs` after the call was handled (a client that times out has had its change made);
 * `errorRate`: that share of calls answer INTERNAL_ERROR before they are handled.
 */
export interface Faults {
  mode: FaultMode;
  delayMs: number;
  errorRate: number;
}

export type Log = (line: Record<string, unknown>) => void;

const xmlType = 'text/xml; charset=utf-8';

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': xmlType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The push API endpoint at /fer/RegistryService, hand-rolled over fast-xml-parser. */
export class FerSoapEndpoint {
  constructor(
    private readonly registry: RegistryService,
    private readonly stats: RegistryStats,
    private readonly faults: Faults,
    private readonly maxBodyBytes: number,
    private readonly log: Log,
    private readonly random: () => number = Math.random,
  ) {}

  /** Serves the path when it is the endpoint's; answers false otherwise. */
  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== ferRegistryPath) return false;
    if (this.faults.mode === 'down') {
      this.stats.inject('down');
      res.writeHead(503, { 'content-type': 'text/html', connection: 'close', 'retry-after': '5' });
      res.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
      return true;
    }
    if (this.faults.mode === 'drop') {
      this.stats.inject('drop');
      req.socket.destroy();
      return true;
    }
    if (req.method === 'GET' && (url.searchParams.has('wsdl') || url.searchParams.has('WSDL'))) {
      send(res, 200, ferRegistryWsdl(`http://${req.headers.host ?? '127.0.0.1'}${ferRegistryPath}`));
      return true;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' });
      res.end();
      return true;
    }
    await this.soap(req, res);
    return true;
  }

  private async soap(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const body = await readBodyUpTo(req, this.maxBodyBytes);
    if (body === undefined) {
      res.setHeader('connection', 'close');
      await this.refuse(res, 413, new FerFaultError(FerFaultCode.MalformedRequest, `the request exceeds ${this.maxBodyBytes} bytes`), undefined, started);
      return;
    }
    let request: DecodedRequest | undefined;
    try {
      if (!String(req.headers['content-type'] ?? '').startsWith('text/xml')) throw new FerFaultError(FerFaultCode.MalformedRequest, 'SOAP 1.1 (text/xml) expected');
      request = decodeFerRequest(body.toString('utf8'));
      this.stats.call(request.operation);
      const action = String(req.headers['soapaction'] ?? '').replace(/^"|"$/g, '');
      if (action !== '' && action !== ferSoapActionOf(request.operation)) throw new FerFaultError(FerFaultCode.MalformedRequest, `SOAPAction does not name ${request.operation}`);
      if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate) {
        this.stats.inject('error');
        throw new FerFaultError(FerFaultCode.InternalError, 'the registry could not handle the call; try again later');
      }
      const handled = this.registry.handle(request);
      const xml = encodeFerResponse(request.operation, handled.response);
      this.log({ msg: 'soap', operation: request.operation, login: handled.login, items: handled.items, ...handled.outcomes, ms: Date.now() - started });
      await this.slowDown();
      if (!res.destroyed) send(res, 200, xml);
    } catch (error) {
      if (error instanceof FerFaultError) {
        await this.refuse(res, 500, error, request?.operation, started);
        return;
      }
      this.log({ msg: 'soap failed', operation: request?.operation, error: error instanceof Error ? error.name : 'unknown' });
      await this.refuse(res, 500, new FerFaultError(FerFaultCode.InternalError, 'internal error'), request?.operation, started);
    }
  }

  private async refuse(res: ServerResponse, status: number, error: FerFaultError, operation: string | undefined, started: number): Promise<void> {
    this.stats.fault(error.code);
    this.log({ msg: 'soap fault', operation, fault: error.code, ms: Date.now() - started });
    await this.slowDown();
    if (!res.destroyed) send(res, status, encodeFerFault(error.fault));
  }

  /** In slow mode every answer, fault or not, waits after the call was handled. */
  private async slowDown(): Promise<void> {
    if (this.faults.mode !== 'slow' || this.faults.delayMs <= 0) return;
    this.stats.inject('slow');
    await new Promise((resolve) => setTimeout(resolve, this.faults.delayMs));
  }
}
