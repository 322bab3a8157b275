import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FerNamespace } from '@medbus/federal-registry';
import { FederalRateLimitedError, FederalTimeoutError, FederalUnavailableError } from '../exporter.errors';
import { FederalRegistryClient } from './federal-registry.client';

const envelope = (body: string) => `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const fault = (code: string, retryAfter?: number) =>
  envelope(
    `<soap:Fault><faultcode>soap:Client</faultcode><faultstring>${code}</faultstring><detail><fer:Fault xmlns:fer="${FerNamespace}"><fer:Code>${code}</fer:Code><fer:Message>m</fer:Message>` +
      `${retryAfter === undefined ? '' : `<fer:Retry_After_Seconds>${retryAfter}</fer:Retry_After_Seconds>`}</fer:Fault></detail></soap:Fault>`,
  );
const opened = (session: string) => envelope(`<OpenSessionResponse xmlns="${FerNamespace}"><Session_ID>${session}</Session_ID><Expires_At>2099-01-01T00:00:00Z</Expires_At></OpenSessionResponse>`);
const removed = (key: string) => envelope(`<RemoveSlotsResponse xmlns="${FerNamespace}"><Result><Key>${key}</Key><Status>ACCEPTED</Status></Result></RemoveSlotsResponse>`);

type Answer = (operation: string, body: string) => { status: number; xml: string } | 'hang';

/** A federal side of the test's own: it answers each call as the test says and remembers what it was sent. */
async function aFederalSide(answer: Answer): Promise<{ url: string; calls: { operation: string; body: string }[]; close(): Promise<void> }> {
  const calls: { operation: string; body: string }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const operation = String(req.headers['soapaction'] ?? '').replace(/"/g, '').split('/').pop() ?? '';
      calls.push({ operation, body });
      const reply = answer(operation, body);
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(reply.xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fer/RegistryService`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const clientOf = (url: string, timeoutMs = 2_000) =>
  new FederalRegistryClient({ FER_URL: url, FER_LOGIN: 'region', FER_PASSWORD: 'secret', FER_TIMEOUT_MS: timeoutMs, FER_CALLS_PER_SECOND: 1_000 });

describe('the federal registry client', () => {
  it('opens a session once, and a new one when the federal side has forgotten it, repeating the call', async () => {
    let sessions = 0;
    let forgotten = false;
    const side = await aFederalSide((operation, body) => {
      if (operation === 'OpenSession') return { status: 200, xml: opened(`s-${++sessions}`) };
      if (body.includes('<fer:Session_ID>s-1</fer:Session_ID>') && forgotten) return { status: 500, xml: fault('SESSION_INVALID') };
      return { status: 200, xml: removed('oid:s1') };
    });
    try {
      const client = clientOf(side.url);
      expect(await client.removeSlots(['oid:s1'])).toEqual([{ Key: 'oid:s1', Status: 'ACCEPTED' }]);
      forgotten = true;
      expect(await client.removeSlots(['oid:s1'])).toEqual([{ Key: 'oid:s1', Status: 'ACCEPTED' }]);
      expect(side.calls.map((call) => call.operation)).toEqual(['OpenSession', 'RemoveSlots', 'RemoveSlots', 'OpenSession', 'RemoveSlots']);
      expect(side.calls[4].body).toContain('<fer:Session_ID>s-2</fer:Session_ID>');
    } finally {
      await side.close();
    }
  });

  it('tells an outage, a rate limit with its wait, and a timeout apart, and records the last call', async () => {
    let mode: 'down' | 'limited' | 'hang' = 'down';
    const side = await aFederalSide((operation) => {
      if (operation === 'OpenSession') return { status: 200, xml: opened('s') };
      if (mode === 'down') return { status: 503, xml: 'Service Unavailable' };
      if (mode === 'limited') return { status: 500, xml: fault('RATE_LIMITED', 3) };
      return 'hang';
    });
    try {
      const client = clientOf(side.url, 300);
      await expect(client.removeSlots(['oid:s1'])).rejects.toBeInstanceOf(FederalUnavailableError);
      expect(client.lastCall).toEqual(expect.objectContaining({ operation: 'RemoveSlots', outcome: 'EXPORT.FEDERAL_UNAVAILABLE', reachable: false }));
      mode = 'limited';
      const limited = client.removeSlots(['oid:s1']);
      await expect(limited).rejects.toBeInstanceOf(FederalRateLimitedError);
      await expect(limited).rejects.toEqual(expect.objectContaining({ retryAfterMs: 3_000, faultCode: 'RATE_LIMITED' }));
      expect(client.lastCall).toEqual(expect.objectContaining({ outcome: 'RATE_LIMITED', reachable: true }));
      mode = 'hang';
      await expect(client.removeSlots(['oid:s1'])).rejects.toBeInstanceOf(FederalTimeoutError);
    } finally {
      await side.close();
    }
  });

  it('takes an answer without one result per item as no answer', async () => {
    const side = await aFederalSide((operation) => (operation === 'OpenSession' ? { status: 200, xml: opened('s') } : { status: 200, xml: removed('oid:s1') }));
    try {
      await expect(clientOf(side.url).removeSlots(['oid:s1', 'oid:s2'])).rejects.toEqual(expect.objectContaining({ code: 'EXPORT.FEDERAL_BAD_RESPONSE' }));
    } finally {
      await side.close();
    }
  });
});
