import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBodyUpTo } from './safe-xml.guard';

interface Answer {
  readonly status: number;
  readonly connection: string | undefined;
  readonly body: string;
}

/** Posts `bytes` of body on a connection of its own and reads the answer; a write error after an answer is no failure. */
function post(port: number, bytes: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-length': String(bytes) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(Buffer.alloc(bytes, 'x'));
  });
}

describe('a request body read up to a limit', () => {
  let server: Server;
  let port: number;
  const seen: (number | 'too large')[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      void readBodyUpTo(req, 65_536).then((body) => {
        seen.push(body === undefined ? 'too large' : body.length);
        if (body === undefined) res.setHeader('connection', 'close');
        res.writeHead(body === undefined ? 413 : 200).end(body === undefined ? 'too large' : 'ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('hands a body within the limit over whole', async () => {
    expect(await post(port, 60_000)).toMatchObject({ status: 200, body: 'ok' });
  });

  it('refuses a larger one only after draining it, so every client reads the refusal instead of a reset', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(port, 600_000)));
    expect(answers.map((a) => [a.status, a.connection, a.body])).toEqual(Array.from({ length: 20 }, () => [413, 'close', 'too large']));
  });

  it('answers at once a body declared longer than it would ever drain, though the peer sends little', async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-length': String(2 * 1024 ** 3) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('x'.repeat(100));
    });
    expect(answer).toBe(413);
  });

  it('cuts off a peer that streams far more than the limit without declaring a length, without an answer', async () => {
    const streamed = new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      for (let i = 0; i < 40; i++) req.write(Buffer.alloc(65_536, 'x'));
      req.end();
    });
    await expect(streamed).rejects.toThrow(/socket hang up|ECONNRESET|EPIPE/);
  });
});
