import { waitFor } from '@medbus/testing';
import { RawAmiClient, type Message } from './raw-ami.client';
import { loadSimulatorConfig, type SimulatorOverrides } from './simulator.config';
import { startTelephonySimulator, type RunningTelephonySimulator } from './simulator';

const adminToken = 'int-test-admin-token';

interface Harness {
  sim: RunningTelephonySimulator;
  admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  queueLog(since?: number): Promise<string[]>;
  client(login?: boolean): Promise<RawAmiClient>;
}

const running: RunningTelephonySimulator[] = [];
const clients: RawAmiClient[] = [];

async function harness(overrides: SimulatorOverrides = {}): Promise<Harness> {
  const config = loadSimulatorConfig([], {}, { amiPort: 0, adminPort: 0, adminToken, users: 'medbus:s3cret', callsPerDay: 0, pauseEverySeconds: 0, speed: 100, seed: 11, logRequests: false, start: '2026-11-30T09:00:00+03:00', ...overrides });
  const sim = await startTelephonySimulator(config);
  running.push(sim);
  const h: Harness = {
    sim,
    admin: async (method, path, body) => {
      const response = await fetch(`${sim.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: response.status, body: (await response.json()) as never };
    },
    queueLog: async (since = 0) => {
      const response = await fetch(`${sim.adminUrl}/queue_log?since=${since}`, { headers: { authorization: `Bearer ${adminToken}` } });
      return (await response.text()).split('\n').filter((l) => l !== '');
    },
    client: async (login = true) => {
      const client = await RawAmiClient.open(sim.amiPort);
      clients.push(client);
      if (login) expect(await client.action({ Action: 'Login', Username: 'medbus', Secret: 's3cret' })).toMatchObject({ Response: 'Success', Message: 'Authentication accepted' });
      return client;
    },
  };
  return h;
}

afterAll(async () => {
  for (const client of clients) client.socket.destroy();
  await Promise.all(running.map((sim) => sim.close()));
});

/** Polls the ground truth until the call is there (it is written when its last event is). */
function factOf(h: Harness, uniqueid: string): Promise<Record<string, unknown>> {
  return waitFor(async () => (await h.admin<{ items: Record<string, unknown>[] }>('GET', '/admin/calls?limit=5000')).body.items.find((c) => c['uniqueid'] === uniqueid), `call ${uniqueid} in the ground truth`);
}

const names = (events: Message[]): string[] => events.map((e) => e['Event'] ?? '');

const aCaller = (n: number): string => `7918${String(n).padStart(7, '0')}`;

describe('the PBX (AMI) simulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });

  it('greets, accepts a known login and refuses a wrong one, which then gets no events', async () => {
    const good = await h.client();
    expect(good.greeting).toBe('Asterisk Call Manager/7.0.3');
    const bad = await h.client(false);
    expect(await bad.action({ Action: 'QueueStatus' })).toMatchObject({ Response: 'Error', Message: 'Authentication Required' });
    expect(await bad.action({ Action: 'Login', Username: 'medbus', Secret: 'wrong' })).toMatchObject({ Response: 'Error', Message: 'Authentication failed' });
    expect(await bad.action({ Action: 'Ping' })).toMatchObject({ Response: 'Success', Ping: 'Pong' });
    expect(await good.action({ Action: 'Frobnicate' })).toMatchObject({ Response: 'Error', Message: 'Invalid/unknown command' });

    const { body } = await h.admin<{ uniqueid: string }>('POST', '/admin/calls', { queue: 'head', callerNumber: aCaller(1), outcome: 'ABANDON', waitSeconds: 1 });
    await good.next((e) => e['Event'] === 'QueueCallerJoin' && e['Uniqueid'] === body.uniqueid);
    // The Ping's answer is written after the event was: the refused connection has had its chance.
    await bad.action({ Action: 'Ping' });
    expect(bad.events).toEqual([]);
  });

  it('emits an abandoned call as QueueCallerJoin, QueueCallerAbandon with its HoldTime, QueueCallerLeave, Hangup', async () => {
    const client = await h.client();
    const { status, body } = await h.admin<{ uniqueid: string }>('POST', '/admin/calls', { queue: 'sochi', callerNumber: aCaller(2), outcome: 'ABANDON', waitSeconds: 30 });
    expect(status).toBe(201);
    await client.next((e) => e['Event'] === 'Hangup' && e['Uniqueid'] === body.uniqueid);
    const events = client.eventsOf(body.uniqueid);
    expect(names(events)).toEqual(['QueueCallerJoin', 'QueueCallerAbandon', 'QueueCallerLeave', 'Hangup']);
    expect(events[0]).toMatchObject({ Privilege: 'agent,all', Queue: 'sochi', CallerIDNum: aCaller(2), Position: '1', Linkedid: body.uniqueid });
    expect(events[1]).toMatchObject({ Queue: 'sochi', HoldTime: '30', OriginalPosition: '1', Position: '1' });
    expect(events[3]).toMatchObject({ Privilege: 'call,all', Cause: '16', 'Cause-txt': 'Normal Clearing' });
    expect(Number(events[1]?.['Timestamp']) - Number(events[0]?.['Timestamp'])).toBeCloseTo(30, 3);
    expect(events[0]?.['Timestamp']).toMatch(/^\d{10}\.\d{6}$/);

    const fact = await factOf(h, body.uniqueid);
    expect(fact).toMatchObject({ queue: 'sochi', callerNumber: aCaller(2), outcome: 'ABANDONED', holdSeconds: 30, answeredAt: null, talkSeconds: null, agent: null, abandonPosition: 1 });
    const lines = (await h.queueLog()).filter((l) => l.includes(`|${body.uniqueid}|`));
    expect(lines.map((l) => l.split('|').slice(4).join('|'))).toEqual([`ENTERQUEUE||${aCaller(2)}|1`, 'ABANDON|1|1|30']);
  });

  it('emits an answered call with AgentConnect (hold) and AgentComplete (talk) in Asterisk order', async () => {
    const client = await h.client();
    const { body } = await h.admin<{ uniqueid: string }>('POST', '/admin/calls', { queue: 'head', callerNumber: aCaller(3), outcome: 'ANSWER', waitSeconds: 12, talkSeconds: 40 });
    await client.next((e) => e['Event'] === 'Hangup' && e['Uniqueid'] === body.uniqueid);
    const events = client.eventsOf(body.uniqueid);
    expect(names(events)).toEqual(['QueueCallerJoin', 'AgentCalled', 'AgentConnect', 'QueueCallerLeave', 'AgentComplete', 'Hangup']);
    const connect = events[2] ?? {};
    expect(connect).toMatchObject({ Queue: 'head', HoldTime: '12', MemberName: expect.stringMatching(/^head operator \d\d$/), Interface: expect.stringMatching(/^PJSIP\/head-op\d\d$/) });
    expect(connect['DestUniqueid']).not.toBe(body.uniqueid);
    expect(events[4]).toMatchObject({ HoldTime: '12', TalkTime: '40', Reason: expect.stringMatching(/^(caller|agent)$/), MemberName: connect['MemberName'] });
    const fact = await factOf(h, body.uniqueid);
    expect(fact).toMatchObject({ outcome: 'ANSWERED', holdSeconds: 12, talkSeconds: 40, agent: connect['MemberName'], abandonPosition: null });
    const lines = (await h.queueLog()).filter((l) => l.includes(`|${body.uniqueid}|`)).map((l) => l.split('|').slice(3).join('|'));
    expect(lines).toEqual([`NONE|ENTERQUEUE||${aCaller(3)}|1`, `${connect['MemberName']}|CONNECT|12|${connect['DestUniqueid']}|3`, expect.stringMatching(new RegExp(`^${connect['MemberName']}\\|COMPLETE(CALLER|AGENT)\\|12\\|40\\|1$`))]);
  });

  it('answers an async Originate at once and sends OriginateResponse with the overridden outcome', async () => {
    const client = await h.client();
    expect((await h.admin('PUT', '/admin/originate-outcomes', { [aCaller(10)]: 'BUSY', [aCaller(11)]: 'ANSWERED', [aCaller(12)]: 'NO_ANSWER' })).status).toBe(200);
    const originate = (number: string, extra: Record<string, string> = { Async: 'true' }) =>
      client.action({ Action: 'Originate', Channel: `Local/${number}@outbound`, Context: 'callback', Exten: 's', Priority: '1', CallerID: 'Контакт-центр <88001000000>', Timeout: '30000', Variable: 'TASK=17', ...extra });
    const busy = await originate(aCaller(10));
    expect(busy).toMatchObject({ Response: 'Success', Message: 'Originate successfully queued' });
    const answered = await originate(aCaller(11));
    const nowhere = await client.action({ Action: 'Originate', Channel: 'PJSIP/not-a-number@trunk', Async: 'true' });
    const outcome = (m: Message) => client.next((e) => e['Event'] === 'OriginateResponse' && e['ActionID'] === m['ActionID']);
    expect(await outcome(busy)).toMatchObject({ Response: 'Failure', Reason: '5', Channel: `Local/${aCaller(10)}@outbound`, Privilege: 'call,all' });
    expect(await outcome(answered)).toMatchObject({ Response: 'Success', Reason: '4', Uniqueid: expect.stringMatching(/^\d+\.\d+$/) });
    expect(await outcome(nowhere)).toMatchObject({ Response: 'Failure', Reason: '0' });
    // Without Async the Response waits for the outcome.
    expect(await originate(aCaller(12), {})).toMatchObject({ Response: 'Error', Message: 'Originate failed' });

    const { body } = await h.admin<{ items: { number: string; outcome: string; actionId: string }[] }>('GET', '/admin/originates');
    expect(body.items.filter((o) => o.number.startsWith('7918000001')).map((o) => [o.number, o.outcome])).toEqual([
      [aCaller(10), 'BUSY'],
      [aCaller(11), 'ANSWERED'],
      [aCaller(12), 'NO_ANSWER'],
    ]);
  });

  it('closes a connection that sends garbage or an oversize message, and keeps serving others', async () => {
    const garbage = await h.client(false);
    garbage.socket.write('\u0000\u0001binary junk\r\n\r\n');
    await garbage.closed;
    const huge = await h.client(false);
    huge.socket.write(`Action: Login\r\nUsername: ${'x'.repeat(70 * 1024)}\r\n`);
    await huge.closed;
    const lf = await h.client(false);
    lf.socket.write('action: ping\nactionid: lf-1\n\n');
    expect(await lf.next((m) => m['ActionID'] === 'lf-1')).toMatchObject({ Response: 'Success', Ping: 'Pong' });
  });

  it('drops every connection at once; the calls go on into the ground truth and queue_log; clients come back after the refusal', async () => {
    const a = await h.client();
    const b = await h.client();
    const { body: dropped } = await h.admin<{ dropped: number }>('POST', '/admin/drop', { refuseMs: 1000 });
    expect(dropped.dropped).toBeGreaterThanOrEqual(2);
    await Promise.all([a.closed, b.closed]);
    await expect(RawAmiClient.open(h.sim.amiPort)).rejects.toThrow('closed before the greeting');
    const { body } = await h.admin<{ uniqueid: string }>('POST', '/admin/calls', { queue: 'novorossiysk', callerNumber: aCaller(20), outcome: 'ABANDON', waitSeconds: 5 });
    const fact = await factOf(h, body.uniqueid);
    expect(fact).toMatchObject({ outcome: 'ABANDONED', holdSeconds: 5 });
    expect((await h.queueLog()).filter((l) => l.includes(`|${body.uniqueid}|`)).map((l) => l.split('|')[4])).toEqual(['ENTERQUEUE', 'ABANDON']);
    const c = await waitFor(() => RawAmiClient.open(h.sim.amiPort).catch(() => undefined), 'the PBX accepting connections again');
    clients.push(c);
    expect(await c.action({ Action: 'Login', Username: 'medbus', Secret: 's3cret' })).toMatchObject({ Response: 'Success' });
  });
});

describe('a replayed day', () => {
  it('emits exactly N QueueCallerJoin in time order, and the ground truth agrees with the events', async () => {
    const h = await harness({ queues: 'head:3,sochi:2', pauseEverySeconds: 3600 });
    const client = await h.client();
    const calls = 300;
    const { status } = await h.admin('POST', '/admin/replay', { day: '2026-11-30', calls, timeZone: 'Europe/Moscow', seed: 7 });
    expect(status).toBe(202);
    const replay = await waitFor(async () => {
      const { body } = await h.admin<{ state: string; emitted: number; total: number }>('GET', '/admin/replay');
      return body.state === 'done' ? body : undefined;
    }, 'the replay done');
    expect(replay).toMatchObject({ emitted: calls, total: calls });
    await client.action({ Action: 'Ping' });
    const dayStart = Date.parse('2026-11-30T00:00:00+03:00') / 1000;
    const joins = client.events.filter((e) => e['Event'] === 'QueueCallerJoin');
    expect(joins).toHaveLength(calls);
    expect(joins.every((e) => Number(e['Timestamp']) >= dayStart && Number(e['Timestamp']) < dayStart + 86_400)).toBe(true);
    const stamps = client.events.map((e) => Number(e['Timestamp']));
    expect(stamps).toEqual([...stamps].sort((x, y) => x - y));

    const { body } = await h.admin<{ items: { uniqueid: string; outcome: string; holdSeconds: number; talkSeconds: number | null }[] }>('GET', '/admin/calls?from=2026-11-30T00:00:00%2B03:00&to=2026-12-01T00:00:00%2B03:00&limit=5000');
    expect(body.items).toHaveLength(calls);
    const fromEvents = new Map<string, { outcome: string; hold: number; talk: number | null }>();
    for (const e of client.events) {
      if (e['Event'] === 'QueueCallerAbandon') fromEvents.set(e['Uniqueid'] ?? '', { outcome: 'ABANDONED', hold: Number(e['HoldTime']), talk: null });
      if (e['Event'] === 'AgentComplete') fromEvents.set(e['Uniqueid'] ?? '', { outcome: 'ANSWERED', hold: Number(e['HoldTime']), talk: Number(e['TalkTime']) });
    }
    expect(body.items.map((c) => [c.uniqueid, { outcome: c.outcome, hold: c.holdSeconds, talk: c.talkSeconds }])).toEqual([...fromEvents.entries()]);
    expect(new Set(body.items.map((c) => c.outcome))).toEqual(new Set(['ANSWERED', 'ABANDONED']));
  });
});
