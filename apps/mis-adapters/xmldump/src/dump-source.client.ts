import { createHash, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, type SFTPWrapper } from 'ssh2';
import { MisResponseRejectedError, MisResponseRejection, MisUnavailableError } from '@medbus/mis-adapter-kit';
import type { DumpIndexEntry } from './dump-index.mapper';
import { assertServed, basicAuthorization, bodyUpTo, misFetch } from './xmldump-http.client';

export const indexFileName = 'index.xml';

/** One visit to the vendor's dump folder: its index, then the dumps to apply, then closed. */
export interface DumpSession {
  readIndex(maxBytes: number): Promise<Buffer>;
  /**
   * Streams a dump to `path`, measuring and hashing it on the way: a size or SHA-256 other than
   * the index's is a download that failed (a cut connection), thrown as `MisUnavailableError`.
   */
  download(entry: DumpIndexEntry, path: string): Promise<void>;
  close(): Promise<void>;
}

/** Where the vendor publishes its dumps: an HTTP folder or an SFTP one, with the same files. */
export abstract class DumpSource {
  abstract readonly transport: 'http' | 'sftp';
  abstract open(): Promise<DumpSession>;
}

export interface DumpSourceOptions {
  /** `http(s)://host/dumps/` or `sftp://host:port/dumps/`. */
  readonly url: string;
  readonly login: string;
  readonly password: string;
  /** How long a connection may stay silent (connecting, or between two chunks of a file). */
  readonly timeoutMs: number;
  /** The SFTP server's host key fingerprint (`SHA256:…` as OpenSSH prints it); absent: any key is accepted. */
  readonly hostKeySha256?: string;
}

export function dumpSourceOf(options: DumpSourceOptions): DumpSource {
  return new URL(options.url).protocol === 'sftp:' ? new SftpDumpSource(options) : new HttpDumpSource(options);
}

function folderOf(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** A download that did not yield the file the index describes. */
function incomplete(entry: DumpIndexEntry, reason: string, cause?: unknown): MisUnavailableError {
  return new MisUnavailableError(`XMLDump download of ${entry.name} incomplete`, { cause, details: { dump: entry.name, reason } });
}

/** Copies `source` to `path`, failing on more bytes than the index says, a silence longer than `idleMs`, or a size or hash that differs. */
async function saveVerified(source: Readable, entry: DumpIndexEntry, path: string, idleMs: number, onIdle: () => void): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  let idle = setTimeout(onIdle, idleMs);
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      clearTimeout(idle);
      idle = setTimeout(onIdle, idleMs);
      size += chunk.length;
      if (size > entry.size) return done(incomplete(entry, 'LONGER_THAN_INDEX'));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    throw error instanceof MisUnavailableError ? error : incomplete(entry, 'CONNECTION_LOST', error);
  } finally {
    clearTimeout(idle);
  }
  if (size !== entry.size) throw incomplete(entry, 'SIZE_MISMATCH');
  if (hash.digest('hex') !== entry.sha256) throw incomplete(entry, 'SHA256_MISMATCH');
}

/** The dumps over HTTP: `GET <folder>index.xml`, `GET <folder><name>`, Basic auth. */
export class HttpDumpSource extends DumpSource {
  readonly transport = 'http';
  private readonly folder: string;
  private readonly authorization: string;

  constructor(private readonly options: DumpSourceOptions) {
    super();
    this.folder = folderOf(options.url);
    this.authorization = basicAuthorization(options.login, options.password);
  }

