import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CircuitBreaker, ManualClock, MisCircuitOpenError, MisResponseRejectedError, MisUnavailableError, RawPayloadArchive, TokenBucket } from '@medbus/mis-adapter-kit';
import { recordedText } from './__fixtures__/recorded';
import { MedRestClient, mayHaveReachedMis, retryAfterMsOf, type MedRestClientOptions } from './medrest.client';
import { facilitySchema, pageSchema, patientSchema } from './medrest-response.mapper';
import { waitFor } from '@medbus/testing';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const json = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8', ...headers });
  res.end(body);
};

describe('the MedREST client, against a scripted HTTP server', () => {
  const facilities = recordedText('facilities.page.json');
  const clock = new ManualClock('2026-11-30T06:00:00Z');
  let server: Server;
  let baseUrl: string;
  let handler: Handler;
  const requests: IncomingMessage[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req);
      req.resume();
      req.on('end', () => handler(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function clientWith(overrides: Partial<MedRestClientOptions> = {}) {
    const waits: number[] = [];
    const rejected: string[] = [];
    const client = new MedRestClient({
      baseUrl,
      apiKey: 'medrest-test-key-0001',
      timeoutMs: 500,
      maxResponseBytes: 64 * 1024,
      clock,
      breaker: new CircuitBreaker(clock, { failureThreshold: 3, openMs: 5_000 }),
      limiter: new TokenBucket(clock, { ratePerSecond: 1000, burst: 1000 }),
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      maxRateLimitWaitMs: 2_000,
      wait: async (ms) => waits.push(ms),
      onRejected: (_operation, reason) => rejected.push(reason),
      ...overrides,
    });
    return { client, waits, rejected };
  }
  const page = pageSchema(facilitySchema);

  it('sends its key, validates the answer and hands back its ETag; the ETag sent back makes an unchanged answer not-modified', async () => {
    handler = (req, res) => (req.headers['if-none-match'] === '"e1"' ? (res.writeHead(304), res.end()) : json(res, 200, facilities, { etag: '"e1"' }));
    const { client } = clientWith();
    const first = await client.readIfChanged('facilities', '/facilities', page, { limit: 200 }, undefined);
    expect(first).toMatchObject({ kind: 'ok', etag: '"e1"', value: { next_cursor: null } });
    expect(first.kind === 'ok' && first.value.data).toHaveLength(7);
    expect(requests.at(-1)?.headers['x-api-key']).toBe('medrest-test-key-0001');
    expect(requests.at(-1)?.url).toBe('/api/v2/facilities?limit=200');
    expect(await client.readIfChanged('facilities', '/facilities', page, { limit: 200 }, '"e1"')).toEqual({ kind: 'not-modified' });
    expect(client.misReachable).toBe(true);
  });

  it('returns a problem as the MIS worded it, and sends a write’s idempotency key', async () => {
    handler = (_req, res) => json(res, 409, recordedText('problem.slot-unavailable.json'));
    const { client } = clientWith();
    expect(await client.post('appointments.book', '/appointments', { slot_id: 's', patient_id: 'p' }, patientSchema, { idempotencyKey: 'medbus-k1' })).toMatchObject({
      kind: 'problem',
      status: 409,
      problem: { code: 'slot_unavailable' },
    });
    expect(requests.at(-1)?.headers['idempotency-key']).toBe('medbus-k1');
  });

  it('waits out a 429 as long as its Retry-After says, then gives up past its limit as unavailable without having reached the MIS', async () => {
    let limited = 1;
    handler = (_req, res) => (limited-- > 0 ? json(res, 429, '{"code":"rate_limited","status":429}', { 'retry-after': '1' }) : json(res, 200, facilities));
    const { client, waits } = clientWith();
    expect((await client.read('facilities', '/facilities', page)).kind).toBe('ok');
    expect(waits).toEqual([1000]);

    handler = (_req, res) => json(res, 429, '{"code":"rate_limited","status":429}', { 'retry-after': '1' });
    const failure = await client.read('facilities', '/facilities', page).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MisUnavailableError);
    expect(mayHaveReachedMis(failure)).toBe(false);
  });

  it.each([
    ['not JSON (a sign-on page)', (res: ServerResponse) => (res.writeHead(200, { 'content-type': 'text/html' }), res.end('<!DOCTYPE html><html></html>')), 'malformed'],
    ['JSON cut short', (res: ServerResponse) => json(res, 200, facilities.slice(0, Math.floor(facilities.length * 0.6))), 'malformed'],
    ['numbers as strings, booleans as Y/N', (res: ServerResponse) => json(res, 200, facilities.replaceAll('true', '"Y"')), 'invalid_shape'],
    ['over the size limit', (res: ServerResponse) => json(res, 200, `{"data":[],"pad":"${'x'.repeat(70 * 1024)}"}`), 'too_large'],
  ])('refuses an answer %s, counts it and still reports the MIS reachable', async (_what, answer, reason) => {
    handler = (_req, res) => answer(res);
    const { client, rejected } = clientWith();
    await expect(client.read('facilities', '/facilities', page)).rejects.toMatchObject({ code: MisResponseRejectedError.code, reason });
    expect(rejected).toEqual([reason]);
    expect(client.misReachable).toBe(true);
  });

  it('counts 5xx as unavailable, opens the circuit after three, and tells a 503 (not processed) from a 500 (may have been)', async () => {
    handler = (_req, res) => json(res, 503, '{"code":"service_unavailable","status":503}', { 'retry-after': '30' });
    const { client } = clientWith();
    const unavailable = await client.read('facilities', '/facilities', page).catch((error: unknown) => error);
    expect(unavailable).toMatchObject({ code: MisUnavailableError.code, details: { status: 503 } });
    expect(mayHaveReachedMis(unavailable)).toBe(false);
    handler = (_req, res) => json(res, 500, '{"code":"internal_error","status":500}');
    const failed = await client.post('appointments.book', '/appointments', {}, patientSchema).catch((error: unknown) => error);
    expect(mayHaveReachedMis(failed)).toBe(true);
    await expect(client.read('facilities', '/facilities', page)).rejects.toBeInstanceOf(MisUnavailableError);
    await expect(client.read('facilities', '/facilities', page)).rejects.toBeInstanceOf(MisCircuitOpenError);
    expect(client.misReachable).toBe(false);
  });

  it('tells a refused connection (never sent) from an answer that did not come in time (may have been carried out)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = new MedRestClient({ ...clientOptions(), baseUrl: `http://127.0.0.1:${port}/api/v2` });
    const notSent = await refused.post('appointments.book', '/appointments', {}, patientSchema).catch((error: unknown) => error);
    expect(notSent).toBeInstanceOf(MisUnavailableError);
    expect(mayHaveReachedMis(notSent)).toBe(false);

    handler = () => undefined;
    const { client } = clientWith({ timeoutMs: 200 });
    const late = await client.post('appointments.book', '/appointments', {}, patientSchema).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(MisUnavailableError);
    expect(mayHaveReachedMis(late)).toBe(true);
  });

  it('archives schedule answers whole and patient answers with ids and codes only', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'medrest-archive-'));
    try {
      const archive = new RawPayloadArchive({ directory, retentionMs: 86_400_000, clock });
      const { client } = clientWith({ archive });
      handler = (_req, res) => json(res, 200, recordedText('patients-search.one.json'));
      await client.post('patients.search', '/patients/search', { facility_id: 'fac-1' }, pageSchema(patientSchema));
      handler = (_req, res) => json(res, 200, facilities);
      await client.read('facilities', '/facilities', page);
      // The archive is written behind the answer: wait until both fetches are in its index.
      const fetches = await waitFor(async () => {
        const indexed = await archive.fetchesOf('2026-11-30');
        return indexed.length >= 2 && indexed;
      }, 'both fetches archived', 2_000);
      const of = (operation: string) => {
        const fetch = fetches.find((f) => f.operation === operation);
        if (!fetch) throw new Error(`${operation} not archived`);
        return archive.read(fetch);
      };
      const patient = JSON.parse(await of('patients.search')) as { data: Array<Record<string, unknown>> };
      expect(patient.data[0]).toMatchObject({ id: 'pat-1-P1-634', facility_id: 'fac-1', attached: true, family_name: '[REDACTED]', policy_number: '[REDACTED]', snils: '[REDACTED]', phone: '[REDACTED]' });
      expect(await of('facilities')).toBe(facilities);
      expect(await readFile(join(directory, '2026-11-30', 'index.jsonl'), 'utf8')).not.toMatch(/Орлова|2300000000000001/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMsOf('2', 0)).toBe(2000);
    expect(retryAfterMsOf('Mon, 30 Nov 2026 06:00:05 GMT', Date.parse('2026-11-30T06:00:00Z'))).toBe(5000);
    expect(retryAfterMsOf(null, 0)).toBe(1000);
  });

  function clientOptions(): MedRestClientOptions {
    return {
      baseUrl,
      apiKey: 'medrest-test-key-0001',
      timeoutMs: 500,
      maxResponseBytes: 64 * 1024,
      clock,
      breaker: new CircuitBreaker(clock),
      limiter: new TokenBucket(clock, { ratePerSecond: 1000, burst: 1000 }),
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      maxRateLimitWaitMs: 0,
    };
  }
});
