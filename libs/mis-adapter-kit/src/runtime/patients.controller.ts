import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, ErrorKind, httpStatusOf } from '@medbus/errors';
import { IdentificationCode, assertIdentifies, identificationStatusOf, identifyPath, identifyRequestSchema, type IdentifiedPatient, type IdentifyRequest } from '@medbus/identification';
import { MisResponseRejectedError } from '../adapter.errors';

export interface PatientControllerOptions {
  /** Keys callers present as `Authorization: Bearer <key>`; none configured means every call is refused. */
  readonly apiKeys: readonly string[];
  readonly maxBodyBytes: number;
  /** Today, `YYYY-MM-DD`, to refuse birth dates in the future. */
  readonly today: () => string;
}

interface ErrorBody {
  readonly code: string;
  readonly message: string;
}

/**
 * `POST /v1/patients/identify` on the adapter's HTTP port: who a patient is at an organisation's
 * MIS, for the booking service before it books. Bodies are never logged: they are all personal data.
 */
export class PatientsController {
  readonly path = identifyPath;
  private readonly keyDigests: readonly Buffer[];

  constructor(
    private readonly identify: (request: IdentifyRequest) => Promise<IdentifiedPatient>,
    private readonly options: PatientControllerOptions,
  ) {
    this.keyDigests = options.apiKeys.map(digest);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return reply(res, 405, { code: 'REQUEST.METHOD_NOT_ALLOWED', message: 'use POST' });
    if (!this.authorised(req)) {
      req.resume();
      return reply(res, 401, { code: 'AUTH.INVALID_API_KEY', message: 'a valid API key is required (Authorization: Bearer <key>)' });
    }
    if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      req.resume();
      return reply(res, 415, { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', message: 'send application/json' });
    }
    const raw = await readJsonBody(req, this.options.maxBodyBytes);
    if (raw === tooLarge) return reply(res, 413, { code: 'REQUEST.TOO_LARGE', message: `the body exceeds ${this.options.maxBodyBytes} bytes` });
    if (raw === malformed) return reply(res, 400, { code: 'REQUEST.MALFORMED', message: 'the body is not JSON' });
    const parsed = identifyRequestSchema.safeParse(raw);
    if (!parsed.success) {
      // Field names and rules only: the values are personal data.
      const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
      return reply(res, 400, { code: 'REQUEST.INVALID', message: fields });
    }
    try {
      assertIdentifies(parsed.data, this.options.today());
      return reply(res, 200, await this.identify(parsed.data));
    } catch (error) {
      const [status, body] = errorAnswer(error);
      return reply(res, status, body);
    }
  }

  private authorised(req: IncomingMessage): boolean {
    const header = String(req.headers['authorization'] ?? '');
    if (!header.startsWith('Bearer ')) return false;
    const given = digest(header.slice(7).trim());
    // Every key is compared, in constant time each, so timing tells nothing of which or how close.
    let match = false;
    for (const key of this.keyDigests) match = timingSafeEqual(given, key) || match;
    return match;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** How an error answers: the identification's own codes as they are, the MIS's troubles as 502/503. */
export function errorAnswer(error: unknown): [number, ErrorBody] {
  const answer = (code: IdentificationCode, message: string): [number, ErrorBody] => [identificationStatusOf[code], { code, message }];
  if (error instanceof MisResponseRejectedError) return answer(IdentificationCode.misBadResponse, 'the MIS answered with something we refuse to read');
  if (error instanceof AppError && (error.kind === ErrorKind.unavailable || error.kind === ErrorKind.timeout)) {
    // A refusal the MIS gave (it answered, with a code the contract has no place for) is not an outage.
    if (error.details?.['misRefused'] === true) return answer(IdentificationCode.misRefused, error.message);
    return answer(IdentificationCode.misUnavailable, 'the MIS does not answer; try again later');
  }
  if (error instanceof AppError && error.kind !== ErrorKind.internal) return [httpStatusOf(error), { code: error.code, message: error.message }];
  return [500, { code: 'COMMON.INTERNAL', message: 'internal error' }];
}

const tooLarge = Symbol('too large');
const malformed = Symbol('malformed');

function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? '0') > maxBytes) {
      req.resume();
      return resolve(tooLarge);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        resolve(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch {
        resolve(malformed);
      }
    });
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
