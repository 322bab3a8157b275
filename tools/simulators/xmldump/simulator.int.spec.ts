import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Client, type SFTPWrapper } from 'ssh2';
import { generateRegion } from '../clinic/region.generator';
import { ScheduleState } from '../clinic/schedule.state';
import { DumpPublisher } from './dump.publisher';
import { loadXmlDumpConfig } from './simulator.config';
import { startXmlDumpSimulator, type RunningXmlDump } from './simulator';
import { waitFor } from '@medbus/testing';

const login = 'adapter';
const password = 'test-password-1';
const adminToken = 'test-admin-token';
const ns = 'urn:xmldump:booking:1';
const basic = `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

type Node = Record<string, unknown>;
const arrays = new Set(['Clinic', 'Doctor', 'Day', 'Ticket', 'Dump', 'Patient', 'Visit']);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, isArray: (name) => arrays.has(name) });
const list = (node: unknown, key: string): Node[] => ((node as Node)[key] as Node[] | undefined) ?? [];

function defined<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
}

interface IndexLine {
  readonly name: string;
  readonly kind: string;
  readonly seq: number;
  readonly size: number;
  readonly sha256: string;
}

function indexOf(xml: string): IndexLine[] {
  return list((parser.parse(xml) as Node)['DumpIndex'], 'Dump').map((d) => ({ name: String(d['name']), kind: String(d['kind']), seq: Number(d['seq']), size: Number(d['size']), sha256: String(d['sha256']) }));
}

/** A dump read as a consumer must: well-formed, with its End counts matching what came before it. */
function readDump(bytes: Buffer): { root: Node; tickets: Map<string, Node>; consistent: boolean } {
  const xml = bytes.toString('utf8');
  if (XMLValidator.validate(xml) !== true) return { root: {}, tickets: new Map(), consistent: false };
  const root = (parser.parse(xml) as Node)['ScheduleDump'] as Node | undefined;
  const end = root?.['End'] as Node | undefined;
  const clinics = list(root ?? {}, 'Clinic');
  const doctors = clinics.flatMap((c) => list(c, 'Doctor'));
  const days = doctors.flatMap((d) => list(d, 'Day'));
  const tickets = days.flatMap((d) => list(d, 'Ticket'));
  const consistent =
    end !== undefined &&
    Number(end['clinics']) === clinics.length &&
    Number(end['doctors']) === doctors.length &&
    Number(end['days']) === days.length &&
    Number(end['tickets']) === tickets.length;
  return { root: root ?? {}, tickets: new Map(tickets.map((t) => [String(t['id']), t])), consistent };
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function sftpSession(port: number, secret = password): Promise<{ sftp: SFTPWrapper; end: () => void }> {
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('connection closed before it was ready')));
    client.connect({ host: '127.0.0.1', port, username: login, password: secret, readyTimeout: 10_000, hostVerifier: () => true });
  });
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((error, session) => (error ? reject(error) : resolve(session))));
  return { sftp, end: () => client.end() };
}

/** Reads a file as a stream, as a consumer of 100 MB dumps does (ssh2's readFile never calls back when the connection drops mid-file). */
function sftpRead(sftp: SFTPWrapper, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    sftp
      .createReadStream(path)
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .on('error', reject)
      .on('end', () => resolve(Buffer.concat(chunks)));
  });
}

describe('XMLDump simulator over real HTTP and SFTP', () => {
  let sim: RunningXmlDump;

  async function get(path: string, auth = basic): Promise<{ status: number; body: Buffer; headers: Headers }> {
    const response = await fetch(`${sim.url}${path}`, { headers: { authorization: auth } });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
  }

  async function admin(path: string, body?: unknown): Promise<{ status: number; body: Node }> {
    const response = await fetch(`${sim.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Node };
  }

  async function post(xml: string, auth = basic): Promise<{ status: number; root: Node; name: string }> {
    const response = await fetch(`${sim.url}/booking`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/xml' }, body: xml });
    const text = await response.text();
    const parsed = text.startsWith('<?xml') ? (parser.parse(text) as Node) : {};
    const name = Object.keys(parsed).find((k) => !k.startsWith('?')) ?? '';
    return { status: response.status, root: (parsed[name] as Node | undefined) ?? {}, name };
  }

  async function index(): Promise<IndexLine[]> {
    return indexOf((await get('/dumps/index.xml')).body.toString('utf8'));
  }

  async function register(clinic: number, policy: string): Promise<string> {
    const { root } = await post(
      `<RegisterPatient xmlns="${ns}" clinic="${clinic}"><Surname>Тестов</Surname><FirstName>Иван</FirstName><Patronymic>Петрович</Patronymic><BirthDate>1985-03-15</BirthDate><Sex>1</Sex><Policy>${policy}</Policy></RegisterPatient>`,
    );
    return String(list(root, 'Patient')[0]?.['id']);
  }

  /** A free ticket of a doctor whose specialty has no booking rules, as the latest full dump shows it. */
  async function freeTicket(): Promise<{ clinic: number; ticket: string }> {
    const full = defined((await index()).find((d) => d.kind === 'full'));
    const { root } = readDump((await get(`/dumps/${full.name}`)).body);
    for (const clinic of list(root, 'Clinic')) {
      for (const doctor of list(clinic, 'Doctor')) {
        if (!['HIR', 'NEV', 'OFT', 'LOR', 'KAR', 'END'].includes(String((doctor['Specialty'] as Node)['code']))) continue;
        const ticket = list(doctor, 'Day')
          .flatMap((d) => list(d, 'Ticket'))
          .find((t) => t['state'] === 'free' && sim.state.slotById(String(t['id']))?.state === 'free');
        if (ticket) return { clinic: Number(clinic['code']), ticket: String(ticket['id']) };
      }
    }
    throw new Error('no free ticket');
  }

  beforeAll(async () => {
    const config = loadXmlDumpConfig([], {}, {
      port: 0,
      sftpPort: 0,
      seed: 42,
      organisations: 3,
      doctorsPerOrg: 4,
      startDate: '2026-11-30',
      login,
      password,
      adminToken,
      partialInterval: 0,
      logRequests: false,
    });
    sim = await startXmlDumpSimulator(config);
  });

  afterAll(async () => {
    await sim?.close();
  });

  it('publishes an index and a full dump over HTTP whose size, sha256 and End counts hold', async () => {
    const lines = await index();
    const full = defined(lines.find((d) => d.kind === 'full'));
    const { status, body, headers } = await get(`/dumps/${full.name}`);

    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/xml/);
    expect(body.length).toBe(full.size);
    expect(sha256(body)).toBe(full.sha256);
    const dump = readDump(body);
    expect(dump.consistent).toBe(true);
    expect(dump.root).toMatchObject({ kind: 'full', seq: String(full.seq), from: sim.state.today, to: sim.state.lastDay });
    expect(dump.tickets.size).toBe(sim.state.counts().slots);
  });

  it('serves the same files over SFTP under /dumps/, read-only', async () => {
    const { sftp, end } = await sftpSession(sim.sftpPort);
    try {
      const lines = indexOf((await sftpRead(sftp, '/dumps/index.xml')).toString('utf8'));
      expect(lines).toEqual(await index());
      const full = defined(lines.find((d) => d.kind === 'full'));
      const bytes = await sftpRead(sftp, `/dumps/${full.name}`);
      expect(sha256(bytes)).toBe(full.sha256);
      const names = await new Promise<string[]>((resolve, reject) =>
        sftp.readdir('/dumps', (error, entries) => (error ? reject(error) : resolve(entries.map((e) => e.filename)))),
      );
      expect(names.sort()).toEqual(['index.xml', ...lines.map((l) => l.name)].sort());
      await expect(new Promise((resolve, reject) => sftp.writeFile('/dumps/evil.xml', 'x', (error) => (error ? reject(error) : resolve(undefined))))).rejects.toThrow();
    } finally {
      end();
    }
  });

  it('refuses an SFTP login with the wrong password and an HTTP request without the right Basic credentials', async () => {
    await expect(sftpSession(sim.sftpPort, 'wrong-password')).rejects.toThrow();
    const refused = await get('/dumps/index.xml', `Basic ${Buffer.from(`${login}:wrong`).toString('base64')}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await post(`<PatientVisits xmlns="${ns}" clinic="1" patient="P1-1"/>`, 'Basic x')).status).toBe(401);
  });

  it('books a ticket through an XML message, and the next partial dump shows it busy on top of the full one', async () => {
    const { clinic, ticket } = await freeTicket();
    const patient = await register(clinic, '2399000000000011');

    const booked = await post(`<Book xmlns="${ns}" clinic="${clinic}" ticket="${ticket}" patient="${patient}"/>`);
    expect(booked).toMatchObject({ status: 200, name: 'BookResult', root: { status: 'ok', ticket } });
    expect((await admin(`/admin/slots?slotId=${ticket}`)).body).toMatchObject({ state: 'booked', ticketState: 'busy', booking: { idPat: patient } });

    const published = await admin('/admin/dump', { kind: 'partial' });
    expect(published.status).toBe(200);
    const name = String(published.body['name']);
    expect(name).toBe(`partial-${String(published.body['seq'])}.xml`);
    const lines = await index();
    const full = defined(lines.find((d) => d.kind === 'full'));
    expect(lines.at(-1)).toMatchObject({ name, kind: 'partial' });
    const partial = readDump((await get(`/dumps/${name}`)).body);
    expect(partial.consistent).toBe(true);
    expect(partial.root).toMatchObject({ kind: 'partial', base: String(full.seq) });
    expect(partial.tickets.get(ticket)).toMatchObject({ state: 'busy' });
    // Nothing else changed since the full dump: the partial is that one doctor-day, complete.
    const slot = defined(sim.state.slotById(ticket));
    const day = sim.state.slotsOf(clinic, slot.idDoc, { from: `${slot.date}T00:00:00`, to: `${slot.date}T23:59:59` });
    expect([...partial.tickets.keys()]).toEqual(day.map((s) => s.id));
  });

  it('refuses a ticket already taken with TICKET_BUSY and leaves it with its first patient', async () => {
    const { clinic, ticket } = await freeTicket();
    const first = await register(clinic, '2399000000000021');
    const second = await register(clinic, '2399000000000022');
    await post(`<Book xmlns="${ns}" clinic="${clinic}" ticket="${ticket}" patient="${first}"/>`);

    const refused = await post(`<Book xmlns="${ns}" clinic="${clinic}" ticket="${ticket}" patient="${second}"/>`);
    expect(refused).toMatchObject({ status: 200, name: 'BookResult', root: { status: 'error', code: 'TICKET_BUSY', Message: expect.any(String) } });
    expect((await admin(`/admin/slots?slotId=${ticket}`)).body).toMatchObject({ booking: { idPat: first } });
  });

  it('refuses a hostile message (DOCTYPE, entities) with 400 BAD_REQUEST and keeps serving', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Book xmlns="${ns}" clinic="1" ticket="&lol2;" patient="P1-1"/>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><FindPatient xmlns="${ns}" clinic="1"><Policy>&xxe;</Policy></FindPatient>`;
    for (const body of [laughs, xxe, `<Book xmlns="${ns}" clinic="1"`, `<Book xmlns="${ns}" clinic="1" ticket="&undeclared;" patient="P1-1"/>`]) {
      expect(await post(body)).toMatchObject({ status: 400, name: 'Error', root: { code: 'BAD_REQUEST' } });
    }
    expect(await post(`<PatientVisits xmlns="${ns}" clinic="1" patient="P1-999999"/>`)).toMatchObject({ status: 200, root: { status: 'error', code: 'PATIENT_NOT_FOUND' } });
  });

  it('refuses a message over the body limit with 413, fails calls at the error rate, and loses the answer of a booking it made', async () => {
    const tooLarge = await post(`<FindPatient xmlns="${ns}" clinic="1"><Surname>${'Я'.repeat(40 * 1024)}</Surname></FindPatient>`);
    expect(tooLarge).toMatchObject({ status: 413, root: { code: 'TOO_LARGE' } });

    await admin('/admin/faults', { errorRate: 1 });
    try {
      expect(await post(`<PatientVisits xmlns="${ns}" clinic="1" patient="P1-1"/>`)).toMatchObject({ status: 500, root: { code: 'INTERNAL' } });
      expect((await get('/dumps/index.xml')).status).toBe(500);
    } finally {
      await admin('/admin/faults', { errorRate: 0 });
    }

    const { clinic, ticket } = await freeTicket();
    const patient = await register(clinic, '2399000000000031');
    await admin('/admin/faults', { dropAnswers: 1 });
    await expect(post(`<Book xmlns="${ns}" clinic="${clinic}" ticket="${ticket}" patient="${patient}"/>`)).rejects.toThrow();
    expect((await admin(`/admin/slots?slotId=${ticket}`)).body).toMatchObject({ state: 'booked', booking: { idPat: patient } });
    expect((await admin('/admin/state')).body).toMatchObject({ faults: { dropAnswers: 0 } });
  });

  it('cuts the next dump download mid-file over HTTP and over SFTP, then serves whole files again', async () => {
    const full = defined((await index()).find((d) => d.kind === 'full'));

    await admin('/admin/dump-faults', { truncateNext: true });
    const response = await fetch(`${sim.url}/dumps/${full.name}`, { headers: { authorization: basic } });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBe(full.size);
    await expect(response.arrayBuffer()).rejects.toThrow();
    expect(sha256((await get(`/dumps/${full.name}`)).body)).toBe(full.sha256);

    await admin('/admin/dump-faults', { truncateNext: true });
    const cut = await sftpSession(sim.sftpPort);
    await expect(sftpRead(cut.sftp, `/dumps/${full.name}`)).rejects.toThrow();
    cut.end();
    const whole = await sftpSession(sim.sftpPort);
    expect(sha256(await sftpRead(whole.sftp, `/dumps/${full.name}`))).toBe(full.sha256);
    whole.end();
  });

  it.each(['truncated-file', 'bad-counts', 'not-xml'] as const)('publishes a broken dump on demand (%s) that a consumer must reject, listed as it is', async (mode) => {
    await admin('/admin/dump-faults', { corruptNext: mode });
    const broken = await admin('/admin/dump', { kind: 'partial' });
    const line = defined((await index()).find((d) => d.name === broken.body['name']));
    const bytes = (await get(`/dumps/${line.name}`)).body;
    expect(bytes.length).toBe(line.size);
    expect(sha256(bytes)).toBe(line.sha256);
    expect(readDump(bytes).consistent).toBe(false);

    const next = await admin('/admin/dump', { kind: 'partial' });
    expect(readDump((await get(`/dumps/${String(next.body['name'])}`)).body).consistent).toBe(true);
  });

  it('answers 503 for dumps and booking during an outage, refuses SFTP, and still answers /health', async () => {
    await admin('/admin/outage', { on: true });
    try {
      expect((await get('/dumps/index.xml')).status).toBe(503);
      expect((await post(`<PatientVisits xmlns="${ns}" clinic="1" patient="P1-1"/>`)).status).toBe(503);
      await expect(sftpSession(sim.sftpPort)).rejects.toThrow();
      const health = await fetch(`${sim.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ outage: true });
    } finally {
      await admin('/admin/outage', { on: false });
    }
    expect((await get('/dumps/index.xml')).status).toBe(200);
  });

  it('writes a new full dump after the day advances and drops the older dumps from the index and the directory', async () => {
    const before = await index();
    const lastSeq = Math.max(...before.map((d) => d.seq));
    await admin('/admin/advance-day', {});

    const after = await waitFor(async () => {
      const listed = await index();
      return listed.some((d) => d.kind === 'full' && d.seq > lastSeq) && listed;
    }, 'a full dump after the night');
    expect(after).toEqual([expect.objectContaining({ kind: 'full', seq: lastSeq + 1 })]);
    const dump = readDump((await get(`/dumps/${defined(after[0]).name}`)).body);
    expect(dump.root).toMatchObject({ from: sim.state.today, to: sim.state.lastDay });
    expect((await readdir(sim.dumpDir)).sort()).toEqual(['index.xml', defined(after[0]).name].sort());
  });
});

describe('the full dump of the reference region', () => {
  it('is written streaming: size, time and peak RSS (printed, not asserted)', async () => {
    const startedBuild = Date.now();
    const region = generateRegion({ seed: 42, organisations: 300, doctorsPerOrg: 20, notifyShare: 0 });
    const state = new ScheduleState(region, { seed: 42, startDate: '2026-11-30', horizonDays: 14, initialBookedShare: 0.3 });
    const buildMs = Date.now() - startedBuild;
    const dir = await mkdtemp(join(tmpdir(), 'xmldump-measure-'));
    try {
      const rssBefore = process.memoryUsage().rss;
      let peakRss = rssBefore;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
      const publisher = new DumpPublisher(state, { dir, partialIntervalSec: 0, now: () => new Date(), log: () => undefined }, { truncateNext: false, corruptNext: null });
      const started = Date.now();
      await publisher.start();
      const ms = Date.now() - started;
      clearInterval(sampler);
      const full = defined(publisher.listed()[0]);
      const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
      process.stdout.write(
        `[xmldump measure] 300 × 20 doctors, 14 days, ${state.counts().slots} tickets: ${full.name} ${mb(full.size)} written in ${ms} ms ` +
          `(region built in ${buildMs} ms); RSS before the dump ${mb(rssBefore)}, peak during it ${mb(peakRss)} (+${mb(peakRss - rssBefore)}); process max RSS ${mb(process.resourceUsage().maxRSS * 1024)}\n`,
      );
      expect(full.size).toBeGreaterThan(0);
      await publisher.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
