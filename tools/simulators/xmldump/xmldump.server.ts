import { timingSafeEqual } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { AppError } from '@medbus/errors';
import { discardRequestBody, readBodyUpTo, SafeXmlCode } from '@medbus/hubservice';
import { sendJson, type AdminController, type Faults } from '../clinic/admin.controller';
import type { ScheduleState } from '../clinic/schedule.state';
import { decodeBookingRequest, encodeBookingAnswer, encodeRequestError, RequestErrorCode, type BookingMessage } from './booking.codec';
import type { BookingService } from './booking.service';
import { corruptModes, indexName, isDumpFileName, takeTruncation, type DumpFaults, type DumpPublisher } from './dump.publisher';

/** Ways of garbling booking answers (`POST /admin/faults {"malformed": …}`). */
export const malformedModes = ['none', 'broken-xml', 'entity-expansion'] as const;
export type Malformed = (typeof malformedModes)[number];

/** The messages whose answers `dropAnswers` loses: the ones that change the schedule. */
const changingMessages: ReadonlySet<BookingMessage> = new Set(['Book', 'Cancel', 'RegisterPatient']);

export type Log = (line: Record<string, unknown>) => void;

export interface XmlDumpHttpOptions {
  readonly state: ScheduleState;
  readonly publisher: DumpPublisher;
  readonly booking: BookingService;
  readonly admin: AdminController;
  readonly faults: Faults;
  readonly dumpFaults: DumpFaults;
  readonly login: string;
  readonly password: string;
  readonly adminToken: string;
  readonly maxBodyBytes: number;
  readonly log: Log;
  readonly random?: () => number;
}

const dumpBody = z.object({ kind: z.enum(['full', 'partial']) }).strict();
const dumpFaultsBody = z.object({ truncateNext: z.boolean().optional(), corruptNext: z.enum(corruptModes).nullable().optional() }).strict();

const xmlType = 'application/xml; charset=utf-8';

