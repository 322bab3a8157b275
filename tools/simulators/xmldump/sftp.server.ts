import { timingSafeEqual } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { posix } from 'node:path';
import { Server, utils, type Attributes, type Connection, type FileEntry, type SFTPWrapper } from 'ssh2';
import type { Faults } from '../clinic/admin.controller';
import { indexName, takeTruncation, type DumpFaults, type DumpPublisher } from './dump.publisher';

const { STATUS_CODE, OPEN_MODE } = utils.sftp;

export interface SftpOptions {
  readonly host: string;
  readonly port: number;
  readonly login: string;
  readonly password: string;
  /** The server's private host key (OpenSSH or PEM). */
  readonly hostKey: string | Buffer;
  readonly publisher: DumpPublisher;
  readonly faults: Faults;
  readonly dumpFaults: DumpFaults;
  readonly log: (line: Record<string, unknown>) => void;
}

type OpenFile = { readonly kind: 'file'; readonly name: string; readonly file: FileHandle; readonly size: number; readonly cutAt?: number };
type OpenDir = { readonly kind: 'dir'; readonly path: string; listed: boolean };

const directoryMode = 0o040555;
const fileMode = 0o100444;
const dumpsDir = '/dumps';

/** A fresh ed25519 host key in OpenSSH format, for a server started without `--host-key`. */
export function generateHostKey(): string {
  return utils.generateKeyPairSync('ed25519').private;
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function attributesOf(mode: number, size: number, mtimeMs: number): Attributes {
  const seconds = Math.floor(mtimeMs / 1000);
  return { mode, uid: 0, gid: 0, size, atime: seconds, mtime: seconds };
}

function entryOf(filename: string, attrs: Attributes): FileEntry {
  const kind = (attrs.mode & 0o040000) !== 0 ? 'dr-xr-xr-x' : '-r--r--r--';
  const date = new Date(attrs.mtime * 1000).toUTCString().slice(5, 22);
  return { filename, longname: `${kind} 1 xmldump xmldump ${String(attrs.size).padStart(12)} ${date} ${filename}`, attrs };
}

/**
 * The vendor's SFTP server: the same login and password as HTTP, read-only, the published dumps and
 * `index.xml` under `/dumps/`. An outage ends every new connection before its handshake and fails
 * every request of an open session; the truncation fault ends the connection in the middle of the
 * next dump file read.
 */
export class DumpSftpServer {
  private readonly server: Server;
  private readonly clients = new Set<Connection>();

  constructor(private readonly options: SftpOptions) {
    this.server = new Server({ hostKeys: [options.hostKey], ident: 'XMLDump-SFTP_2.4' }, (client) => this.accept(client));
  }

  /** Listens; resolves with the port. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Connection): void {
    client.on('error', () => undefined);
    if (this.options.faults.outage) {
      client.end();
      return;
    }
    this.clients.add(client);
    client.on('close', () => this.clients.delete(client));
    client.on('authentication', (context) => {
      if (context.method === 'password' && sameText(context.username, this.options.login) && sameText(context.password, this.options.password)) context.accept();
      else context.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => this.serve(acceptSftp(), client));
      });
    });
  }

  private serve(sftp: SFTPWrapper, client: Connection): void {
    const handles = new Map<number, OpenFile | OpenDir>();
    let nextHandle = 0;
    const handleOf = (buffer: Buffer): OpenFile | OpenDir | undefined => (buffer.length === 4 ? handles.get(buffer.readUInt32BE(0)) : undefined);
    const register = (value: OpenFile | OpenDir): Buffer => {
      const id = nextHandle++;
      handles.set(id, value);
      const buffer = Buffer.alloc(4);
      buffer.writeUInt32BE(id, 0);
      return buffer;
    };
    const guarded =
      <A extends unknown[]>(work: (reqId: number, ...args: A) => Promise<void>) =>
      (reqId: number, ...args: A): void => {
        if (this.options.faults.outage) return sftp.status(reqId, STATUS_CODE.FAILURE, 'service unavailable');
        work(reqId, ...args).catch(() => sftp.status(reqId, STATUS_CODE.FAILURE));
      };

    sftp.on(
      'REALPATH',
      guarded(async (reqId, path: string) => {
        const full = posix.resolve('/', path);
        sftp.name(reqId, [entryOf(full, attributesOf(directoryMode, 0, Date.now()))]);
      }),
    );
    const statOf = guarded(async (reqId, path: string) => {
      const attrs = await this.attributesAt(posix.resolve('/', path));
      if (attrs) sftp.attrs(reqId, attrs);
      else sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    });
    sftp.on('STAT', statOf);
    sftp.on('LSTAT', statOf);
    sftp.on(
      'OPEN',
      guarded(async (reqId, path: string, flags: number) => {
        if ((flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC)) !== 0) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, 'read-only');
        const name = this.fileName(posix.resolve('/', path));
        const local = name === undefined ? undefined : this.options.publisher.pathOf(name);
        const file = local === undefined ? undefined : await open(local, 'r').catch(() => undefined);
        if (!file || name === undefined) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
        const { size } = await file.stat();
        const cut = name !== indexName && takeTruncation(this.options.dumpFaults);
        sftp.handle(reqId, register({ kind: 'file', name, file, size, ...(cut ? { cutAt: Math.floor(size / 2) } : {}) }));
      }),
    );
    sftp.on(
      'READ',
      guarded(async (reqId, handle: Buffer, offset: number, length: number) => {
        const target = handleOf(handle);
        if (target?.kind !== 'file') return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        if (target.cutAt !== undefined && offset + length > target.cutAt) {
          this.options.log({ msg: 'sftp download cut', name: target.name, at: target.cutAt });
          // The channel's end reaches the client before the connection's: its pending reads fail rather than wait.
          sftp.end();
          client.end();
          return;
        }
        const buffer = Buffer.alloc(Math.min(length, 256 * 1024));
        const { bytesRead } = await target.file.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) return sftp.status(reqId, STATUS_CODE.EOF);
        sftp.data(reqId, buffer.subarray(0, bytesRead));
      }),
    );
    sftp.on(
      'FSTAT',
      guarded(async (reqId, handle: Buffer) => {
        const target = handleOf(handle);
        if (!target) return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        sftp.attrs(reqId, target.kind === 'file' ? attributesOf(fileMode, target.size, (await target.file.stat()).mtimeMs) : attributesOf(directoryMode, 0, Date.now()));
      }),
    );
    sftp.on('CLOSE', (reqId: number, handle: Buffer) => {
      const target = handleOf(handle);
      if (!target) return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
      handles.delete(handle.readUInt32BE(0));
      if (target.kind === 'file') void target.file.close().catch(() => undefined);
      sftp.status(reqId, STATUS_CODE.OK);
    });
    sftp.on(
      'OPENDIR',
      guarded(async (reqId, path: string) => {
        const full = posix.resolve('/', path);
        if (full !== '/' && full !== dumpsDir) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
        sftp.handle(reqId, register({ kind: 'dir', path: full, listed: false }));
      }),
    );
    sftp.on(
      'READDIR',
      guarded(async (reqId, handle: Buffer) => {
        const target = handleOf(handle);
        if (target?.kind !== 'dir') return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        if (target.listed) return sftp.status(reqId, STATUS_CODE.EOF);
        target.listed = true;
        sftp.name(reqId, await this.listing(target.path));
      }),
    );
    client.on('close', () => {
      for (const target of handles.values()) if (target.kind === 'file') void target.file.close().catch(() => undefined);
      handles.clear();
    });
  }

  /** The published file a path names (`/dumps/<name>`), if any. */
  private fileName(path: string): string | undefined {
    return posix.dirname(path) === dumpsDir ? posix.basename(path) : undefined;
  }

  private async attributesAt(path: string): Promise<Attributes | undefined> {
    if (path === '/' || path === dumpsDir) return attributesOf(directoryMode, 0, Date.now());
    const name = this.fileName(path);
    const local = name === undefined ? undefined : this.options.publisher.pathOf(name);
    const stats = local === undefined ? undefined : await stat(local).catch(() => undefined);
    return stats ? attributesOf(fileMode, stats.size, stats.mtimeMs) : undefined;
  }

  private async listing(path: string): Promise<FileEntry[]> {
    if (path === '/') return [entryOf('dumps', attributesOf(directoryMode, 0, Date.now()))];
    const names = [indexName, ...this.options.publisher.listed().map((e) => e.name)];
    const entries: FileEntry[] = [];
    for (const name of names) {
      const attrs = await this.attributesAt(`${dumpsDir}/${name}`);
      if (attrs) entries.push(entryOf(name, attrs));
    }
    return entries;
  }
}
