import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@medbus/config';
import type { OutgoingEvent } from '@medbus/kafka';
import { CodeMap, DataQualityReport, ManualClock, Publication, RawPayloadArchive, defaultSpecialtyRules } from '@medbus/mis-adapter-kit';
import { inboundAdapterConfigSchema } from './inbound.config';
import { InboundDialect } from './inbound.dialect';
import organisation from './__fixtures__/organisation.json';
import resources from './__fixtures__/resources.json';
import slots from './__fixtures__/slots.json';

const served = '1.2.643.5.1.13.13.12.2.23.1037';
const foreign = '1.2.643.5.1.13.13.12.2.23.9999';
const key = 'poliklinika-3-mis-key-2f9c41aa7e';
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('the inbound API on its own (no database: pushes only)', () => {
  let server: Server;
  let base: string;
  let sent: OutgoingEvent[];
  let clock: ManualClock;
  let dialect: InboundDialect;
  let logged: unknown[][];
  let archive: RawPayloadArchive;
  let archiveDir: string;

  beforeEach(async () => {
    const config = loadConfig(inboundAdapterConfigSchema, {
      KAFKA_BROKERS: '127.0.0.1:9092',
      KAFKA_CLIENT_ID: 'mis-adapter-inbound',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
      OTEL_SERVICE_NAME: 'mis-adapter-inbound',
      ADAPTER_ID: 'inbound-poliklinika-3',
      HTTP_PORT: '7714',
      ADAPTER_ORGANISATIONS: served,
      INBOUND_API_KEYS: `other-clinic-key-0000000000,${key}`,
      INBOUND_MAX_BODY_BYTES: '4096',
    });
    sent = [];
    logged = [];
    clock = new ManualClock('2026-11-20T09:00:00+03:00');
    archiveDir = await mkdtemp(join(tmpdir(), 'inbound-archive-'));
    archive = new RawPayloadArchive({ directory: archiveDir, retentionMs: 86_400_000, clock });
    const quality = new DataQualityReport();
    const publisher = { publishAll: async (events: readonly OutgoingEvent[]) => (sent.push(...events), events.map(() => 'id')) };
    const publication = new Publication(publisher, clock, new Set(config.ADAPTER_ORGANISATIONS), quality, quiet);
    dialect = new InboundDialect(config, {
      adapterId: config.ADAPTER_ID,
      misVendor: config.MIS_VENDOR,
      publication,
      clock,
      codes: new CodeMap(),
      quality,
      logger: { ...quiet, warn: (...args: unknown[]) => void logged.push(args) },
      horizonDays: 14,
      bookingChannels: ['CONTACT_CENTRE', 'FRONT_DESK', 'FEDERAL_PORTAL'],
      specialtyRules: defaultSpecialtyRules,
      requestSync: () => undefined,
      openRawArchive: () => archive,
    });
    // The runtime's dispatch: a route whose template matches the path segment by segment.
    const matches = (template: string, path: string) => {
      const [t, p] = [template.split('/'), path.split('/')];
      return t.length === p.length && t.every((s, i) => (s.startsWith('{') ? p[i] !== '' : s === p[i]));
    };
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const route = dialect.routes().find((r) => r.method === req.method && matches(r.path, path));
      if (route) void route.handle(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(archiveDir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const putOrganisation = (oid = served, body: unknown = organisation) => call('PUT', `/inbound/v1/organisations/${oid}`, body);
  const putResources = (body: unknown = resources) => call('PUT', `/inbound/v1/organisations/${served}/resources`, body);
  const putSlots = (body: unknown = slots, range = 'from=2026-11-24&to=2026-11-25', doctor = 'doc-117') =>
    call('PUT', `/inbound/v1/organisations/${served}/resources/${doctor}/slots?${range}`, body);
  const types = () => sent.map((e) => e.event.name);

  it('publishes an organisation once: the same push again is 0 events, a change is one', async () => {
    expect(await putOrganisation()).toEqual({ status: 200, body: { published: 1, issues: [] } });
    expect(await putOrganisation()).toEqual({ status: 200, body: { published: 0, issues: [] } });
    expect(await putOrganisation(served, { ...organisation, active: false })).toEqual({ status: 200, body: { published: 1, issues: [] } });

    expect(types()).toEqual(['OrganisationPublished', 'OrganisationPublished']);
    expect(sent[1]?.value).toMatchObject({ organisationOid: served, active: false, misVendor: 'inbound' });
  });

  it('publishes the resources and the slots of a range, then only what changed, and removes a slot no longer listed', async () => {
    await putOrganisation();
    expect(await putResources()).toMatchObject({ status: 200, body: { published: 3 } });
    expect(await putSlots()).toMatchObject({ status: 200, body: { published: 4 } });
    expect(await putSlots()).toMatchObject({ status: 200, body: { published: 0 } });

    const [first, second, , fourth] = slots.slots;
    expect(await putSlots({ slots: [first, { ...second, status: 'FREE' }, fourth] })).toMatchObject({ status: 200, body: { published: 2 } });

    expect(types().slice(-2).sort()).toEqual(['SlotChanged', 'SlotRemoved']);
    expect(sent.find((e) => e.event.name === 'SlotRemoved')?.key).toBe(`${served}:s-20261124-0840-117`);
  });

  it('lists what it published around in the answer, never the values', async () => {
    await putOrganisation();
    const answer = await putResources();

    expect(answer.body.issues).toEqual(expect.arrayContaining([{ kind: 'invalid_value', entity: `resource ${served}:doc-204`, field: 'snils' }]));
    expect(JSON.stringify(answer.body)).not.toContain('11223344500');
  });

  it('refuses a push without a valid key, and publishes nothing', async () => {
    expect(await call('PUT', `/inbound/v1/organisations/${served}`, organisation, { authorization: `Bearer ${key}x` })).toEqual({
      status: 401,
      body: { code: 'AUTH.INVALID_API_KEY', message: 'a valid API key is required (Authorization: Bearer <key>)' },
    });
    expect((await call('PUT', `/inbound/v1/organisations/${served}`, organisation, { authorization: '' })).status).toBe(401);
    expect(sent).toEqual([]);
    expect(dialect.misReachable).toBe(false);
  });

  it('refuses a push for an organisation not registered to the adapter, and publishes nothing of it', async () => {
    expect(await putOrganisation(foreign)).toEqual({
      status: 403,
      body: { code: 'INBOUND.ORGANISATION_NOT_SERVED', message: `organisation ${foreign} is not registered to this adapter; nothing was published` },
    });
    expect((await call('PUT', `/inbound/v1/organisations/${foreign}/resources`, resources)).status).toBe(403);
    expect(sent).toEqual([]);
    expect(dialect.health().requests.refused).toEqual({ 'INBOUND.ORGANISATION_NOT_SERVED': 2 });
  });

  it('asks for the organisation before its resources, and for the resource before its slots', async () => {
    expect(await putResources()).toMatchObject({ status: 404, body: { code: 'INBOUND.ORGANISATION_NOT_FOUND' } });
    await putOrganisation();
    await putResources();
    expect(await putSlots(slots, 'from=2026-11-24&to=2026-11-25', 'doc-999')).toMatchObject({ status: 404, body: { code: 'INBOUND.RESOURCE_NOT_FOUND' } });
  });

  it('refuses a slot outside the range pushed, naming it, and publishes none of the push', async () => {
    await putOrganisation();
    await putResources();
    sent.length = 0;

    expect(await putSlots(slots, 'from=2026-11-24&to=2026-11-24')).toEqual({
      status: 400,
      body: { code: 'INBOUND.SLOT_OUTSIDE_RANGE', message: 'a slot starts outside the range pushed', fields: [{ path: 'slots.3.start', message: 'must fall within 2026-11-24 to 2026-11-24' }] },
    });
    expect(sent).toEqual([]);
  });

  it('answers what is wrong with a request by its code: media type, size, JSON, schema, query, path', async () => {
    expect((await call('PUT', `/inbound/v1/organisations/${served}`, organisation, { 'content-type': 'text/plain' })).body.code).toBe('INBOUND.UNSUPPORTED_MEDIA_TYPE');
    expect(await putOrganisation(served, { ...organisation, fullName: 'x'.repeat(5000) })).toMatchObject({ status: 413, body: { code: 'INBOUND.BODY_TOO_LARGE' } });
    expect(await putOrganisation(served, '{"fullName":')).toMatchObject({ status: 400, body: { code: 'INBOUND.MALFORMED_JSON' } });
    expect(await putOrganisation(served, { ...organisation, active: 'yes' })).toEqual({
      status: 400,
      body: { code: 'INBOUND.INVALID_BODY', message: 'the body breaks the schema (GET /inbound/v1/openapi.json)', fields: [{ path: 'active', message: 'Expected boolean, received string' }] },
    });
    await putOrganisation();
    await putResources();
    expect(await putSlots(slots, 'from=2026-11-24')).toMatchObject({ status: 400, body: { code: 'INBOUND.INVALID_QUERY', fields: [{ path: 'to', message: 'Required' }] } });
    expect(await putSlots({ slots: [{ ...slots.slots[0], status: 'Иванов И. И., 112-233-445 95' }] })).toMatchObject({ status: 400, body: { code: 'INBOUND.INVALID_BODY' } });
    expect(logged.at(-1)).toEqual(['inbound request refused', { route: `PUT /inbound/v1/organisations/{organisationOid}/resources/{localResourceId}/slots`, code: 'INBOUND.INVALID_BODY', fields: ['slots.0.status'] }]);
    expect(JSON.stringify(logged)).not.toMatch(/Иванов|445/);
    expect(await putOrganisation('not-an-oid')).toMatchObject({ status: 400, body: { code: 'INBOUND.INVALID_PATH' } });
    expect(await putSlots(slots, 'from=2026-11-24&to=2026-11-25', '%E0%A4%A')).toMatchObject({ status: 400, body: { code: 'INBOUND.INVALID_PATH' } });
  });

  it('keeps the pushes it read as received, refused ones with their code, and nothing of a caller without a key or out of scope', async () => {
    await putOrganisation();
    await putOrganisation(served, { ...organisation, active: 'yes' });
    await putOrganisation(foreign);
    await call('PUT', `/inbound/v1/organisations/${served}`, organisation, { authorization: 'Bearer not-a-key-000000000000' });

    const records = await archive.fetchesOf('2026-11-20');
    expect(records.map((r) => [r.operation, r.accepted, r.rejection])).toEqual([
      ['putOrganisation', true, undefined],
      ['putOrganisation', false, 'INBOUND.INVALID_BODY'],
    ]);
    expect(JSON.parse(await archive.read(records[0] ?? { fetchedAt: '', sha256: '' }))).toEqual(organisation);
  });

  it('takes no booking commands without a database, saying so', async () => {
    expect(await call('GET', '/inbound/v1/commands?wait=1')).toMatchObject({ status: 503, body: { code: 'INBOUND.COMMANDS_DISABLED' } });
  });

  it('serves its OpenAPI document without a key', async () => {
    expect(await call('GET', '/inbound/v1/openapi.json', undefined, { authorization: '' })).toMatchObject({ status: 200, body: { openapi: '3.1.0' } });
  });

  it('counts the MIS reachable while it calls, and its last push as the last sync', async () => {
    expect(dialect.misReachable).toBe(false);
    await putOrganisation();

    expect(dialect.misReachable).toBe(true);
    expect(dialect.lastSuccessfulSyncAt).toEqual(clock.now());
    clock.advance(120_000);
    expect(dialect.misReachable).toBe(false);
    expect(dialect.health()).toMatchObject({ requests: { accepted: 1, refused: {} } });
  });

  it('refuses to identify patients: the MIS cannot be asked', async () => {
    await expect(dialect.identify()).rejects.toMatchObject({ code: 'PATIENT.IDENTIFICATION_UNSUPPORTED' });
  });
});