function sendXml(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': xmlType, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

function sameBytes(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The vendor's HTTP side: dump downloads (`/dumps/*`), booking messages (`POST /booking`), both
 * behind Basic auth; the shared admin API plus the dump routes of this simulator; `/health`.
 */
export class XmlDumpHttp {
  private readonly random: () => number;
  private readonly basic: string;

  constructor(private readonly options: XmlDumpHttpOptions) {
    this.random = options.random ?? Math.random;
    this.basic = `Basic ${Buffer.from(`${options.login}:${options.password}`).toString('base64')}`;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    const { faults, state, publisher } = this.options;
    if (path === '/health') return sendJson(res, 200, { status: 'ok', outage: faults.outage, today: state.today, version: state.version, base: publisher.baseSeq });
    if (path === '/admin/dump' || path === '/admin/dump-faults') return this.dumpAdmin(req, res, path);
    if (path.startsWith('/admin/')) {
      await this.options.admin.handle(req, res, url);
      publisher.catchUpDay();
      return;
    }
    const dumps = path.startsWith('/dumps/') && req.method === 'GET';
    const booking = path === '/booking' && req.method === 'POST';
    if (!dumps && !booking) return sendJson(res, 404, { error: { code: 'HTTP.404', message: 'not found' } });
    if (faults.outage) {
      await discardRequestBody(req, this.options.maxBodyBytes);
      res.writeHead(503, { 'content-type': 'text/html', connection: 'close', 'retry-after': '30' });
      return void res.end('<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>');
    }
    if (!sameBytes(String(req.headers.authorization ?? ''), this.basic)) {
      await discardRequestBody(req, this.options.maxBodyBytes);
      return sendXml(res, 401, encodeRequestError(RequestErrorCode.unauthorized, 'Требуется авторизация'), { 'www-authenticate': 'Basic realm="xmldump"', connection: 'close' });
    }
    if (dumps) return this.download(req, res, path.slice('/dumps/'.length));
    return this.book(req, res);
  }

  private async injected(): Promise<boolean> {
    if (this.options.faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.faults.latencyMs));
    return this.options.faults.errorRate > 0 && this.random() < this.options.faults.errorRate;
  }

  private async download(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const path = isDumpFileName(name) ? this.options.publisher.pathOf(name) : undefined;
    // Opened before answering: a dump pruned after this still reads to its end.
    const file = path === undefined ? undefined : await open(path, 'r').catch(() => undefined);
    if (!file) return sendXml(res, 404, encodeRequestError(RequestErrorCode.notFound, 'Файл не найден'));
    try {
      if (await this.injected()) {
        this.options.log({ msg: 'download', name, injected: 'error' });
        return sendXml(res, 500, encodeRequestError(RequestErrorCode.internal, 'Внутренняя ошибка сервера'));
      }
      const { size, mtime } = await file.stat();
      const cutAt = name !== indexName && takeTruncation(this.options.dumpFaults) ? Math.floor(size / 2) : undefined;
      res.writeHead(200, { 'content-type': xmlType, 'content-length': String(size), 'last-modified': mtime.toUTCString() });
      const stream = file.createReadStream({ start: 0, end: cutAt === undefined ? undefined : Math.max(0, cutAt - 1), autoClose: false });
      stream.pipe(res, { end: cutAt === undefined });
      await new Promise<void>((resolve, reject) => {
        stream.once('end', resolve);
        stream.once('error', reject);
        res.once('close', () => {
          stream.destroy();
          resolve();
        });
      });
      if (cutAt !== undefined) {
        // The connection drops after half the file, the declared length unmet.
        this.options.log({ msg: 'download cut', name, at: cutAt, size });
        req.socket.end();
      } else {
        this.options.log({ msg: 'download', name, size });
      }
    } finally {
      await file.close();
    }
  }

  private async book(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const body = await readBodyUpTo(req, this.options.maxBodyBytes);
    if (body === undefined) {
      this.options.log({ msg: 'booking refused', code: SafeXmlCode.bodyTooLarge });
      return sendXml(res, 413, encodeRequestError(RequestErrorCode.tooLarge, 'Сообщение превышает допустимый размер'), { connection: 'close' });
    }
    const contentType = String(req.headers['content-type'] ?? '');
    if (!/^(application|text)\/xml\b/.test(contentType)) {
      return sendXml(res, 415, encodeRequestError(RequestErrorCode.unsupportedMediaType, 'Ожидается application/xml'));
    }
    let request;
    try {
      request = decodeBookingRequest(body, this.options.maxBodyBytes);
    } catch (error) {
      // The codec's and the guard's messages name the rule broken, never the content.
      const message = error instanceof AppError ? error.message : 'Сообщение не разобрано';
      this.options.log({ msg: 'booking refused', code: error instanceof AppError ? error.code : 'unknown' });
      return sendXml(res, 400, encodeRequestError(RequestErrorCode.badRequest, message));
    }
    if (await this.injected()) {
      this.options.log({ msg: 'booking', message: request.message, injected: 'error', ms: Date.now() - started });
      return sendXml(res, 500, encodeRequestError(RequestErrorCode.internal, 'Внутренняя ошибка сервера'));
    }
    const answer = this.options.booking.handle(request);
    const line = { msg: 'booking', message: request.message, clinic: request.clinic, status: answer.status, code: answer.status === 'error' ? answer.code : undefined };
    if (this.options.faults.dropAnswers > 0 && changingMessages.has(request.message)) {
      this.options.faults.dropAnswers -= 1;
      this.options.log({ ...line, injected: 'answer-dropped', ms: Date.now() - started });
      req.socket.destroy();
      return;
    }
    this.options.log({ ...line, ms: Date.now() - started });
    const xml = encodeBookingAnswer(answer);
    const mode = this.options.faults.malformed as Malformed;
    switch (mode) {
      case 'none':
        return sendXml(res, 200, xml);
      case 'broken-xml':
        return sendXml(res, 200, xml.slice(0, Math.floor(xml.length * 0.6)));
      case 'entity-expansion': {
        const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
        return sendXml(res, 200, `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]>${xml.replace(/^<\?xml[^>]*\?>/, '').replace('status="', 'note="&lol9;" status="')}`);
      }
      default:
        return mode satisfies never;
    }
  }

  private async dumpAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const header = String(req.headers.authorization ?? '');
    const token = header.startsWith('Bearer ') ? header.slice(7) : String(req.headers['x-admin-token'] ?? '');
    if (!sameBytes(token, this.options.adminToken)) {
      await discardRequestBody(req, 64 * 1024);
      return sendJson(res, 401, { error: { code: 'ADMIN.UNAUTHORIZED', message: 'admin token required' } });
    }
    if (req.method !== 'POST') return sendJson(res, 404, { error: { code: 'ADMIN.NOT_FOUND', message: `no route ${req.method} ${path}` } });
    const raw = await readBodyUpTo(req, 64 * 1024);
    if (raw === undefined) return sendJson(res, 413, { error: { code: 'ADMIN.BODY_TOO_LARGE', message: 'body too large' } });
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      return sendJson(res, 400, { error: { code: 'ADMIN.MALFORMED', message: 'body is not JSON' } });
    }
    if (path === '/admin/dump') {
      const input = dumpBody.safeParse(body);
      if (!input.success) return sendJson(res, 400, { error: { code: 'ADMIN.VALIDATION', message: input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
      return sendJson(res, 200, await this.options.publisher.publish(input.data.kind));
    }
    const input = dumpFaultsBody.safeParse(body);
    if (!input.success) return sendJson(res, 400, { error: { code: 'ADMIN.VALIDATION', message: input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
    if (input.data.truncateNext !== undefined) this.options.dumpFaults.truncateNext = input.data.truncateNext;
    if (input.data.corruptNext !== undefined) this.options.dumpFaults.corruptNext = input.data.corruptNext;
    return sendJson(res, 200, this.options.dumpFaults);
  }
}
