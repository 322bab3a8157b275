import { Readable } from 'node:stream';
import { ValidationError } from '@medbus/errors';
import { assertSafeXml, readLimitedBody, SafeXmlCode } from './safe-xml.guard';

const envelope = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${inner}</s:Body></s:Envelope>`;

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).code;
  }
}

describe('assertSafeXml', () => {
  it('passes a well-formed SOAP envelope through and returns it as text', () => {
    const xml = envelope('<GetDistrictList xmlns="http://tempuri.org/"><guid>g</guid><!-- note --><![CDATA[<x>]]></GetDistrictList>');
    expect(assertSafeXml(Buffer.from(xml))).toBe(xml);
  });

  it('refuses a billion-laughs entity expansion before any parser expands it', () => {
    const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]>${envelope('<x>&lol9;</x>')}`;
    expect(codeOf(() => assertSafeXml(bomb))).toBe(SafeXmlCode.dtdForbidden);
  });

  it('refuses an external entity (XXE) reading a local file', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${envelope('<x>&xxe;</x>')}`;
    expect(codeOf(() => assertSafeXml(xxe))).toBe(SafeXmlCode.dtdForbidden);
  });

  it('refuses a DOCTYPE whatever its case and position', () => {
    expect(codeOf(() => assertSafeXml(`<a><!doctype b></a>`))).toBe(SafeXmlCode.dtdForbidden);
  });

  it('refuses a body over maxBytes without reading its content', () => {
    expect(codeOf(() => assertSafeXml(envelope('x'.repeat(2048)), { maxBytes: 1024 }))).toBe(SafeXmlCode.bodyTooLarge);
  });

  it('refuses nesting deeper than maxDepth', () => {
    const deep = `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`;
    expect(codeOf(() => assertSafeXml(deep, { maxDepth: 32 }))).toBe(SafeXmlCode.tooDeep);
    expect(assertSafeXml(`${'<a>'.repeat(10)}<b/>${'</a>'.repeat(10)}`, { maxDepth: 11 })).toContain('<b/>');
  });

  it('is not fooled by a `>` inside an attribute value, a comment or CDATA when it counts depth', () => {
    const hidden = (open: string) => `${open.repeat(100)}${'</a>'.repeat(100)}`;
    expect(codeOf(() => assertSafeXml(hidden('<a b="/>">'), { maxDepth: 32 }))).toBe(SafeXmlCode.tooDeep);
    expect(codeOf(() => assertSafeXml(hidden("<a b='x/>'>"), { maxDepth: 32 }))).toBe(SafeXmlCode.tooDeep);
    expect(codeOf(() => assertSafeXml(hidden('<a><!-- <b/> --><![CDATA[ /> ]]>'), { maxDepth: 32 }))).toBe(SafeXmlCode.tooDeep);
    expect(assertSafeXml('<a b="x>y" c=\'/>\'><!-- </a> --><![CDATA[</a>]]></a>')).toContain('x>y');
  });

  it.each([
    ['two root elements', envelope('') + envelope('')],
    ['two self-closing roots', '<a/><b/>'],
    ['garbage after the root', `${envelope('')}trailing`],
    ['garbage after a self-closing root', '<?xml version="1.0"?><a/>x'],
    ['text before the root', 'x<a/>'],
    ['CDATA outside the root', '<a/><![CDATA[x]]>'],
    ['a close tag without its open', '</a><a/>'],
    ['an unterminated start tag', '<a b="x>'],
    ['a truncated envelope', envelope('<GetDistrictList>').slice(0, 80)],
    ['mismatched tags', '<a><b></a></b>'],
    ['text that is not XML', 'hello, world'],
    ['an empty body', '   '],
    ['an undeclared entity', '<a>&nope;</a>'],
    ['a NUL byte', '<a>\u0000</a>'],
    ['a character reference to NUL', '<a>&#0;</a>'],
    ['a character reference to a control character', '<a>&#x1B;</a>'],
    ['a character reference to a surrogate', '<a>&#xD800;</a>'],
  ])('refuses %s as malformed', (_name, body) => {
    expect(codeOf(() => assertSafeXml(body))).toBe(SafeXmlCode.malformed);
  });
});

describe('readLimitedBody', () => {
  it('reads a stream within the limit', async () => {
    expect((await readLimitedBody(Readable.from([Buffer.from('<a>'), Buffer.from('</a>')]), 10)).toString()).toBe('<a></a>');
  });

  it('stops reading a stream as soon as it passes the limit', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        produced++;
        yield Buffer.alloc(1024, 'x');
      }
    }
    await expect(readLimitedBody(endless(), 4096)).rejects.toMatchObject({ code: SafeXmlCode.bodyTooLarge });
    expect(produced).toBeLessThanOrEqual(5);
  });
});
