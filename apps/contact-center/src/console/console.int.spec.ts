import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { Role } from '@medbus/service-auth';
import { dropSchemas, schemaDataSource, uniqueName, waitFor } from '@medbus/testing';
import { contactCenterMigrations } from '../app.module';
import { admin, startTestPbx } from '../calls/calls.int-app';
import { startConsoleTestApp, type ConsoleTestApp } from './console.int-app';

const schema = `cc_test_${uniqueName('console').replace(/[^a-z0-9]/g, '')}`.slice(0, 60);
type Pbx = Awaited<ReturnType<typeof startTestPbx>>;

interface BookingSeen {
  method: string;
  url: string;
  authorization?: string;
  cookie?: string;
  requestId?: string;
  body: string;
}

/** Booking as the console sees it: records what it was sent and answers with it; /v1/practitioners never answers. */
async function startFakeBooking(): Promise<{ url: string; seen: BookingSeen[]; close(): Promise<void>; server: Server }> {
  const seen: BookingSeen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry: BookingSeen = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, cookie: req.headers.cookie, requestId: req.headers['x-request-id'] as string | undefined, body };
      seen.push(entry);
      if (req.url?.startsWith('/v1/practitioners')) return;
      const status = req.method === 'POST' ? 201 : 200;
      res.writeHead(status, { 'content-type': 'application/json', 'set-cookie': 'booking=1', connection: 'close' });
      res.end(JSON.stringify({ echoed: entry.url, method: entry.method }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    server,
    close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
  };
}

/** An open console event stream, its events collected as they arrive. */
class EventStream {
  readonly events: { event: string; data: unknown }[] = [];
  private readonly abort = new AbortController();
  ended = false;

  static async open(url: string, cookie: string): Promise<EventStream> {
    const stream = new EventStream();
    const response = await fetch(`${url}/console/api/events`, { headers: { cookie }, signal: stream.abort.signal });
    if (response.status !== 200 || !response.body) throw new Error(`events answered ${response.status}`);
    void stream.read(response.body.getReader());
    return stream;
  }

  async next(event: string, what: string, match: (data: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
    return waitFor(async () => this.events.find((e) => e.event === event && match(e.data as Record<string, unknown>))?.data as Record<string, unknown> | undefined, what, 20_000);
  }

  close(): void {
    this.abort.abort();
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) this.events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted by the test
    }
    this.ended = true;
  }
}

let serial = 0;
const aNumber = () => `7918${String(Date.now() % 1000).padStart(3, '0')}${String(++serial).padStart(4, '0')}`;
const csrf = { 'x-medbus-console': '1', 'content-type': 'application/json' };

