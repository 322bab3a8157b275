import { connect, type Socket } from 'node:net';

export type Message = Record<string, string>;

/** A minimal raw-socket AMI client for the tests (the service uses a library): greeting, actions matched by ActionID, every event kept. */
export class RawAmiClient {
  readonly events: Message[] = [];
  private readonly responses = new Map<string, (m: Message) => void>();
  private readonly watchers: { test: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  private buffer = '';
  private ids = 0;
  greeting = '';
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.read(chunk.toString('utf8')));
  }

  static async open(port: number): Promise<RawAmiClient> {
    const client = new RawAmiClient(connect(port, '127.0.0.1'));
    const refused = client.closed.then(() => {
      throw new Error('closed before the greeting');
    });
    await Promise.race([client.next((m) => m['greeting'] !== undefined), refused]);
    refused.catch(() => undefined);
    return client;
  }

  private read(text: string): void {
    this.buffer += text;
    if (this.greeting === '') {
      const end = this.buffer.indexOf('\r\n');
      if (end < 0) return;
      this.greeting = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.deliver({ greeting: this.greeting });
    }
    for (let end = this.buffer.indexOf('\r\n\r\n'); end >= 0; end = this.buffer.indexOf('\r\n\r\n')) {
      const message: Message = {};
      for (const line of this.buffer.slice(0, end).split('\r\n')) {
        const colon = line.indexOf(': ');
        const key = line.slice(0, colon);
        if (!(key in message)) message[key] = line.slice(colon + 2);
      }
      this.buffer = this.buffer.slice(end + 4);
      if (message['Event'] !== undefined) this.events.push(message);
      this.deliver(message);
    }
  }

  private deliver(message: Message): void {
    const id = message['ActionID'];
    const waiting = message['Response'] !== undefined && id !== undefined ? this.responses.get(id) : undefined;
    if (waiting && id !== undefined) {
      this.responses.delete(id);
      waiting(message);
    }
    for (const watcher of [...this.watchers])
      if (watcher.test(message)) {
        this.watchers.splice(this.watchers.indexOf(watcher), 1);
        watcher.resolve(message);
      }
  }

  /** Sends an action and resolves with its Response. */
  action(fields: Record<string, string>): Promise<Message> {
    const id = `t-${++this.ids}`;
    const answer = new Promise<Message>((resolve) => this.responses.set(id, resolve));
    this.socket.write(`${Object.entries({ ...fields, ActionID: id }).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    return answer;
  }

  /** The first event (already received or coming) that passes the test. */
  next(test: (m: Message) => boolean): Promise<Message> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.watchers.push({ test, resolve }));
  }

  eventsOf(uniqueid: string): Message[] {
    return this.events.filter((e) => e['Uniqueid'] === uniqueid);
  }
}
