import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { Topics } from '@medbus/contracts';
import { adapterTopicOf, deadLetterTopicOf, kafkaClientOf } from '@medbus/kafka';
import { testConnection } from '@medbus/testing';
import { ContactCentre } from './contact-centre.process';
import { fill, httpClasses, send, type Credentials, type HostileCase, type Placeholders, type Target } from './hostile/hostile-corpus';
import { Region, eventually, root, type SimSlot } from './region.process';

/**
 * The hostile corpus (tools/e2e/hostile/*.json) against a region of real processes on a bus of its
 * own, with the contact centre beside it: every case answered with its status and stable code, and after
 * each class the booking service still answers a real search, the adapter and the exporter their health,
 * and the contact centre its readiness and a real request. Avro values the registry never issued go to
 * the dead letter topic with their reason, and a later valid event of the same slot is still applied.
 */

const publicUrl = 'https://hub.medbus.example';

const region = new Region({
  name: 'hostile',
  organisations: 1,
  doctorsPerOrg: 2,
  horizonDays: 3,
  bookingEnv: { HUB_FACADE_PUBLIC_URL: publicUrl },
  // The registry exporter's federal service (ErWebService) is a surface of the region too (target "exporter").
  federal: true,
});

// The contact centre (target "contactCentre") on the region's booking service and bus.
const centre = new ContactCentre(region);
/** A patient portal's key: a caller the contact centre does not admit. */
let portalKey = '';
/** The applicant of the appeal registered before the corpus runs; contact-centre.json's bodyExcludes name them. */
const applicant = { phone: '+7 918 555-01-23', text: 'Жалоба hostile-corpus: врач не пришёл' } as const;

let values: Placeholders = {};

function portOf(target: Target | undefined): number {
  if (target === 'adapterPatients' || target === 'adapterNotifications') return region.notifyPort;
  if (target === 'exporter') return region.exporterPort;
  if (target === 'contactCentre') return centre.port;
  return region.bookingPort;
}

/** Whose key `operator` means on each target: the exporter's callers are the federal concentrator, the contact centre's its head centre's operator. */
function operatorOf(target: Target | undefined): string {
  if (target === 'exporter') return region.concentratorKey;
  if (target === 'contactCentre') return centre.keys.headOperator;
  return region.apiKey;
}

async function answerOf(testCase: HostileCase) {
  const { keys } = centre;
  const credentials: Credentials = {
    operator: operatorOf(testCase.request.target),
    adapter: region.adapterKey,
    sochiOperator: keys.sochiOperator,
    secondLine: keys.secondLine,
    headSupervisor: keys.headSupervisor,
    sochiSupervisor: keys.sochiSupervisor,
    contactCentreService: keys.service,
    portal: portalKey,
  };
  return send(portOf(testCase.request.target), testCase.request, values, credentials);
}

