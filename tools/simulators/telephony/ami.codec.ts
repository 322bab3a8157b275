/** One AMI message: its `Key: Value` lines in order (a key may repeat, as `Variable` does). */
export type AmiFields = ReadonlyArray<readonly [string, string]>;

export const amiGreeting = 'Asterisk Call Manager/7.0.3\r\n';

/** The largest client message accepted; a longer one closes the connection. */
export const maxAmiMessageBytes = 64 * 1024;

/** Encodes a message with CRLF line ends and the closing empty line; CR/LF inside a value become spaces. */
export function encodeAmi(fields: AmiFields): string {
  let text = '';
  for (const [key, value] of fields) text += `${key}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`;
  return `${text}\r\n`;
}

/** The first value of a key, whatever its case in the message. */
export function fieldOf(message: AmiFields, key: string): string | undefined {
  const wanted = key.toLowerCase();
  return message.find(([k]) => k.toLowerCase() === wanted)?.[1];
}

/** Every value of a key (case-insensitive), in order. */
export function fieldsOf(message: AmiFields, key: string): string[] {
  const wanted = key.toLowerCase();
  return message.filter(([k]) => k.toLowerCase() === wanted).map(([, v]) => v);
}

export class AmiProtocolError extends Error {
  override readonly name = 'AmiProtocolError';
}

/**
 * Splits a client's byte stream into messages: lines end with CRLF or LF, a message ends with an
 * empty line. A message over {@link maxAmiMessageBytes}, a line without `Key:` or a control
 * character other than tab is a protocol error; the caller closes the connection.
 */
export class AmiReader {
  private pending = '';
  private lines: [string, string][] = [];
  private messageBytes = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  /** Feeds a chunk; returns the messages it completed. Throws AmiProtocolError. */
  push(chunk: Buffer): AmiFields[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const messages: AmiFields[] = [];
    let start = 0;
    for (;;) {
      const end = this.pending.indexOf('\n', start);
      if (end < 0) break;
      const line = this.pending.slice(start, end).replace(/\r$/, '');
      start = end + 1;
      this.messageBytes += Buffer.byteLength(line) + 2;
      if (this.messageBytes > maxAmiMessageBytes) throw new AmiProtocolError('message too large');
      if (line.trim() === '') {
        if (this.lines.length > 0) messages.push(this.lines);
        this.lines = [];
        this.messageBytes = 0;
        continue;
      }
      this.lines.push(parseLine(line));
    }
    this.pending = this.pending.slice(start);
    if (this.messageBytes + Buffer.byteLength(this.pending) > maxAmiMessageBytes) throw new AmiProtocolError('message too large');
    return messages;
  }
}

function parseLine(line: string): [string, string] {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(line)) throw new AmiProtocolError('control character in a line');
  const colon = line.indexOf(':');
  if (colon <= 0) throw new AmiProtocolError('a line without a key');
  const key = line.slice(0, colon).trim();
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(key)) throw new AmiProtocolError('a malformed key');
  return [key, line.slice(colon + 1).trim()];
}

/** `epoch seconds` with 6 decimals, as Asterisk writes `Timestamp` with timestampevents=yes. */
export function amiTimestamp(ms: number): string {
  return (ms / 1000).toFixed(6);
}
