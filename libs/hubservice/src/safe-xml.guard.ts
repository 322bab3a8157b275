import type { IncomingMessage } from 'node:http';
import { XMLValidator } from 'fast-xml-parser';
import { ValidationError } from '@medbus/errors';

/** Stable codes of the XML guard, matched by the SOAP servers' fault mapping and by tests. */
export const SafeXmlCode = {
  bodyTooLarge: 'SOAP.BODY_TOO_LARGE',
  dtdForbidden: 'SOAP.DTD_FORBIDDEN',
  tooDeep: 'SOAP.TOO_DEEP',
  malformed: 'SOAP.MALFORMED',
} as const;

export interface SafeXmlOptions {
  /** Largest body accepted, in bytes. Default 1 MiB. */
  readonly maxBytes?: number;
  /** Deepest element nesting accepted. Default 32 (a SOAP envelope of HubService needs about 8). */
  readonly maxDepth?: number;
}

export const defaultMaxXmlBytes = 1024 * 1024;
const defaultMaxDepth = 32;

/**
 * Refuses an untrusted XML body before any parser sees it: oversized bodies, any DTD (DOCTYPE or
 * ENTITY declaration: entity expansion, XXE), nesting deeper than `maxDepth`, and anything that is
 * not well-formed. Linear in the body's size; expands nothing. Returns the body as a string.
 *
 * @throws ValidationError with code `SOAP.BODY_TOO_LARGE`, `SOAP.DTD_FORBIDDEN`, `SOAP.TOO_DEEP` or `SOAP.MALFORMED`.
 */
export function assertSafeXml(body: string | Buffer, options: SafeXmlOptions = {}): string {
  const maxBytes = options.maxBytes ?? defaultMaxXmlBytes;
  const maxDepth = options.maxDepth ?? defaultMaxDepth;
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  if (size > maxBytes) throw new ValidationError(SafeXmlCode.bodyTooLarge, `XML body exceeds ${maxBytes} bytes`, { details: { size, maxBytes } });
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') throw new ValidationError(SafeXmlCode.malformed, 'XML body is empty');
  if (/<!DOCTYPE|<!ENTITY|<!ATTLIST|<!ELEMENT|<!NOTATION/i.test(text)) {
    throw new ValidationError(SafeXmlCode.dtdForbidden, 'XML with a document type declaration is refused');
  }
  // A NUL or a UTF-16 body is not the UTF-8 SOAP we speak.
  if (text.includes('\u0000')) throw new ValidationError(SafeXmlCode.malformed, 'XML body is not UTF-8 text');
  const structure = structureOf(text, maxDepth);
  if (structure.deepest > maxDepth) throw new ValidationError(SafeXmlCode.tooDeep, `XML nests deeper than ${maxDepth} elements`, { details: { maxDepth } });
  if (structure.problem !== undefined) throw new ValidationError(SafeXmlCode.malformed, 'XML body is not well-formed', { details: { reason: structure.problem } });
  // Without a DTD only the five predefined entities and character references exist.
  if (/&(?!(?:lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/.test(text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''))) {
    throw new ValidationError(SafeXmlCode.malformed, 'XML refers to an undeclared entity');
  }
  if (refersToNonCharacter(text)) throw new ValidationError(SafeXmlCode.malformed, 'XML refers to a character XML does not allow');
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new ValidationError(SafeXmlCode.malformed, 'XML body is not well-formed', {
      details: { line: valid.err.line, col: valid.err.col, reason: valid.err.code },
    });
  }
  return text;
}

