import Manager = require('asterisk-manager');

/** An AMI message with its keys lower-cased (`uniqueid`, `calleridnum`, `cause-txt`), values as strings. */
export type AmiMessage = Readonly<Record<string, string>>;

export interface AmiConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly secret: string;
}

export interface AmiHandlers {
  event(message: AmiMessage): void;
  /** The connection closed (by either side, or it failed before login). Called once. */
  closed(): void;
}

/**
 * A copy of a string that shares no memory with it. The library's values are slices of the socket's
 * whole data chunk (up to 64 kB): a few kept for a call in progress or a buffered call would keep every
 * chunk alive (a 20,000-call burst held ~60 MB of AMI text that way and exhausted the heap).
 */
function own(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8');
}

/** Flattens the library's parse: repeated keys keep the first value; `Variable:` sub-objects are left out. */
function flatten(raw: Record<string, unknown>): AmiMessage {
  const message: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string') message[own(key)] = own(value);
    else if (Array.isArray(value) && typeof value[0] === 'string') message[own(key)] = own(value[0]);
  }
  return message;
}

/**
 * One AMI session over the npm library `asterisk-manager`, without its own reconnection (a fixed
 * 10 s step logged to the console): PbxLink reconnects with its own backoff by opening a new one.
 */
export class AmiConnection {
  private readonly manager: Manager.AsteriskManager;
  private closedOnce = false;

  private constructor(
    options: AmiConnectOptions,
    private readonly handlers: AmiHandlers,
  ) {
    // No port: the library does not connect by itself; the rest is what its login() sends.
    this.manager = Manager(undefined, options.host, options.username, options.secret, true);
    this.manager.on('error', () => undefined);
    this.manager.on('close', () => this.closeOnce());
    this.manager.on('managerevent', (event) => this.handlers.event(flatten(event)));
  }

  /** Connects and logs in (events on); rejects when either fails, and then the connection is closed. */
  static open(options: AmiConnectOptions, handlers: AmiHandlers, timeoutMs = 10_000): Promise<AmiConnection> {
    const connection = new AmiConnection(options, handlers);
    return new Promise<AmiConnection>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail(new Error('AMI connect or login timed out')), timeoutMs);
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        connection.close();
        reject(error);
      };
      connection.manager.on('close', () => fail(new Error('AMI connection closed before login')));
      // The library logs in with `Event: on`; the PBX's default for a user without `Events:` is on too.
      connection.manager.connect(options.port, options.host, () => {
        connection.manager.login((error) => {
          if (error) return fail(new Error('AMI login refused'));
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(connection);
        });
      });
    });
  }

  /** Sends an action; resolves with its `Response:` message (Success), rejects on `Response: Error`. */
  action(fields: Record<string, string | number | boolean | Record<string, string>>): Promise<AmiMessage> {
    return new Promise<AmiMessage>((resolve, reject) => {
      this.manager.action({ ...fields }, (error, response) => {
        if (error) reject(new Error(`AMI action ${String(fields.action)} refused`));
        else resolve(flatten(response ?? {}));
      });
    });
  }

  get connected(): boolean {
    return !this.closedOnce && this.manager.isConnected();
  }

  close(): void {
    this.manager.disconnect();
    this.closeOnce();
  }

  private closeOnce(): void {
    if (this.closedOnce) return;
    this.closedOnce = true;
    this.handlers.closed();
  }
}
