import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseConfigSchema, httpConfigSchema } from './bus.config';
import { loadConfig } from './env.config';
import { answerMalformedRequests, httpsOptionsOf, postgresSessionOptionsOf } from './http.config';

describe('HTTP server and database transport settings', () => {
  const http = (env: Record<string, string>) => loadConfig(httpConfigSchema, { HTTP_PORT: '8080', ...env });

  it('listens on loopback with bounded request, header and keep-alive times unless told otherwise', () => {
    expect(http({})).toEqual({
      HTTP_PORT: 8080,
      HTTP_HOST: '127.0.0.1',
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
    });
    expect(httpsOptionsOf(http({}))).toBeUndefined();
  });

  it('reads a TLS certificate and key given together, and names the missing one otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medbus-tls-'));
    writeFileSync(join(dir, 'cert.pem'), 'CERT');
    writeFileSync(join(dir, 'key.pem'), 'KEY');

    const tls = httpsOptionsOf(http({ HTTP_TLS_CERT_FILE: join(dir, 'cert.pem'), HTTP_TLS_KEY_FILE: join(dir, 'key.pem') }));

    expect(tls && { cert: tls.cert.toString(), key: tls.key.toString() }).toEqual({ cert: 'CERT', key: 'KEY' });
    expect(() => httpsOptionsOf(http({ HTTP_TLS_CERT_FILE: join(dir, 'cert.pem') }))).toThrow('HTTP_TLS_KEY_FILE is required');
    expect(() => httpsOptionsOf(http({ HTTP_TLS_CERT_FILE: join(dir, 'cert.pem'), HTTP_TLS_KEY_FILE: join(dir, 'nope.pem') }))).toThrow(
      'HTTP_TLS_KEY_FILE names a file that cannot be read',
    );
  });

  it('refuses a header timeout longer than the request timeout', () => {
    expect(() => httpsOptionsOf(http({ HTTP_HEADERS_TIMEOUT_MS: '40000' }))).toThrow('HTTP_HEADERS_TIMEOUT_MS must be at most HTTP_REQUEST_TIMEOUT_MS');
  });

  it('sets the statement and idle-in-transaction timeouts on every PostgreSQL session', () => {
    const db = loadConfig(databaseConfigSchema, { DATABASE_URL: 'postgres://booking@db/booking', DATABASE_STATEMENT_TIMEOUT_MS: '2000' });

    expect(postgresSessionOptionsOf(db, ['search_path=booking_a'])).toBe('-c statement_timeout=2000 -c idle_in_transaction_session_timeout=60000 -c search_path=booking_a');
  });
});

describe('answerMalformedRequests', () => {
  async function rawAnswer(request: string): Promise<string> {
    const server = createServer((_req, res) => res.end('handled'));
    answerMalformedRequests(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      return await new Promise<string>((resolve, reject) => {
        const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
        socket.on('error', reject);
        socket.end(request);
      });
    } finally {
      server.close();
    }
  }

  it("answers what Node's parser refuses with a JSON error and a stable code", async () => {
    const nul = await rawAnswer('GET / HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0000b\r\n\r\n');
    expect(nul).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(nul).toContain('{"error":{"code":"HTTP.MALFORMED_REQUEST","message":"Bad Request"}}');

    const big = await rawAnswer(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(big).toContain('"code":"HTTP.HEADERS_TOO_LARGE"');
  });
});