/** A character reference to what XML 1.0 does not allow (`&#0;`, other controls, surrogates): https://www.w3.org/TR/xml/#NT-Char */
function refersToNonCharacter(text: string): boolean {
  for (const [, decimal, hex] of text.matchAll(/&#(?:(\d{1,7})|x([0-9a-fA-F]{1,6}));/g)) {
    const c = decimal !== undefined ? Number(decimal) : parseInt(hex, 16);
    const allowed = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
    if (!allowed) return true;
  }
  return false;
}

type Structure = { readonly deepest: number; readonly problem?: 'MULTIPLE_ROOTS' | 'TEXT_OUTSIDE_ROOT' | 'UNBALANCED' | 'UNTERMINATED' };

/**
 * One linear pass over the markup: the deepest element nesting (stopping early once past `limit`),
 * and what the validator lets through: a second root element, text outside the root, a close tag
 * without its open. A tag ends at a `>` outside quoted attribute values; comments, CDATA and PIs
 * do not nest.
 */
function structureOf(text: string, limit: number): Structure {
  let depth = 0;
  let deepest = 0;
  let roots = 0;
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (depth === 0 && text.slice(i, lt === -1 ? text.length : lt).trim() !== '') return { deepest, problem: 'TEXT_OUTSIDE_ROOT' };
    if (lt === -1) return depth === 0 ? { deepest } : { deepest, problem: 'UNTERMINATED' };
    if (text.startsWith('<!--', lt)) {
      i = afterToken(text, '-->', lt + 4);
    } else if (text.startsWith('<![CDATA[', lt)) {
      if (depth === 0) return { deepest, problem: 'TEXT_OUTSIDE_ROOT' };
      i = afterToken(text, ']]>', lt + 9);
    } else if (text.startsWith('<?', lt)) {
      i = afterToken(text, '?>', lt + 2);
    } else if (text.charCodeAt(lt + 1) === 0x2f /* / */) {
      depth--;
      if (depth < 0) return { deepest, problem: 'UNBALANCED' };
      i = afterToken(text, '>', lt + 2);
    } else {
      const close = tagEnd(text, lt + 1);
      if (close === -1) return { deepest, problem: 'UNTERMINATED' };
      if (depth === 0 && ++roots > 1) return { deepest, problem: 'MULTIPLE_ROOTS' };
      if (text.charCodeAt(close - 1) !== 0x2f /* / */) {
        depth++;
        if (depth > deepest) deepest = depth;
        if (deepest > limit) return { deepest };
      }
      i = close + 1;
    }
    if (i === 0) return { deepest, problem: 'UNTERMINATED' };
  }
}

/** The index after `token` searched from `from`, or 0 when it never comes. */
function afterToken(text: string, token: string, from: number): number {
  const end = text.indexOf(token, from);
  return end === -1 ? 0 : end + token.length;
}

/** The `>` that ends a start tag, skipping quoted attribute values; -1 when none does. */
function tagEnd(text: string, from: number): number {
  let quote = 0;
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) quote = c;
    else if (c === 0x3e /* > */) return j;
  }
  return -1;
}

/**
 * Reads a request or response stream into memory, refusing it (and stopping to read) as soon as it
 * passes `maxBytes`. Use in front of `assertSafeXml` so a hostile peer cannot fill the heap.
 *
 * @throws ValidationError `SOAP.BODY_TOO_LARGE`
 */
export async function readLimitedBody(stream: AsyncIterable<Buffer | string>, maxBytes = defaultMaxXmlBytes): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw new ValidationError(SafeXmlCode.bodyTooLarge, `XML body exceeds ${maxBytes} bytes`, { details: { maxBytes } });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads and discards what is left of a request body the server refuses without reading it; resolves
 * once the body has ended, or once the peer sent more than `maxBytes` of it and was cut off. Answer the
 * refusal after that, with `connection: close`: a socket closed while the client is still writing draws
 * a reset at its next segment, which discards the answer it had not read yet (the client then sees
 * EPIPE or ECONNRESET instead of the refusal), and a kept-alive one would be reused by a client the
 * server is about to drop. A body declared longer than `maxBytes` is not waited for.
 */
export function discardRequestBody(req: IncomingMessage, maxBytes: number): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  // A body declared larger than we would ever drain is answered at once (and the peer dropped after).
  if (Number(req.headers['content-length'] ?? '0') > maxBytes) return Promise.resolve();
  return new Promise((resolve) => {
    let drained = 0;
    req.removeAllListeners('data');
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > maxBytes) req.destroy();
    });
    req.once('end', () => resolve());
    req.once('close', () => resolve());
    req.resume();
  });
}

/**
 * Reads an HTTP request body up to `maxBytes`. Undefined when it is larger, once the rest has been
 * drained (see {@link discardRequestBody}; a peer sending more than 16 times the limit is cut off).
 */
export function readBodyUpTo(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const refuse = (): void => {
      void discardRequestBody(req, maxBytes * 16).then(() => resolve(undefined));
    };
    if (Number(req.headers['content-length'] ?? '0') > maxBytes) {
      refuse();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) refuse();
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