  async open(): Promise<DumpSession> {
    const { timeoutMs } = this.options;
    const headers = { authorization: this.authorization };
    return {
      readIndex: async (maxBytes) => {
        const response = await misFetch(indexFileName, `${this.folder}${indexFileName}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
        await assertServed(indexFileName, response);
        return bodyUpTo(indexFileName, response, maxBytes);
      },
      download: async (entry, path) => {
        const stalled = new AbortController();
        const onIdle = () => stalled.abort(incomplete(entry, 'STALLED'));
        const connecting = setTimeout(onIdle, timeoutMs);
        const response = await misFetch(entry.name, `${this.folder}${encodeURIComponent(entry.name)}`, { headers, signal: stalled.signal }).finally(() => clearTimeout(connecting));
        await assertServed(entry.name, response);
        if (!response.body) throw incomplete(entry, 'NO_BODY');
        await saveVerified(Readable.fromWeb(response.body), entry, path, timeoutMs, onIdle);
      },
      close: async () => undefined,
    };
  }
}

/** OpenSSH's fingerprint of a host key: `SHA256:` and the unpadded base64 of its hash. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function sameFingerprint(key: Buffer, expected: string): boolean {
  const given = Buffer.from(hostKeyFingerprint(key));
  const pinned = Buffer.from(expected.startsWith('SHA256:') ? expected.replace(/=+$/, '') : `SHA256:${expected.replace(/=+$/, '')}`);
  return given.length === pinned.length && timingSafeEqual(given, pinned);
}

/**
 * The dumps over SFTP (the vendor's real SSH server): one connection per visit, password login, the
 * host key pinned when a fingerprint is configured. A connection that drops mid-file fails the
 * download (ssh2's read stream is told, so it never waits for data that will not come).
 */
export class SftpDumpSource extends DumpSource {
  readonly transport = 'sftp';
  private readonly host: string;
  private readonly port: number;
  private readonly folder: string;

  constructor(private readonly options: DumpSourceOptions) {
    super();
    const url = new URL(options.url);
    this.host = url.hostname;
    this.port = url.port === '' ? 22 : Number(url.port);
    this.folder = folderOf(decodeURIComponent(url.pathname));
  }

  async open(): Promise<DumpSession> {
    const client = new Client();
    const streams = new Set<Readable>();
    let closed: Error | undefined;
    const dropAll = (error: Error) => {
      closed ??= error;
      for (const stream of streams) stream.destroy(error);
    };
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
      const fail = (cause: unknown) => reject(new MisUnavailableError('XMLDump SFTP connection failed', { cause, details: { reason: reasonOf(cause) } }));
      client.once('error', fail);
      client.once('close', () => fail(new Error('connection closed before it was ready')));
      client.once('ready', () => client.sftp((error, session) => (error ? fail(error) : resolve(session))));
      const pinned = this.options.hostKeySha256;
      client.connect({
        host: this.host,
        port: this.port,
        username: this.options.login,
        password: this.options.password,
        readyTimeout: this.options.timeoutMs,
        ...(pinned === undefined ? {} : { hostVerifier: (key: Buffer) => sameFingerprint(key, pinned) }),
      });
    });
    client.removeAllListeners('error').removeAllListeners('close');
    client.on('error', (error: Error) => dropAll(new MisUnavailableError('XMLDump SFTP connection failed', { cause: error })));
    client.on('close', () => dropAll(new MisUnavailableError('XMLDump SFTP connection closed')));
    const read = (path: string): Readable => {
      const stream = sftp.createReadStream(path);
      if (closed) stream.destroy(closed);
      streams.add(stream);
      stream.once('close', () => streams.delete(stream));
      return stream;
    };
    return {
      readIndex: async (maxBytes) => {
        const chunks: Buffer[] = [];
        let size = 0;
        try {
          for await (const chunk of read(`${this.folder}${indexFileName}`)) {
            size += (chunk as Buffer).length;
            if (size > maxBytes) throw new MisResponseRejectedError(MisResponseRejection.tooLarge, `XMLDump ${indexFileName} exceeds ${maxBytes} bytes`);
            chunks.push(chunk as Buffer);
          }
        } catch (error) {
          if (error instanceof MisResponseRejectedError || error instanceof MisUnavailableError) throw error;
          throw new MisUnavailableError(`XMLDump ${indexFileName} not read`, { cause: error });
        }
        return Buffer.concat(chunks);
      },
      download: async (entry, path) => {
        const stream = read(`${this.folder}${entry.name}`);
        await saveVerified(stream, entry, path, this.options.timeoutMs, () => stream.destroy(incomplete(entry, 'STALLED')));
      },
      close: async () => {
        client.end();
      },
    };
  }
}

/** A word for why an SSH connection failed, never the server's text. */
function reasonOf(error: unknown): string {
  const { level, code, message } = (error ?? {}) as { level?: unknown; code?: unknown; message?: unknown };
  if (level === 'client-authentication') return 'AUTHENTICATION';
  if (typeof message === 'string' && /verification failed/i.test(message)) return 'HOST_KEY_MISMATCH';
  if (level === 'client-timeout') return 'TIMEOUT';
  return typeof code === 'string' ? code : 'CONNECTION';
}
