import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { amiGreeting, amiTimestamp, encodeAmi } from './ami.codec';
import { AmiSession, type Log, type SessionDependencies } from './ami.session';
import type { PbxEvent } from './pbx.events';

export interface AmiServerOptions {
  /** Live: a connection with more unsent bytes is closed as a slow reader. */
  readonly maxClientBufferBytes: number;
  /** Replay: how long `drained()` waits for a connection before closing it. */
  readonly slowReaderTimeoutMs: number;
}

/** Unsent bytes above which `drained()` waits for a connection. */
const highWaterBytes = 64 * 1024;

/**
 * The AMI TCP server: greets, runs one {@link AmiSession} per connection, and writes each event
 * once encoded to every logged-in connection that wants its class.
 */
export class AmiServer {
  private readonly server: Server;
  private readonly sessions = new Set<AmiSession>();
  private refuseUntil = 0;
  eventsEmitted = 0;
  slowReadersClosed = 0;
  connectionsAccepted = 0;

  constructor(
    private readonly deps: Omit<SessionDependencies, 'broadcast'>,
    private readonly options: AmiServerOptions,
    private readonly log: Log,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  get connections(): number {
    return this.sessions.size;
  }

  private accept(socket: Socket): void {
    if (Date.now() < this.refuseUntil) {
      socket.destroy();
      return;
    }
    this.connectionsAccepted++;
    socket.setNoDelay(true);
    const session = new AmiSession(socket, { ...this.deps, broadcast: (event) => this.broadcast(event) });
    this.sessions.add(session);
    socket.on('data', (chunk: Buffer) => session.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sessions.delete(session));
    socket.write(amiGreeting);
  }

  /**
   * Writes an event to every connection that wants it. A connection whose unsent bytes pass the
   * bound is closed (a slow reader does not make the PBX buffer without limit); replay avoids that
   * by waiting in `drained()`.
   */
  broadcast(event: PbxEvent): void {
    this.eventsEmitted++;
    const [first, ...rest] = event.fields;
    const text = encodeAmi([first ?? ['Event', event.name], ['Privilege', `${event.klass},all`], ['Timestamp', amiTimestamp(event.at)], ...rest]);
    for (const session of this.sessions) {
      if (!session.wants(event.klass)) continue;
      if (session.socket.writableLength > this.options.maxClientBufferBytes) {
        this.closeSlow(session, 'buffer bound');
        continue;
      }
      session.socket.write(text);
    }
  }

  /** Resolves when every connection has at most 64 KB unsent; one that stays full past the timeout is closed. */
  async drained(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const session of this.sessions) {
      const socket = session.socket;
      if (socket.destroyed || socket.writableLength <= highWaterBytes) continue;
      waits.push(
        new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          const timer = setTimeout(() => {
            this.closeSlow(session, 'replay stalled');
            done();
          }, this.options.slowReaderTimeoutMs);
          socket.once('drain', done);
          socket.once('close', done);
        }),
      );
    }
    await Promise.all(waits);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Closes every connection at once and refuses new ones for `refuseMs`. */
  drop(refuseMs: number): number {
    this.refuseUntil = Date.now() + refuseMs;
    const dropped = this.sessions.size;
    for (const session of this.sessions) session.socket.destroy();
    this.sessions.clear();
    this.log({ msg: 'ami connections dropped', dropped, refuseMs });
    return dropped;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.socket.destroy();
    await closed;
  }

  private closeSlow(session: AmiSession, reason: string): void {
    this.slowReadersClosed++;
    this.log({ msg: 'ami slow reader closed', reason, unsent: session.socket.writableLength });
    session.socket.destroy();
    this.sessions.delete(session);
  }
}