describe('the operator console backend', () => {
  let pbx: Pbx;
  let booking: Awaited<ReturnType<typeof startFakeBooking>>;
  let dataSource: DataSource;
  let app: ConsoleTestApp;

  async function signIn(apiKey: string, seat?: string): Promise<{ status: number; body: Record<string, unknown>; cookie: string; setCookie: string }> {
    const response = await fetch(`${app.url}/console/api/session`, { method: 'POST', headers: csrf, body: JSON.stringify(seat === undefined ? { apiKey } : { apiKey, seat }) });
    const setCookie = response.headers.get('set-cookie') ?? '';
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, cookie: setCookie.split(';', 1)[0], setCookie };
  }

  async function get(path: string, cookie: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${app.url}${path}`, { headers: { cookie } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const codeOf = (body: Record<string, unknown>) => (body.error as { code: string } | undefined)?.code;

  async function inject(queue: string, outcome: 'ABANDON' | 'ANSWER', callerNumber: string, talkSeconds?: number): Promise<string> {
    const { uniqueid } = await admin<{ uniqueid: string }>(pbx, 'POST', '/admin/calls', { queue, callerNumber, outcome, waitSeconds: 2, ...(talkSeconds === undefined ? {} : { talkSeconds }) });
    return uniqueid;
  }

  const recorded = (uniqueid: string) => waitFor(async () => ((await dataSource.query(`SELECT 1 FROM call WHERE uniqueid = $1`, [uniqueid])) as unknown[]).length > 0, `call ${uniqueid} recorded`, 30_000);

  beforeAll(async () => {
    pbx = await startTestPbx(20);
    booking = await startFakeBooking();
    dataSource = await schemaDataSource(schema, { migrations: contactCenterMigrations, migrationsTableName: 'contact_center_migrations' });
    app = await startConsoleTestApp(dataSource, pbx, booking.url, { CC_CONSOLE_LOGIN_FAILURES: '3' });
    await waitFor(async () => app.live.branchesOfSeat('PJSIP/sochi-op01').length > 0 && app.live.branchesOfSeat('PJSIP/sochi-op02').length > 0, 'the PBX’s queue members known');
  });

  afterAll(async () => {
    await app?.close();
    await booking?.close();
    await pbx?.close();
    await dropSchemas(schema);
  });

  it('signs a staff member in with a cookie session that holds only a hash of its token, and out again', async () => {
    const key = app.keyOf({ clientId: 'op-sochi-1', role: Role.OPERATOR, branch: 'sochi' });
    const signedIn = await signIn(key, 'PJSIP/sochi-op01');
    expect(signedIn.status).toBe(201);
    expect(signedIn.body).toEqual({ clientId: 'op-sochi-1', role: 'OPERATOR', branch: 'sochi', seat: 'PJSIP/sochi-op01' });
    expect(signedIn.setCookie).toMatch(/^mb_console=[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const token = signedIn.cookie.slice('mb_console='.length);
    const stored = JSON.stringify(await dataSource.query(`SELECT * FROM console_session`));
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(key);

    expect(await get('/console/api/session', signedIn.cookie)).toEqual({ status: 200, body: signedIn.body });
    const refused = await fetch(`${app.url}/console/api/session`, { method: 'DELETE', headers: { cookie: signedIn.cookie } });
    expect(refused.status).toBe(403);
    expect(codeOf((await refused.json()) as Record<string, unknown>)).toBe('CONSOLE.CSRF');

    const out = await fetch(`${app.url}/console/api/session`, { method: 'DELETE', headers: { cookie: signedIn.cookie, 'x-medbus-console': '1' } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^mb_console=; .*Max-Age=0/);
    const after = await get('/console/api/session', signedIn.cookie);
    expect([after.status, codeOf(after.body)]).toEqual([401, 'CONSOLE.NO_SESSION']);
    expect(await dataSource.query(`SELECT * FROM console_session`)).toEqual([]);
  });

  it('refuses a sign-in without the console header, with an unknown key, of a role outside the contact centre, or with a seat not his', async () => {
    const noHeader = await fetch(`${app.url}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: 'x' }) });
    expect([noHeader.status, codeOf((await noHeader.json()) as Record<string, unknown>)]).toEqual([403, 'CONSOLE.CSRF']);
    const unknown = await signIn(`mbk.${'0'.repeat(16)}.${'z'.repeat(43)}`);
    expect([unknown.status, codeOf(unknown.body), unknown.setCookie]).toEqual([401, 'CONSOLE.LOGIN_FAILED', '']);
    const portal = await signIn(app.keyOf({ clientId: 'portal', role: Role.PORTAL, branch: null }));
    expect([portal.status, codeOf(portal.body)]).toEqual([403, 'CONSOLE.ROLE_NOT_ALLOWED']);
    const secondLineSeat = await signIn(app.keyOf({ clientId: 'doc', role: Role.SECOND_LINE, branch: null }), 'PJSIP/sochi-op01');
    expect([secondLineSeat.status, codeOf(secondLineSeat.body)]).toEqual([400, 'CONSOLE.INVALID_SEAT']);
    const malformedSeat = await signIn(app.keyOf({ clientId: 'op', role: Role.OPERATOR, branch: 'sochi' }), 'sochi op01; DROP');
    expect([malformedSeat.status, codeOf(malformedSeat.body)]).toEqual([400, 'CONSOLE.INVALID_SEAT']);
    const otherBranch = await signIn(app.keyOf({ clientId: 'op-head', role: Role.OPERATOR, branch: null }), 'PJSIP/sochi-op01');
    expect([otherBranch.status, codeOf(otherBranch.body)]).toEqual([403, 'CONSOLE.SEAT_OF_OTHER_BRANCH']);
    const badBody = await fetch(`${app.url}/console/api/session`, { method: 'POST', headers: csrf, body: JSON.stringify({ apiKey: 42 }) });
    expect([badBody.status, codeOf((await badBody.json()) as Record<string, unknown>)]).toEqual([400, 'REQUEST.VALIDATION']);
    const none = await get('/console/api/calls/current', '');
    expect([none.status, codeOf(none.body)]).toEqual([401, 'CONSOLE.NO_SESSION']);
  });

  it('ends a session idle too long, with its event stream, and one whose key booking revoked', async () => {
    const idle = await signIn(app.keyOf({ clientId: 'sup', role: Role.HEAD_SUPERVISOR, branch: null }));
    expect((await get('/console/api/session', idle.cookie)).status).toBe(200);
    const stream = await EventStream.open(app.url, idle.cookie);
    await stream.next('live', 'the first live figures');
    const revokedKey = app.keyOf({ clientId: 'sup2', role: Role.HEAD_SUPERVISOR, branch: null });
    const revoked = await signIn(revokedKey);
    app.revoke(revokedKey);
    // The service caches booking's answers for 5 s: the clock of the cache is real time.
    const gone = await waitFor(async () => {
      const answer = await get('/console/api/session', revoked.cookie);
      return answer.status === 401 ? answer : undefined;
    }, 'the revoked key’s session ended', 10_000);
    expect(codeOf(gone.body)).toBe('CONSOLE.NO_SESSION');

    app.clock.set(new Date(app.clock.now().getTime() + 481 * 60_000));
    await waitFor(async () => stream.ended, 'the idle session’s stream ended');
    const expired = await get('/console/api/session', idle.cookie);
    expect([expired.status, codeOf(expired.body)]).toEqual([401, 'CONSOLE.NO_SESSION']);
    app.clock.set(new Date());
  });

  it('passes the contact centre’s API through as the person: a second-line doctor reads numbers masked, an operator of the branch in clear', async () => {
    const number = aNumber();
    const uniqueid = await inject('sochi', 'ABANDON', number);
    await recorded(uniqueid);
    const operator = await signIn(app.keyOf({ clientId: 'op-sochi-2', role: Role.OPERATOR, branch: 'sochi' }));
    const doctor = await signIn(app.keyOf({ clientId: 'doc-2', role: Role.SECOND_LINE, branch: 'sochi' }));
    const asOperator = await get(`/console/api/cc/v1/calls/${uniqueid}`, operator.cookie);
    const asDoctor = await get(`/console/api/cc/v1/calls/${uniqueid}`, doctor.cookie);
    expect(asOperator).toMatchObject({ status: 200, body: { uniqueid, callerNumber: `+${number}` } });
    expect(asDoctor).toMatchObject({ status: 200, body: { uniqueid, callerNumber: expect.stringMatching(/^\+7 9\*\* \*\*\*-\*\*-\d\d$/) } });
    const list = await get('/console/api/cc/v1/callbacks?limit=5', operator.cookie);
    expect(list.status).toBe(200);
    // The API's own refusals come back as they are.
    const forbidden = await get('/console/api/cc/v1/calls?branch=head', operator.cookie);
    expect([forbidden.status, codeOf(forbidden.body)]).toEqual([403, 'CC.BRANCH_FORBIDDEN']);
    const unproxied = await get('/console/api/cc/health/ready', operator.cookie);
    expect([unproxied.status, codeOf(unproxied.body)]).toEqual([404, 'CONSOLE.NOT_PROXIED']);
  });

  it('passes booking’s allowed routes through with the person’s key and nothing of the browser’s cookies, and refuses the rest', async () => {
    const key = app.keyOf({ clientId: 'op-sochi-3', role: Role.OPERATOR, branch: 'sochi' });
    const operator = await signIn(key);
    const slots = await fetch(`${app.url}/console/api/booking/v1/slots?organisation=1.2.3&from=2026-12-01`, { headers: { cookie: `${operator.cookie}; other=1`, 'x-request-id': 'req-42' } });
    expect(slots.status).toBe(200);
    expect(await slots.json()).toEqual({ echoed: '/v1/slots?organisation=1.2.3&from=2026-12-01', method: 'GET' });
    expect(slots.headers.get('set-cookie')).toBeNull();
    expect(booking.seen.at(-1)).toMatchObject({ authorization: `Bearer ${key}`, cookie: undefined, requestId: 'req-42' });

    const hold = await fetch(`${app.url}/console/api/booking/v1/holds`, { method: 'POST', headers: { ...csrf, cookie: operator.cookie }, body: JSON.stringify({ slotId: 's-1' }) });
    expect(hold.status).toBe(201);
    expect(booking.seen.at(-1)).toMatchObject({ method: 'POST', url: '/v1/holds', body: '{"slotId":"s-1"}' });

    const before = booking.seen.length;
    for (const [method, path] of [['GET', 'v1/audit'], ['GET', 'v1/adapters'], ['POST', 'v1/auth/introspect'], ['DELETE', 'v1/appointments/a-1'], ['GET', 'v1/holds/../audit']] as const) {
      const refused = await fetch(`${app.url}/console/api/booking/${path}`, { method, headers: { ...csrf, cookie: operator.cookie }, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }) });
      expect({ path, status: refused.status, code: codeOf((await refused.json()) as Record<string, unknown>) }).toEqual({ path, status: 404, code: 'CONSOLE.NOT_PROXIED' });
    }
    expect(booking.seen.length).toBe(before);

    const tooLarge = await fetch(`${app.url}/console/api/booking/v1/patients/identify`, { method: 'POST', headers: { ...csrf, cookie: operator.cookie }, body: JSON.stringify({ lastName: 'x'.repeat(70_000) }) });
    expect([tooLarge.status, codeOf((await tooLarge.json()) as Record<string, unknown>)]).toEqual([413, 'CONSOLE.BODY_TOO_LARGE']);
    const slow = await get('/console/api/booking/v1/practitioners', operator.cookie);
    expect([slow.status, codeOf(slow.body)]).toEqual([504, 'CONSOLE.BOOKING_UNAVAILABLE']);
  });

  it('pushes a call and its end to the stream of the seat the PBX connected it to and not to another seat’s, with its card of the same caller only', async () => {
    const number = aNumber();
    const stranger = aNumber();
    const earlier = await inject('sochi', 'ABANDON', number);
    const strangers = await inject('sochi', 'ABANDON', stranger);
    await recorded(earlier);
    await recorded(strangers);
    const applicant = { clientId: 'op-sochi-reg', role: Role.OPERATOR, channel: 'CONTACT_CENTRE', branch: 'sochi' };
    const { appeal } = await app.appeals.register({ type: 'COMPLAINT', text: 'Не дозвониться до регистратуры', applicantPhone: number }, applicant);
    await app.appeals.register({ type: 'COMPLAINT', text: 'Другое обращение', applicantPhone: stranger }, applicant);

    const first = await signIn(app.keyOf({ clientId: 'op-sochi-a', role: Role.OPERATOR, branch: 'sochi' }), 'PJSIP/sochi-op01');
    const second = await signIn(app.keyOf({ clientId: 'op-sochi-b', role: Role.OPERATOR, branch: 'sochi' }), 'PJSIP/sochi-op02');
    const supervisor = await signIn(app.keyOf({ clientId: 'sup-sochi', role: Role.BRANCH_SUPERVISOR, branch: 'sochi' }));
    const streams = { 'PJSIP/sochi-op01': await EventStream.open(app.url, first.cookie), 'PJSIP/sochi-op02': await EventStream.open(app.url, second.cookie) };
    const watching = await EventStream.open(app.url, supervisor.cookie);
    await watching.next('live', 'the supervisor’s live figures', (data) => typeof data.asOf === 'string');

    const answered = await inject('sochi', 'ANSWER', number, 600);
    const [seat, call] = await waitFor(async () => {
      for (const [name, stream] of Object.entries(streams)) {
        const found = stream.events.find((e) => e.event === 'call' && (e.data as { uniqueid: string }).uniqueid === answered);
        if (found) return [name, found.data as Record<string, unknown>] as const;
      }
      return undefined;
    }, 'the answered call pushed to a seat');
    expect(call).toEqual({ uniqueid: answered, branch: 'sochi', queue: 'sochi', callerNumber: `+${number}`, connectedAt: expect.any(String) });
    const owner = seat === 'PJSIP/sochi-op01' ? first : second;
    const other = seat === 'PJSIP/sochi-op01' ? second : first;
    const otherStream = seat === 'PJSIP/sochi-op01' ? streams['PJSIP/sochi-op02'] : streams['PJSIP/sochi-op01'];

    // The other operator is the only one free: the next call is his, and it is the first call his stream saw.
    const marker = await inject('sochi', 'ANSWER', aNumber(), 10);
    await otherStream.next('call', 'the marker call on the other seat', (data) => data.uniqueid === marker);
    expect(otherStream.events.filter((e) => e.event === 'call').map((e) => (e.data as { uniqueid: string }).uniqueid)).toEqual([marker]);
    await otherStream.next('call-ended', 'the marker call’s end on its seat', (data) => data.uniqueid === marker);
    expect(watching.events.some((e) => e.event === 'call')).toBe(false);

    const current = await get('/console/api/calls/current', owner.cookie);
    expect(current.status).toBe(200);
    const card = (current.body.call as Record<string, unknown>);
    expect(card.call).toEqual(call);
    expect(card.earlierCalls).toEqual([{ uniqueid: earlier, branch: 'sochi', joinedAt: expect.any(String), outcome: 'ABANDONED', holdSeconds: 2, talkSeconds: null }]);
    expect(card.callbacks).toEqual([{ id: expect.any(String), branch: 'sochi', status: 'OPEN', lostCalls: 1, createdAt: expect.any(String) }]);
    expect(card.appeals).toEqual([{ id: appeal.id, type: 'COMPLAINT', status: 'REGISTERED', deadline: appeal.deadline_at.toISOString(), createdAt: appeal.created_at.toISOString() }]);
    expect((await get(`/console/api/cards/${answered}`, owner.cookie)).body).toEqual(card);
    const notHis = await get(`/console/api/cards/${answered}`, other.cookie);
    expect([notHis.status, codeOf(notHis.body)]).toEqual([404, 'CONSOLE.UNKNOWN_CALL']);

    const out = await fetch(`${app.url}/console/api/session`, { method: 'DELETE', headers: { cookie: owner.cookie, 'x-medbus-console': '1' } });
    expect(out.status).toBe(204);
    await waitFor(async () => streams[seat as keyof typeof streams].ended, 'the signed-out session’s stream ended');
    for (const stream of [...Object.values(streams), watching]) stream.close();
  });

  it('answers the region’s health from the organisations and the adapters’ heartbeats, as district warnings judge them, an organisation named only by a heartbeat too', async () => {
    const now = Date.now();
    await dataSource.query(`INSERT INTO organisation (oid, short_name, district_id, district_name, active, adapter_id, source_version) VALUES
      ('1.2.643.5.1.13.1', 'ГП Сочи', 'sochi', 'Сочи', true, 'a-fresh', 1), ('1.2.643.5.1.13.2', 'ЦРБ Ейск', 'yeysk', 'Ейский', true, 'a-down', 1), ('1.2.643.5.1.13.3', 'ФАП', 'yeysk', 'Ейский', true, null, 1)`);
    await dataSource.query(`INSERT INTO adapter_heartbeat (adapter_id, organisation_oids, mis_reachable, last_successful_sync_at, heartbeat_interval_ms, heartbeat_at) VALUES
      ('a-fresh', '{1.2.643.5.1.13.1,1.2.643.5.1.13.4}', true, $1, 30000, $1), ('a-down', '{1.2.643.5.1.13.2}', false, $2, 30000, $1)`, [new Date(now), new Date(now - 3_600_000)]);
    const supervisor = await signIn(app.keyOf({ clientId: 'sup-head', role: Role.HEAD_SUPERVISOR, branch: null }));
    const health = await get('/console/api/cc/v1/region/health', supervisor.cookie);
    expect(health.status).toBe(200);
    const states = Object.fromEntries((health.body.organisations as { oid: string; state: string; adapter: string | null }[]).map((o) => [o.oid, [o.state, o.adapter]]));
    // .4 is known only from its adapter's heartbeat (its own event predates the projection).
    expect(states).toEqual({ '1.2.643.5.1.13.1': ['FRESH', 'a-fresh'], '1.2.643.5.1.13.2': ['STALE', 'a-down'], '1.2.643.5.1.13.3': ['UNKNOWN', null], '1.2.643.5.1.13.4': ['FRESH', 'a-fresh'] });
    expect(health.body.summary).toEqual({ fresh: 2, stale: 1, unknown: 1 });
  });

  it('answers 404 CONSOLE.NOT_BUILT at /console/ when the application is not built, and a 502 when booking is down', async () => {
    const page = await fetch(`${app.url}/console/`);
    expect([page.status, codeOf((await page.json()) as Record<string, unknown>)]).toEqual([404, 'CONSOLE.NOT_BUILT']);
    const operator = await signIn(app.keyOf({ clientId: 'op-sochi-9', role: Role.OPERATOR, branch: 'sochi' }));
    await booking.close();
    const down = await get('/console/api/booking/v1/organisations', operator.cookie);
    expect([down.status, codeOf(down.body)]).toEqual([502, 'CONSOLE.BOOKING_UNAVAILABLE']);
  });

  // Last: it leaves this address refused for the window.
  it('refuses sign-ins from an address after too many failures, even with a good key', async () => {
    for (let i = 0; i < 3; i++) expect([401, 429]).toContain((await signIn(`mbk.${'1'.repeat(16)}.${'z'.repeat(43)}`)).status);
    const blocked = await signIn(app.keyOf({ clientId: 'op-late', role: Role.OPERATOR, branch: 'sochi' }));
    expect([blocked.status, codeOf(blocked.body)]).toEqual([429, 'CONSOLE.TOO_MANY_ATTEMPTS']);
  });
});
