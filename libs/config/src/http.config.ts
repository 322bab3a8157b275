import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import { ConfigError } from './config.errors';
import type { databaseConfigSchema, httpServerConfigSchema } from './bus.config';

export type HttpServerConfig = z.output<typeof httpServerConfigSchema>;
export type DatabaseConfig = z.output<typeof databaseConfigSchema>;

/** What `https.createServer` (or Nest's `httpsOptions`) needs, when TLS is configured. */
export interface HttpsOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * The server's TLS certificate and key read from HTTP_TLS_CERT_FILE and HTTP_TLS_KEY_FILE, or
 * undefined when neither is set (plain HTTP).
 *
 * @throws ConfigError when only one is set, the files cannot be read, or headers may outlast the request.
 */
export function httpsOptionsOf(config: HttpServerConfig): HttpsOptions | undefined {
  if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(['HTTP_HEADERS_TIMEOUT_MS must be at most HTTP_REQUEST_TIMEOUT_MS'], ['HTTP_HEADERS_TIMEOUT_MS']);
  }
  const { HTTP_TLS_CERT_FILE: certFile, HTTP_TLS_KEY_FILE: keyFile } = config;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    const missing = certFile === undefined ? 'HTTP_TLS_CERT_FILE' : 'HTTP_TLS_KEY_FILE';
    throw new ConfigError([`${missing} is required when the other of HTTP_TLS_CERT_FILE and HTTP_TLS_KEY_FILE is set`], [missing]);
  }
  return { cert: readPem(certFile, 'HTTP_TLS_CERT_FILE'), key: readPem(keyFile, 'HTTP_TLS_KEY_FILE') };
}

function readPem(path: string, variable: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new ConfigError([`${variable} names a file that cannot be read`], [variable]);
  }
}

/** Applies the configured request, header and keep-alive timeouts to a listening or new server. */
export function applyServerTimeouts(server: Pick<Server, 'requestTimeout' | 'headersTimeout' | 'keepAliveTimeout'>, config: HttpServerConfig): void {
  server.requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_MS;
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
}

/**
 * PostgreSQL session settings for a pool's connections (pg's `options` startup parameter): the
 * statement and idle-in-transaction timeouts, plus `extra` settings such as a search_path.
 */
export function postgresSessionOptionsOf(config: Pick<DatabaseConfig, 'DATABASE_STATEMENT_TIMEOUT_MS' | 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS'>, extra: readonly string[] = []): string {
  return [`-c statement_timeout=${config.DATABASE_STATEMENT_TIMEOUT_MS}`, `-c idle_in_transaction_session_timeout=${config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS}`, ...extra.map((setting) => `-c ${setting}`)].join(' ');
}

const clientErrors: Readonly<Record<string, { readonly status: number; readonly reason: string; readonly code: string }>> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', code: 'HTTP.HEADERS_TOO_LARGE' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'HTTP.REQUEST_TIMEOUT' },
};
const malformed = { status: 400, reason: 'Bad Request', code: 'HTTP.MALFORMED_REQUEST' };

/**
 * Answers a request Node's parser refuses (a NUL or CR in a header, smuggling with both
 * Content-Length and Transfer-Encoding, oversized headers, a timeout) with the one JSON error body
 * and a stable code, where Node would answer a bare status. Closes the connection either way.
 */
export function answerMalformedRequests(server: Pick<Server, 'on'>): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    const { status, reason, code } = clientErrors[error.code ?? ''] ?? malformed;
    // ECONNRESET and the like: nobody is there to read an answer.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: { code, message: reason } });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
}
