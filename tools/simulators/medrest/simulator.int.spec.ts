import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readLimitedBody, SafeXmlCode } from '@medbus/hubservice';
import { encodeFeedCursor } from './page.cursor';
import { loadSimulatorConfig } from './simulator.config';
import { startSimulator, type RunningSimulator } from './simulator';
import { verifySignature } from './webhook.signature';
import { waitFor } from '@medbus/testing';

const apiKey = 'test-api-key-0001';
const adminToken = 'test-admin-token';
const webhookSecret = 'test-webhook-secret-0001';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Json;
  readonly text: string;
}

/** A webhook receiver that records what it is sent and fails the very first delivery, to exercise retries. */
class WebhookReceiver {
  readonly received: { readonly raw: string; readonly signature: string; readonly event: Json }[] = [];
  attempts = 0;
  url = '';
  private server?: Server;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.attempts++;
        if (this.attempts === 1) return void res.writeHead(503).end();
        const raw = Buffer.concat(chunks).toString('utf8');
        this.received.push({ raw, signature: String(req.headers['x-medrest-signature'] ?? ''), event: JSON.parse(raw) as Json });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/medrest`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

function defined<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
}

describe('MedREST simulator over real HTTP', () => {
  let sim: RunningSimulator;
  const receiver = new WebhookReceiver();
  const logLines: string[] = [];
  const policyNumbers: string[] = [];

  async function api(path: string, options: { method?: string; body?: unknown; headers?: Record<string, string>; key?: string | null } = {}): Promise<Reply> {
    const key = options.key === undefined ? apiKey : options.key;
    const response = await fetch(`${sim.url}/api/v2${path}`, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers: { ...(key === null ? {} : { 'x-api-key': key }), ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: Json = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as Json);
    } catch {
      body = {};
    }
    return { status: response.status, headers: response.headers, body, text };
  }

  async function admin(path: string, body?: unknown): Promise<Json> {
    const response = await fetch(`${sim.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Json;
  }

