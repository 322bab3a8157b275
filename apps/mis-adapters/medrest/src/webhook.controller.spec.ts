import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@medbus/mis-adapter-kit';
import { recordedWebhook } from './__fixtures__/recorded';
import type { MedRestWebhookEvent } from './medrest-response.mapper';
import { WebhookEndpoint, verifySignature } from './webhook.controller';

const slotUpdated = recordedWebhook('webhook.slot-updated.json');
const scheduleChanged = recordedWebhook('webhook.schedule-changed.json');
const signedAt = Number(/t=(\d+)/.exec(slotUpdated.signature)?.[1]);
const sign = (secret: string, t: number, body: string) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

describe('X-MedREST-Signature, on webhooks the simulator signed', () => {
  const verify = (header: string | undefined, body = slotUpdated.body, now = signedAt, secrets = [slotUpdated.secret]) => verifySignature(secrets, header, Buffer.from(body), now, 300);

  it('accepts the MIS’s signature of the exact body within the tolerance, either side of its clock', () => {
    expect(verify(slotUpdated.signature)).toBe(true);
    expect(verify(scheduleChanged.signature, scheduleChanged.body)).toBe(true);
    expect(verify(slotUpdated.signature, slotUpdated.body, signedAt + 300)).toBe(true);
    expect(verify(slotUpdated.signature, slotUpdated.body, signedAt - 300)).toBe(true);
  });

  it('refuses a replay signed longer ago than the tolerance', () => {
    expect(verify(slotUpdated.signature, slotUpdated.body, signedAt + 301)).toBe(false);
  });

  it('refuses a body changed by one byte, another event’s signature, and another secret', () => {
    expect(verify(slotUpdated.signature, `${slotUpdated.body} `)).toBe(false);
    expect(verify(scheduleChanged.signature, slotUpdated.body)).toBe(false);
    expect(verify(slotUpdated.signature, slotUpdated.body, signedAt, ['another-webhook-secret-000001'])).toBe(false);
  });

  it('accepts while a secret is rotated: one of two v1 values, or one of two secrets of ours', () => {
    const v1 = slotUpdated.signature.split('v1=')[1];
    expect(verify(`t=${signedAt},v1=${'0'.repeat(64)},v1=${v1}`)).toBe(true);
    expect(verify(slotUpdated.signature, slotUpdated.body, signedAt, ['the-previous-webhook-secret-01', slotUpdated.secret])).toBe(true);
  });

  it('refuses headers that are missing, unsigned, with a moved timestamp, or not what the vendor writes', () => {
    const v1 = slotUpdated.signature.split('v1=')[1];
    expect(verify(undefined)).toBe(false);
    expect(verify(`t=${signedAt}`)).toBe(false);
    expect(verify(`t=${signedAt + 1},v1=${v1}`)).toBe(false);
    expect(verify(`t=${signedAt},t=${signedAt + 1},v1=${v1}`)).toBe(false);
    expect(verify(`t=${signedAt},v1=${v1?.toUpperCase()}`)).toBe(false);
    expect(verify(`t=${signedAt},v1=${v1?.slice(0, 62)}`)).toBe(false);
  });
});

describe('POST /webhooks/medrest', () => {
  const events: MedRestWebhookEvent[] = [];
  const clock = new ManualClock(signedAt * 1000);
  const endpoint = new WebhookEndpoint({ secrets: [slotUpdated.secret], toleranceSeconds: 300, maxBodyBytes: 4096, clock, onEvent: (event) => events.push(event) });
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => void endpoint.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/medrest`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string, signature?: string, contentType = 'application/json') =>
    fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...(signature ? { 'x-medrest-signature': signature } : {}) }, body }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as Record<string, unknown>,
    }));

  it('takes a signed event at once and hands on its practitioner’s day, once however often the MIS delivers it', async () => {
    expect(await post(slotUpdated.body, slotUpdated.signature)).toEqual({ status: 202, body: { status: 'accepted' } });
    expect(await post(slotUpdated.body, slotUpdated.signature)).toEqual({ status: 200, body: { status: 'duplicate' } });
    expect(events).toEqual([
      expect.objectContaining({ type: 'slot.updated', data: { facility_id: 'fac-1', practitioner_id: 'prc-1-D0103', date: '2026-12-02', slot_id: 'slt-D0103-202612021430' } }),
    ]);
    expect(endpoint.counters).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it('refuses an unsigned or wrongly signed event with 401 WEBHOOK.INVALID_SIGNATURE, counted, and hands nothing on', async () => {
    const before = events.length;
    expect(await post(scheduleChanged.body)).toEqual({ status: 401, body: { code: 'WEBHOOK.INVALID_SIGNATURE', message: expect.any(String) } });
    expect((await post(scheduleChanged.body, slotUpdated.signature)).status).toBe(401);
    expect(endpoint.counters.badSignature).toBe(2);
    expect(events).toHaveLength(before);
  });

  it('refuses a body over the limit (413) and a signed body that is not an event (400)', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(5000) });
    expect(await post(big, `t=${signedAt},v1=${sign(slotUpdated.secret, signedAt, big)}`)).toEqual({ status: 413, body: { code: 'WEBHOOK.TOO_LARGE', message: expect.any(String) } });
    const odd = JSON.stringify({ id: 'evt-1', type: 'slot.moved', occurred_at: '2026-11-30T01:33:51.372Z', data: {} });
    expect(await post(odd, `t=${signedAt},v1=${sign(slotUpdated.secret, signedAt, odd)}`)).toEqual({ status: 400, body: { code: 'WEBHOOK.MALFORMED', message: expect.any(String) } });
    expect((await post(scheduleChanged.body, scheduleChanged.signature, 'text/plain')).status).toBe(415);
    expect(endpoint.counters).toMatchObject({ tooLarge: 1, malformed: 2 });
  });

  it('refuses the recorded event once the clock has moved past the tolerance (a replay)', async () => {
    clock.advance(301_000);
    expect((await post(scheduleChanged.body, scheduleChanged.signature)).status).toBe(401);
  });
});
