import { DumpRejectedError, DumpRejection } from './dump.errors';

type Span<K extends string> = { readonly kind: K; readonly start: number; readonly end: number };

/** One piece of markup; `start` and `end` are character indices counted from the start of the document. */
export type MarkupToken =
  | Span<'text'>
  | Span<'comment'>
  | Span<'cdata'>
  | Span<'pi'>
  | Span<'declaration'>
  | (Span<'open'> & { readonly name: string; readonly empty: boolean })
  | (Span<'close'> & { readonly name: string });

const lt = 0x3c;
const gt = 0x3e;
const slash = 0x2f;
const doubleQuote = 0x22;
const singleQuote = 0x27;

const dtdDeclaration = /^<!(?:DOCTYPE|ENTITY|ATTLIST|ELEMENT|NOTATION)/i;
const longestBangOpening = '<![CDATA['.length + 1;

/**
 * Cuts a document's text, appended a chunk at a time, into markup tokens. It holds only the text
 * from the oldest index its owner still needs (see `release`), so memory follows the largest unit
 * the owner keeps, never the document. Every `<` of the document passes through here, so no DTD
 * declaration can hide inside a unit.
 */
export class DumpScanner {
  private text = '';
  /** Characters released before `text[0]`. */
  private dropped = 0;
  /** Bytes of UTF-8 before `text[0]`. */
  private droppedBytes = 0;
  private pos = 0;
  private started = false;
  /** Chunks appended since the text was last scanned. */
  private tail: string[] = [];
  private tailLength = 0;
  /** The last scan stopped inside a token (or at the end), and no chunk was taken in since. */
  private stalled = false;
  /** Where the document starts: after a byte order mark, if any. */
  documentStart = 0;

  append(chunk: string): void {
    if (chunk === '') return;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) this.documentStart = this.pos = 1;
    }
    this.tail.push(chunk);
    this.tailLength += chunk.length;
  }

  /** Whether every character appended so far is in a token already returned. */
  get exhausted(): boolean {
    return this.pos === this.end;
  }

  /** The index of the first character not in a token returned yet. */
  get position(): number {
    return this.pos;
  }

  /** The index just past the last character appended. */
  get end(): number {
    return this.dropped + this.text.length + this.tailLength;
  }

  slice(start: number, end: number): string {
    return this.text.slice(start - this.dropped, end - this.dropped);
  }

  /** The UTF-8 byte offset of a character index that has not been released. */
  byteOffset(index: number): number {
    return this.droppedBytes + Buffer.byteLength(this.text.slice(0, index - this.dropped));
  }

  /** Forgets the text before `keep`: no later token or slice reaches back past it. */
  release(keep: number): void {
    const cut = keep - this.dropped;
    if (cut <= 0) return;
    this.droppedBytes += Buffer.byteLength(this.text.slice(0, cut));
    this.text = this.text.slice(cut);
    this.dropped = keep;
  }

  /**
   * The next token, or undefined when the text held so far ends inside one. A run of text is
   * returned as far as it goes, so a long one is not scanned twice. Once a scan has stopped inside
   * a token, the next waits until the chunks appended since are at least as long as the text held,
   * unless `force`d: each scan then costs no more than what arrived since the last, and a drip of
   * small chunks into a large unit takes linear time instead of a copy of the unit per chunk.
   *
   * @throws DumpRejectedError `DUMP.HOSTILE` on a DTD declaration, `DUMP.MALFORMED` on a broken tag.
   */
  next(force: boolean): MarkupToken | undefined {
    if (this.tailLength > 0 && (force || this.tailLength >= this.text.length)) {
      this.text = this.text + this.tail.join('');
      this.tail = [];
      this.tailLength = 0;
      this.stalled = false;
    }
    if (this.stalled) return undefined;
    const token = this.scan(this.pos - this.dropped);
    this.stalled = token === undefined;
    return token;
  }

  private scan(at: number): MarkupToken | undefined {
    const text = this.text;
    if (at >= text.length) return undefined;
    if (text.charCodeAt(at) !== lt) {
      const next = text.indexOf('<', at);
      return this.take({ kind: 'text', start: this.pos, end: this.dropped + (next === -1 ? text.length : next) });
    }
    if (at + 1 >= text.length) return undefined;
    const second = text.charCodeAt(at + 1);
    if (second === 0x21 /* ! */) return this.bang(at);
    if (second === 0x3f /* ? */) {
      const close = text.indexOf('?>', at + 2);
      if (close === -1) return undefined;
      const declaration = /^<\?xml(?:[ \t\r\n?]|$)/i.test(text.slice(at, Math.min(close + 2, at + 7)));
      return this.take({ kind: declaration ? 'declaration' : 'pi', start: this.pos, end: this.dropped + close + 2 });
    }
    if (second === slash) {
      const close = text.indexOf('>', at + 2);
      if (close === -1) return undefined;
      const name = text.slice(at + 2, close).trimEnd();
      if (!/^[^\s<>/]+$/.test(name)) throw this.malformed(at, 'BAD_CLOSE_TAG');
      return this.take({ kind: 'close', start: this.pos, end: this.dropped + close + 1, name });
    }
    return this.openTag(at);
  }

  private bang(at: number): MarkupToken | undefined {
    const text = this.text;
    if (text.startsWith('<!--', at)) {
      const close = text.indexOf('-->', at + 4);
      if (close === -1) return undefined;
      if (text.slice(at + 4, close).includes('--')) throw this.malformed(at, 'BAD_COMMENT');
      return this.take({ kind: 'comment', start: this.pos, end: this.dropped + close + 3 });
    }
    if (text.startsWith('<![CDATA[', at)) {
      const close = text.indexOf(']]>', at + 9);
      return close === -1 ? undefined : this.take({ kind: 'cdata', start: this.pos, end: this.dropped + close + 3 });
    }
    const opening = text.slice(at, at + longestBangOpening);
    if (dtdDeclaration.test(opening)) throw new DumpRejectedError(DumpRejection.hostile, this.byteOffset(this.dropped + at), { reason: 'DTD_DECLARATION' });
    if (opening.length < longestBangOpening) return undefined;
    throw this.malformed(at, 'BAD_MARKUP');
  }

  /** A start tag ends at the first `>` outside quoted attribute values; a `<` anywhere inside it is an error. */
  private openTag(at: number): MarkupToken | undefined {
    const text = this.text;
    let quote = 0;
    let nameEnd = -1;
    for (let j = at + 1; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (quote !== 0) {
        if (c === quote) quote = 0;
        else if (c === lt) throw this.malformed(at, 'LT_IN_ATTRIBUTE');
        continue;
      }
      if (nameEnd === -1 && (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === slash || c === gt)) nameEnd = j;
      if (c === doubleQuote || c === singleQuote) quote = c;
      else if (c === lt) throw this.malformed(at, 'BAD_START_TAG');
      else if (c === gt) {
        if (nameEnd === at + 1) throw this.malformed(at, 'BAD_START_TAG');
        const name = text.slice(at + 1, nameEnd);
        return this.take({ kind: 'open', start: this.pos, end: this.dropped + j + 1, name, empty: text.charCodeAt(j - 1) === slash });
      }
    }
    return undefined;
  }

  private take(token: MarkupToken): MarkupToken {
    this.pos = token.end;
    return token;
  }

  private malformed(at: number, reason: string): DumpRejectedError {
    return new DumpRejectedError(DumpRejection.malformed, this.byteOffset(this.dropped + at), { reason });
  }
}