  async function all(path: string, limit: number): Promise<{ items: Json[]; pages: number }> {
    const items: Json[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await api(`${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      items.push(...(page.body['data'] as Json[]));
      cursor = page.body['next_cursor'] as string | null;
      pages++;
    } while (cursor !== null);
    return { items, pages };
  }

  /** A patient registered through the API at a facility: an attached adult man unless told otherwise. */
  async function registered(facilityId: string, extra: Json = {}): Promise<Json> {
    const n = Math.floor(Math.random() * 1e9);
    const reply = await api('/patients', {
      body: { facility_id: facilityId, family_name: 'Тестов', given_name: 'Иван', middle_name: 'Петрович', birth_date: '1985-03-15', sex: 'male', policy_number: `23${String(n).padStart(14, '0')}`, ...extra },
    });
    expect(reply.status).toBe(201);
    policyNumbers.push(String(reply.body['policy_number']));
    return reply.body;
  }

  async function practitionerOf(facilityId: string, accepts: (specialty: Json) => boolean): Promise<Json> {
    const specialties = new Map(((await api('/specialties')).body['data'] as Json[]).map((s) => [s['code'], s]));
    const { items } = await all(`/facilities/${facilityId}/practitioners`, 200);
    return defined(items.find((p) => accepts(specialties.get(p['specialty']['code']) ?? {})));
  }

  const unrestricted = (s: Json): boolean => s['restrictions'] && s['restrictions']['sex'] === null && s['restrictions']['max_age'] === null;

  async function availableSlot(practitionerId: string): Promise<Json> {
    const { items } = await all(`/practitioners/${practitionerId}/slots`, 200);
    return defined(items.find((s) => s['status'] === 'available'));
  }

  beforeAll(async () => {
    await receiver.start();
    const config = loadSimulatorConfig([], {}, {
      port: 0,
      seed: 42,
      organisations: 5,
      doctorsPerOrg: 6,
      startDate: '2026-11-23',
      apiKey: `${apiKey},second-key-0002`,
      adminToken,
      webhookUrl: receiver.url,
      webhookSecret,
      webhookShare: 1,
      rateLimit: 0,
      maxBodyBytes: 4096,
      logRequests: false,
    });
    sim = await startSimulator(config, (line) => logLines.push(JSON.stringify(line)));
  });

  afterAll(async () => {
    await sim?.close();
    await receiver.stop();
  });

  it('refuses a request without a valid API key with a 401 problem, and serves one with any configured key', async () => {
    for (const key of [null, 'wrong-key-0001']) {
      const refused = await api('/facilities', { key });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ type: 'https://api.medrest.example/problems/unauthorized', status: 401, code: 'unauthorized' });
    }
    expect((await api('/facilities', { key: 'second-key-0002' })).status).toBe(200);
  });

  it('walks every facility through cursor pages, each once, with the registry OID and zone', async () => {
    const { items, pages } = await all('/facilities', 2);
    expect(pages).toBe(3);
    expect(items.map((f) => f['id'])).toEqual(['fac-1', 'fac-2', 'fac-3', 'fac-4', 'fac-5']);
    expect(items[0]).toMatchObject({ registry_oid: '1.2.643.5.1.13.13.12.2.823.1037', time_zone: 'Europe/Moscow', active: true, district: { code: expect.any(String), name: expect.any(String) } });
    const cursor = defined((await api('/facilities?limit=2')).body['next_cursor']);
    expect((await api(`/facilities/fac-1/practitioners?cursor=${cursor}`)).body).toMatchObject({ status: 400, code: 'invalid_cursor' });
  });

  it('answers 304 to If-None-Match with the current ETag, and a new ETag once the listing changed', async () => {
    const practitioner = await practitionerOf('fac-2', unrestricted);
    const path = `/practitioners/${practitioner['id']}/slots`;
    const first = await api(path);
    const etag = defined(first.headers.get('etag'));
    const again = await api(path, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');

    const slot = defined((first.body['data'] as Json[]).find((s) => s['status'] === 'available'));
    await admin('/admin/walk-in', { slotId: String(slot['id']).slice(4) });
    const changed = await api(path, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect((changed.body['data'] as Json[]).find((s) => s['id'] === slot['id'])).toMatchObject({ status: 'booked' });
  });

  it('books a slot: the slot is booked, the change feed says so, and a signed webhook reaches the receiver', async () => {
    const practitioner = await practitionerOf('fac-1', unrestricted);
    const patient = await registered('fac-1');
    const slot = await availableSlot(practitioner['id']);
    expect(slot['start']).toMatch(/^2026-\d{2}-\d{2}T\d{2}:\d{2}:00\+03:00$/);
    const cursor = (await api('/slots/changes')).body['next_cursor'] as string;

    const booked = await api('/appointments', { body: { slot_id: slot['id'], patient_id: patient['id'] } });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ id: expect.stringMatching(/^apt-/), status: 'booked', slot_id: slot['id'], patient_id: patient['id'], start: slot['start'] });
    expect(booked.headers.get('location')).toBe(`/api/v2/appointments/${booked.body['id']}`);

    const now = (await api(`/slots/${slot['id']}`)).body;
    expect(now).toMatchObject({ status: 'booked' });
    expect(now['revision']).toBeGreaterThan(slot['revision']);

    const feed = await api(`/slots/changes?since=${cursor}`);
    expect(feed.body).toMatchObject({ reset: false, has_more: false });
    expect(feed.body['data']).toEqual([expect.objectContaining({ slot_id: slot['id'], change: 'booked', status: 'booked', revision: now['revision'], updated_at: now['updated_at'] })]);
    expect((await api(`/slots/changes?since=${feed.body['next_cursor']}`)).body['data']).toEqual([]);

    const hook = await waitFor(async () => receiver.received.find((r) => r.event['data']['slot_id'] === slot['id']), 'the signed webhook of the booking', 10_000);
    expect(hook.event).toMatchObject({ id: expect.stringMatching(/^evt-/), type: 'slot.updated', data: { facility_id: 'fac-1', practitioner_id: practitioner['id'], date: String(slot['start']).slice(0, 10) } });
    expect(verifySignature(webhookSecret, hook.signature, hook.raw, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifySignature('another-secret-0001', hook.signature, hook.raw, Math.floor(Date.now() / 1000))).toBe(false);
    expect(receiver.attempts).toBeGreaterThan(receiver.received.length);

    const cancelled = await api(`/appointments/${booked.body['id']}/cancel`, { method: 'POST' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelled_by: 'patient' });
    expect((await api(`/slots/${slot['id']}`)).body['status']).toBe('available');
    expect((await api(`/appointments/${booked.body['id']}/cancel`, { method: 'POST' })).body).toMatchObject({ status: 'cancelled' });
  });

  it('answers a repeated booking with the same Idempotency-Key as the first, without booking twice', async () => {
    const practitioner = await practitionerOf('fac-3', unrestricted);
    const patient = await registered('fac-3');
    const slot = await availableSlot(practitioner['id']);
    const request = { body: { slot_id: slot['id'], patient_id: patient['id'] }, headers: { 'idempotency-key': `book-${slot['id']}` } };

    const first = await api('/appointments', request);
    const second = await api('/appointments', request);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await api(`/patients/${patient['id']}/appointments`)).body['data']).toEqual([expect.objectContaining({ id: first.body['id'], status: 'booked' })]);

    const other = await availableSlot(practitioner['id']);
    const reused = await api('/appointments', { ...request, body: { slot_id: other['id'], patient_id: patient['id'] } });
    expect(reused.body).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
    expect((await api(`/slots/${other['id']}`)).body['status']).toBe('available');

    const withoutKey = await api('/appointments', { body: request.body });
    expect(withoutKey.body).toMatchObject({ status: 409, code: 'patient_already_booked', appointment_id: first.body['id'] });
  });

  it("refuses what the clinic's rules forbid with a problem naming the reason, and a taken slot as slot_unavailable", async () => {
    const gynaecologist = await practitionerOf('fac-1', (s) => s['restrictions']?.['sex'] === 'female');
    const man = await registered('fac-1');
    const refusal = await api('/appointments', { body: { slot_id: (await availableSlot(gynaecologist['id']))['id'], patient_id: man['id'] } });
    expect(refusal.status).toBe(422);
    expect(refusal.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refusal.body).toEqual({
      type: 'https://api.medrest.example/problems/sex_restricted',
      title: expect.any(String),
      status: 422,
      detail: expect.any(String),
      code: 'sex_restricted',
    });
    const therapist = await practitionerOf('fac-1', (s) => s['restrictions']?.['min_age'] === 18);
    const child = await registered('fac-1', { birth_date: '2015-06-01', given_name: 'Пётр' });
    expect((await api('/appointments', { body: { slot_id: (await availableSlot(therapist['id']))['id'], patient_id: child['id'] } })).body).toMatchObject({ code: 'age_restricted' });

    const practitioner = await practitionerOf('fac-4', unrestricted);
    const slot = await availableSlot(practitioner['id']);
    await admin('/admin/walk-in', { slotId: String(slot['id']).slice(4) });
    const patient = await registered('fac-4');
    expect((await api('/appointments', { body: { slot_id: slot['id'], patient_id: patient['id'] } })).body).toMatchObject({ status: 409, code: 'slot_unavailable' });
    expect((await api('/appointments', { body: { slot_id: 'slt-nope', patient_id: patient['id'] } })).body).toMatchObject({ status: 404, code: 'slot_not_found' });
    expect((await api('/appointments', { body: { slot_id: slot['id'] } })).body).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field: 'patient_id' }] });
  });

  it('finds registered patients by policy number, by SNILS, or by name and birth date, namesakes all', async () => {
    const patient = await registered('fac-5', { snils: '112-233-445 95' });
    const search = async (by: Json): Promise<Json[]> => (await api('/patients/search', { body: { facility_id: 'fac-5', ...by } })).body['data'] as Json[];
    expect((await search({ policy_number: patient['policy_number'] })).map((p) => p['id'])).toEqual([patient['id']]);
    expect((await search({ snils: '11223344595' })).map((p) => p['id'])).toEqual([patient['id']]);
    expect((await search({ family_name: 'тестов', given_name: 'Иван', birth_date: '1985-03-15' })).map((p) => p['id'])).toEqual([patient['id']]);
    const namesake = await registered('fac-5');
    expect((await search({ family_name: 'Тестов', given_name: 'иван', birth_date: '1985-03-15' })).map((p) => p['id']).sort()).toEqual([patient['id'], namesake['id']].sort());
    expect(await search({ policy_number: '2399999999999999' })).toEqual([]);
    expect((await api('/patients', { body: { facility_id: 'fac-5', family_name: 'Другой', given_name: 'Пётр', birth_date: '1990-01-01', policy_number: patient['policy_number'] } })).body).toMatchObject({
      status: 409,
      code: 'patient_exists',
      patient_ids: [patient['id']],
    });
  });

  it('loses the answer of a booking on demand: the slot is booked, and a retry with the same key gets the answer', async () => {
    const practitioner = await practitionerOf('fac-1', unrestricted);
    const patient = await registered('fac-1');
    const slot = await availableSlot(practitioner['id']);
    await admin('/admin/faults', { dropAnswers: 1 });
    const request = { body: { slot_id: slot['id'], patient_id: patient['id'] }, headers: { 'idempotency-key': `lost-${slot['id']}` } };
    await expect(api('/appointments', request)).rejects.toThrow();
    expect((await api(`/slots/${slot['id']}`)).body['status']).toBe('booked');
    expect((await admin('/admin/state'))['faults']).toMatchObject({ dropAnswers: 0 });

    const retried = await api('/appointments', request);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ slot_id: slot['id'], status: 'booked' });
  });

  it('answers 503 problems during an outage while /health stays up, and recovers', async () => {
    await admin('/admin/outage', { on: true });
    try {
      const down = await api('/facilities');
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('30');
      expect(down.body).toMatchObject({ code: 'service_unavailable' });
      expect((await fetch(`${sim.url}/health`)).status).toBe(200);
    } finally {
      await admin('/admin/outage', { on: false });
    }
    expect((await api('/facilities')).status).toBe(200);
  });

  it('injects 500 problems at the configured error rate', async () => {
    await admin('/admin/faults', { errorRate: 1 });
    try {
      expect((await api('/facilities')).body).toMatchObject({ status: 500, code: 'internal_error' });
    } finally {
      await admin('/admin/faults', { errorRate: 0 });
    }
  });

  it.each([
    ['broken-json', (reply: Reply) => expect(() => JSON.parse(reply.text)).toThrow()],
    ['wrong-types', (reply: Reply) => expect(reply.body['data']).toMatchObject({ id: 'fac-1', active: 'Y' })],
    ['html', (reply: Reply) => expect(reply.headers.get('content-type')).toMatch(/^text\/html/)],
  ] as const)('answers %s on demand so clients can test their defences', async (malformed, check) => {
    await admin('/admin/faults', { malformed });
    try {
      const reply = await api('/facilities?limit=1');
      expect(reply.status).toBe(200);
      check(reply);
    } finally {
      await admin('/admin/faults', { malformed: 'none' });
    }
  });

  it('streams a huge answer on demand that a bounded reader refuses early', async () => {
    await admin('/admin/faults', { malformed: 'huge' });
    const abort = new AbortController();
    try {
      const response = await fetch(`${sim.url}/api/v2/facilities`, { headers: { 'x-api-key': apiKey }, signal: abort.signal });
      await expect(readLimitedBody(response.body as unknown as AsyncIterable<Buffer>, 1024 * 1024)).rejects.toMatchObject({ code: SafeXmlCode.bodyTooLarge });
    } finally {
      abort.abort();
      await admin('/admin/faults', { malformed: 'none' });
    }
  });

  it('refuses an oversized body, a body that is not JSON and a feed cursor of another run', async () => {
    expect((await api('/patients/search', { body: { facility_id: 'fac-1', family_name: 'x'.repeat(8000) } })).body).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect((await api('/patients/search', { body: '{"facility_id":' })).body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((await api('/patients/search', { body: 'x', headers: { 'content-type': 'text/plain' } })).body).toMatchObject({ status: 415 });
    expect((await api(`/slots/changes?since=${encodeFeedCursor('an-earlier-run', 1)}`)).body).toMatchObject({ data: [], reset: true });
  });

  it('logs one line per request with its route template, never ids, names or policy numbers', async () => {
    await api('/patients/search', { body: { facility_id: 'fac-1', policy_number: '2311111111111111' } });
    const text = logLines.join('\n');
    expect(logLines.some((l) => l.includes('"route":"POST /api/v2/patients/search"'))).toBe(true);
    expect(logLines.some((l) => l.includes('"route":"GET /api/v2/practitioners/{id}/slots"'))).toBe(true);
    expect(policyNumbers.length).toBeGreaterThan(3);
    for (const secret of [...policyNumbers, '2311111111111111', 'Тестов', 'Иван', '1985-03-15', '112-233-445', 'pat-', 'slt-']) expect(text).not.toContain(secret);
  });

  it('limits requests per API key with 429 and Retry-After', async () => {
    const limited = await startSimulator(loadSimulatorConfig([], {}, { port: 0, organisations: 1, doctorsPerOrg: 1, apiKey, rateLimit: 1, logRequests: false }));
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 3; i++) {
        last = await fetch(`${limited.url}/api/v2/facilities`, { headers: { 'x-api-key': apiKey } });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await last?.json()).toMatchObject({ code: 'rate_limited' });
    } finally {
      await limited.close();
    }
  });
});
