import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recorded } from './__fixtures__/recorded';
import type { DumpIndexEntry } from './dump-index.mapper';
import { HttpDumpSource, hostKeyFingerprint } from './dump-source.client';
import { mayHaveReachedMis } from './xmldump-http.client';

const body = recorded('schedule-full.dump.xml');
const entry: DumpIndexEntry = { name: 'full-1.xml', kind: 'full', seq: 1, size: body.length, sha256: createHash('sha256').update(body).digest('hex'), generated: '2026-11-30T04:33:18+03:00' };
const authorization = `Basic ${Buffer.from('medbus:secret-password').toString('base64')}`;

describe('downloading dumps over HTTP', () => {
  let server: Server;
  let dir: string;
  let url: string;
  let serve: (req: IncomingMessage, res: ServerResponse) => void;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xmldump-source-'));
    server = createServer((req, res) => {
      if (req.headers.authorization !== authorization) return void res.writeHead(401).end();
      serve(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dumps/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const source = (password = 'secret-password') => new HttpDumpSource({ url, login: 'medbus', password, timeoutMs: 2_000 });
  const download = async (target: string, candidate = entry, password?: string) => (await source(password).open()).download(candidate, join(dir, target));

  it('reads the index and saves a dump whose size and SHA-256 are the index’s', async () => {
    serve = (req, res) => {
      const answer = req.url === '/dumps/index.xml' ? Buffer.from('<DumpIndex/>') : body;
      res.writeHead(200, { 'content-length': answer.length }).end(answer);
    };
    expect((await (await source().open()).readIndex(1024)).toString()).toBe('<DumpIndex/>');
    await download('whole.xml');
    expect(await readFile(join(dir, 'whole.xml'))).toEqual(body);
  });

  it('fails a download the server cuts mid-file, as a failure that says the MIS may be retried', async () => {
    serve = (req, res) => {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length / 2), () => req.socket.destroy());
    };
    const failure = await download('cut.xml').catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'MIS.UNAVAILABLE', kind: 'unavailable', details: { dump: 'full-1.xml' } });
  });

  it('fails a file whose bytes are not what the index describes: other bytes, fewer, more', async () => {
    const other = Buffer.from(body);
    other[100] = 0x41;
    serve = (_req, res) => res.writeHead(200).end(other);
    await expect(download('other.xml')).rejects.toMatchObject({ details: { reason: 'SHA256_MISMATCH' } });
    serve = (_req, res) => res.writeHead(200).end(body.subarray(1));
    await expect(download('short.xml')).rejects.toMatchObject({ details: { reason: 'SIZE_MISMATCH' } });
    serve = (_req, res) => res.writeHead(200).end(Buffer.concat([body, Buffer.from('x')]));
    await expect(download('long.xml')).rejects.toMatchObject({ details: { reason: 'LONGER_THAN_INDEX' } });
  });

  it('fails on an outage and a refused login, with the status, as calls that never reached the MIS', async () => {
    serve = (_req, res) => res.writeHead(503).end('<html>503</html>');
    const outage = await download('outage.xml').catch((error: unknown) => error);
    expect(outage).toMatchObject({ code: 'MIS.UNAVAILABLE', details: { status: 503 } });
    expect(mayHaveReachedMis(outage)).toBe(false);
    const refused = await download('refused.xml', entry, 'wrong-password').catch((error: unknown) => error);
    expect(refused).toMatchObject({ details: { status: 401 } });
  });

  it('refuses an index larger than the limit without reading it all', async () => {
    serve = (_req, res) => res.writeHead(200).end('<DumpIndex>' + ' '.repeat(10_000) + '</DumpIndex>');
    await expect((await source().open()).readIndex(1_000)).rejects.toMatchObject({ code: 'MIS.RESPONSE_REJECTED', reason: 'too_large' });
  });
});

describe('an SFTP host key’s fingerprint', () => {
  it('is OpenSSH’s SHA256 form: unpadded base64 of the key’s hash', () => {
    expect(hostKeyFingerprint(Buffer.from('key'))).toBe(`SHA256:${createHash('sha256').update('key').digest('base64').replace(/=+$/, '')}`);
  });
});