/** Registers an appeal as the head centre's operator (the corpus's transitions, reach and Idempotency-Key cases work on it). */
async function registerAppeal(idempotencyKey: string): Promise<string> {
  const response = await fetch(`${centre.url}/v1/appeals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${centre.keys.headOperator}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ type: 'BOOKING', text: applicant.text, applicantPhone: applicant.phone }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { id?: string };
  if (response.status !== 201 || body.id === undefined) throw new Error(`registering the corpus's appeal answered ${response.status}`);
  return body.id;
}

interface SlotPage {
  readonly items: readonly { readonly slotId: string; readonly status: string }[];
}

async function searchAnswers(): Promise<void> {
  const { status, body } = await region.api<SlotPage>('GET', `/v1/slots?organisation=${encodeURIComponent(values['organisationOid'])}&limit=5`);
  expect(status).toBe(200);
  expect(body.items.length).toBeGreaterThan(0);
  const health = await fetch(`http://127.0.0.1:${region.notifyPort}/health`);
  expect(health.status).toBe(200);
  const exporter = await fetch(`${region.exporterUrl}/health/live`);
  expect(exporter.status).toBe(200);
  await contactCentreAnswers();
}

/** The contact centre is ready and still serves its appeal, the applicant's number in clear to its operator, and a knowledge search. */
async function contactCentreAnswers(): Promise<void> {
  const ready = await fetch(`${centre.url}/health/ready`);
  expect(ready.status).toBe(200);
  const appeal = await centre.api<{ id: string; applicantPhone: string; status: string }>(centre.keys.headOperator, 'GET', `/v1/appeals/${values['ccAppealId']}`);
  expect({ status: appeal.status, id: appeal.body.id, appealStatus: appeal.body.status }).toEqual({ status: 200, id: values['ccAppealId'], appealStatus: 'REGISTERED' });
  expect(appeal.body.applicantPhone.replace(/\D/g, '')).toBe(applicant.phone.replace(/\D/g, ''));
  const search = await centre.api<{ items: readonly unknown[] }>(centre.keys.headOperator, 'GET', `/v1/knowledge/articles?q=${encodeURIComponent('запись к педиатру')}`);
  expect(search.status).toBe(200);
  expect(search.body.items.length).toBeGreaterThan(0);
}

beforeAll(async () => {
  await region.start();
  try {
    await centre.start();
  } catch (error) {
    console.log(centre.logs());
    throw error;
  }
  portalKey = await region.issue('PORTAL', `portal-${region.runId}`);
  const ccIdempotencyKey = `hostile-${region.runId}`;
  const ccAppealId = await registerAppeal(ccIdempotencyKey);
  const org = region.organisations[0];
  const slot = await eventually(
    async () => (await region.api<SlotPage>('GET', `/v1/slots?organisation=${encodeURIComponent(org.oid)}&freeOnly=true&limit=1`)).body.items?.[0],
    'the first slot in the inventory',
    60_000,
  );
  values = {
    hubGuid: region.hubGuid,
    misGuid: '6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11',
    organisationOid: org.oid,
    idLpu: String(org.idLpu),
    slotId: slot.slotId,
    publicUrl,
    apiKey: region.apiKey,
    apiKeyLessOne: region.apiKey.slice(0, -1),
    apiKeyUpper: region.apiKey.toUpperCase(),
    ccAppealId,
    ccIdempotencyKey,
    ccSecondLineKey: centre.keys.secondLine,
    ccPortalKey: portalKey,
  };
}, 300_000);

afterAll(async () => {
  await centre.stop();
  await region.stop();
}, 60_000);

afterEach(() => {
  const state = expect.getState();
  if (state.assertionCalls > state.numPassingAsserts) console.log(`${region.logs()}\n${centre.logs()}`);
});

const classes = httpClasses();

it('holds at least 200 cases, each with a status and a code', () => {
  const avro = (JSON.parse(readFileSync(join(__dirname, 'hostile', 'avro.json'), 'utf8')) as { cases: unknown[] }).cases.length;
  expect(classes.reduce((n, c) => n + c.cases.length, 0) + avro).toBeGreaterThanOrEqual(200);
});

describe.each(classes.map((c) => [c.class, c] as const))('hostile %s', (_name, hostile) => {
  it.each(hostile.cases.map((c) => [c.name, c] as const))('%s', async (_caseName, testCase) => {
    const answer = await answerOf(testCase);
    const seen = { status: answer.status, code: answer.code };

    expect(seen).toEqual({ status: testCase.expect.status, code: testCase.expect.code });
    for (const text of testCase.expect.bodyIncludes ?? []) expect(answer.body).toContain(text);
    for (const text of testCase.expect.bodyExcludes ?? []) expect(answer.body).not.toContain(text);
    for (const header of testCase.expect.headersAbsent ?? []) expect(answer.headers).not.toHaveProperty(header.toLowerCase());
  });

  it('leaves the booking service answering a real search, the adapter and the exporter their health, and the contact centre ready and serving', async () => {
    await searchAnswers();
  });
});

interface AvroCase {
  readonly name: string;
  /** The Kafka value as hex. */
  readonly valueHex: string;
  /** Text the dead letter's reason contains. */
  readonly reason: string;
}

describe('hostile avro', () => {
  const avro = JSON.parse(readFileSync(join(__dirname, 'hostile', 'avro.json'), 'utf8')) as { cases: readonly AvroCase[] };
  const kafka = kafkaClientOf(testConnection(), 'hostile-corpus', KafkaJS.logLevel.NOTHING);

  it('dead-letters each value the registry never issued with its reason, and applies a later valid event of the same slot', async () => {
    const topic = adapterTopicOf(Topics.slot, region.adapterId, region.namespace);
    const free = await region.simCall<SimSlot[]>('GET', `/admin/slots?idLpu=${values['idLpu']}&state=free`);
    const { today } = await region.simCall<{ today: string }>('GET', '/admin/state');
    const target = free.find((s) => s.VisitStart.slice(0, 10) > today);
    if (!target) throw new Error('no free slot after today');
    const slotId = `${values['organisationOid']}:${target.IdAppointment}`;

    // A real value on the topic gives a writer schema id the registry knows, and a value to cut short.
    const real = await firstValueOf(kafka, topic);
    const wire = { writer: real.subarray(0, 5).toString('hex'), writerHalfValue: real.subarray(0, 5 + Math.floor((real.length - 5) / 2)).toString('hex') };
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: avro.cases.map((c) => ({ key: slotId, value: Buffer.from(fill(c.valueHex, wire), 'hex'), headers: { 'event-id': `hostile-${c.name}` } })),
      });
    } finally {
      await producer.disconnect();
    }
    // The barrier: the MIS books the same slot at its front desk; its event follows ours in the slot's partition.
    await region.simCall('POST', '/admin/walk-in', { slotId: target.IdAppointment });
    await eventually(
      async () => {
        const practitioner = encodeURIComponent(`${values['organisationOid']}:${target.idDoc}`);
        const page = await region.api<SlotPage>('GET', `/v1/slots?practitioner=${practitioner}&limit=200`);
        return page.body.items.find((s) => s.slotId === slotId && s.status !== 'FREE');
      },
      'the walk-in booked in the inventory',
      60_000,
    );

    const reasons = await deadLetters(kafka, deadLetterTopicOf(topic, region.namespace), avro.cases.length);
    for (const c of avro.cases) expect(reasons.get(`hostile-${c.name}`) ?? '(not dead-lettered)').toContain(c.reason);
    await searchAnswers();
  }, 120_000);
});

