import { HostileInputMiddleware, NulByteError } from './hostile-input.middleware';

/** What the middleware passes on: nothing (the request goes on) or the error it is refused with. */
function outcomeOf(request: { url: string; headers?: Record<string, string | string[] | undefined>; body?: unknown }): unknown {
  let passed: unknown = 'not called';
  new HostileInputMiddleware().use({ originalUrl: request.url, headers: request.headers ?? {}, body: request.body }, undefined, (error) => {
    passed = error;
  });
  return passed;
}

describe('HostileInputMiddleware', () => {
  it('lets a request without a NUL byte through, whatever else it holds', () => {
    expect(outcomeOf({ url: '/v1/knowledge/articles?q=%27%3B%20DROP%20TABLE', headers: { 'x-a': ['b', 'c'] }, body: { text: 'Жалоба\u0007\u202e', nested: [[{ a: 1 }]] } })).toBeUndefined();
  });

  it.each([
    ['an encoded NUL in a path (a call id the corpus sent)', { url: '/v1/calls/abc%00def' }, 'url'],
    ['an encoded NUL in a query (a warning’s district)', { url: '/v1/warnings?district=a%00b' }, 'url'],
    ['a NUL in a header', { url: '/v1/appeals', headers: { 'idempotency-key': 'a\u0000b' } }, 'header'],
    ['a NUL deep in a JSON body', { url: '/v1/appeals', body: { a: [{ b: 'x\u0000' }] } }, 'body'],
    ['a NUL in a JSON key', { url: '/v1/appeals', body: { 'a\u0000': 1 } }, 'body'],
  ])('refuses %s with REQUEST.NUL_BYTE (400), saying where and nothing of the value', (_name, request, where) => {
    const error = outcomeOf(request);
    expect(error).toBeInstanceOf(NulByteError);
    expect(error).toMatchObject({ code: 'REQUEST.NUL_BYTE', details: { where } });
  });
});