/** The value of the first message on a topic. */
async function firstValueOf(kafka: KafkaJS.Kafka, topic: string): Promise<Buffer> {
  let value: Buffer | undefined;
  const consumer = kafka.consumer({ kafkaJS: { groupId: `hostile-first-${region.runId}`, fromBeginning: true } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value && message.value.length > 8) value ??= message.value;
      },
    });
    return await eventually(async () => value, `a value on ${topic}`, 30_000);
  } finally {
    await consumer.disconnect();
  }
}

/** The dead letters' reasons by event id, read from the start of the topic until `count` are found. */
async function deadLetters(kafka: KafkaJS.Kafka, topic: string, count: number): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  const consumer = kafka.consumer({ kafkaJS: { groupId: `hostile-dlq-${region.runId}`, fromBeginning: true } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.['event-id']?.toString();
        if (id?.startsWith('hostile-')) reasons.set(id, `${message.headers?.['dlq-error-code']?.toString() ?? ''} ${message.headers?.['dlq-reason']?.toString() ?? ''}`);
      },
    });
    await eventually(async () => reasons.size >= count, `${count} dead letters on ${topic}`, 60_000);
  } finally {
    await consumer.disconnect();
  }
  return reasons;
}

interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, { readonly requestBody?: { readonly content?: Readonly<Record<string, { readonly schema?: object }>> } }>>>>;
}

/** `METHOD /path` of every route the booking controllers declare (OpenAPI's `{param}` form), excluding controllers hidden from the docs. */
function declaredRoutes(): string[] {
  const routes: string[] = [];
  for (const file of readdirSync(join(root, 'apps', 'booking', 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.controller.ts'))) {
    const source = readFileSync(join(root, 'apps', 'booking', 'src', file), 'utf8');
    if (source.includes('@ApiExcludeController()')) continue;
    const base = /@Controller\('([^']*)'\)/.exec(source)?.[1] ?? '';
    for (const [, method, path] of source.matchAll(/@(Get|Post|Put|Patch|Delete)\((?:'([^']*)')?\)/g)) {
      const full = `/${[base, path ?? ''].filter((part) => part !== '').join('/')}`.replace(/:(\w+)/g, '{$1}');
      routes.push(`${method.toUpperCase()} ${full}`);
    }
  }
  return routes.sort();
}

describe('API documentation', () => {
  it('serves an OpenAPI 3 document with every declared route, and a request body schema on every POST', async () => {
    const response = await fetch(`${region.bookingUrl}/docs-json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as OpenApiDocument;

    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('medbus booking');
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    const declared = declaredRoutes();
    expect(declared.length).toBeGreaterThan(10);
    expect(declared.filter((route) => !documented.includes(route))).toEqual([]);
    const postsWithoutBody = Object.entries(doc.paths)
      .filter(([, operations]) => operations['post'] !== undefined)
      .filter(([, operations]) => operations['post']?.requestBody?.content?.['application/json']?.schema === undefined)
      .map(([path]) => path);
    expect(postsWithoutBody).toEqual([]);
  });

  it('serves the Swagger UI page and its script', async () => {
    const page = await fetch(`${region.bookingUrl}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    const init = await fetch(`${region.bookingUrl}/docs/swagger-ui-init.js`);
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('/v1/slots');
  });
});
