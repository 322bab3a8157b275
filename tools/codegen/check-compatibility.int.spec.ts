import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAndRegisterSchemas } from './check-compatibility';

/**
 * Runs against the schema registry of the project's stack (`npm run stack:up`). Every test
 * uses its own topic, so subjects never collide with real ones or with other runs.
 */

const registryUrl = (process.env['SCHEMA_REGISTRY_URL'] ?? '').replace(/\/+$/, '');
const dirs: string[] = [];
const subjectsToDelete = new Set<string>();

interface Field {
  name: string;
  type: unknown;
  doc: string;
  default?: unknown;
}

const thingId: Field = { name: 'thingId', type: 'string', doc: 'Id of the thing.' };
const occurredAt: Field = { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'When it happened.' };

function aRecord(name: string, fields: Field[]): object {
  return { type: 'record', name, namespace: 'ru.medbus.it.thing', doc: `${name}, for a test.`, fields };
}

/** A topic of its own, `it<random>.thing`, and a schemas folder for it. */
function aTopic() {
  const topic = `it${randomBytes(5).toString('hex')}.thing`;
  const subjectOf = (record: string) => `${topic}-ru.medbus.it.thing.${record}`;
  const schemasDir = (records: Record<string, Field[]>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'medbus-compat-'));
    dirs.push(dir);
    const topics = [{ name: topic, constant: 'thing', schemaDir: 'it/thing', key: 'Thing id.', doc: 'Things, for a test.' }];
    writeFileSync(join(dir, 'topics.json'), JSON.stringify({ topics }));
    mkdirSync(join(dir, 'it', 'thing'), { recursive: true });
    for (const [name, fields] of Object.entries(records)) {
      subjectsToDelete.add(subjectOf(name));
      writeFileSync(join(dir, 'it', 'thing', `${name}.avsc`), JSON.stringify(aRecord(name, fields), null, 2));
    }
    return dir;
  };
  return { topic, subjectOf, schemasDir };
}

async function registry<T>(method: string, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${registryUrl}${path}`, { method, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function versionsOf(subject: string): Promise<number[]> {
  const { status, body } = await registry<number[]>('GET', `/subjects/${encodeURIComponent(subject)}/versions`);
  return status === 404 ? [] : body;
}

async function latestFieldsOf(subject: string): Promise<string[]> {
  const { body } = await registry<{ schema: string }>('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
  return (JSON.parse(body.schema) as { fields: { name: string }[] }).fields.map((field) => field.name);
}

beforeAll(() => {
  if (!registryUrl) {
    throw new Error('SCHEMA_REGISTRY_URL is not set: start the stack with `npm run stack:up` (it writes .medbus/stack.env).');
  }
});

afterAll(async () => {
  for (const subject of subjectsToDelete) {
    const path = `/subjects/${encodeURIComponent(subject)}`;
    await registry('DELETE', path).catch(() => undefined);
    await registry('DELETE', `${path}?permanent=true`).catch(() => undefined);
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('checkAndRegisterSchemas', () => {
  it('registers schemas of new subjects and sets their compatibility to BACKWARD', async () => {
    const { subjectOf, schemasDir } = aTopic();

    const report = await checkAndRegisterSchemas(registryUrl, schemasDir({ ThingHappened: [thingId, occurredAt] }), { register: true });

    expect(report).toMatchObject({ compatible: true, registered: true });
    expect(report.subjects).toEqual([
      expect.objectContaining({ subject: subjectOf('ThingHappened'), state: 'new', registeredId: expect.any(Number) }),
    ]);
    expect(await versionsOf(subjectOf('ThingHappened'))).toHaveLength(1);
    const { body: config } = await registry<{ compatibilityLevel: string }>('GET', `/config/${encodeURIComponent(subjectOf('ThingHappened'))}`);
    expect(config.compatibilityLevel).toBe('BACKWARD');
  });

  it('accepts and registers a new field that has a default', async () => {
    const { subjectOf, schemasDir } = aTopic();
    await checkAndRegisterSchemas(registryUrl, schemasDir({ ThingHappened: [thingId, occurredAt] }), { register: true });
    const colour: Field = { name: 'colour', type: ['null', 'string'], default: null, doc: 'Colour, when known.' };

    const report = await checkAndRegisterSchemas(registryUrl, schemasDir({ ThingHappened: [thingId, occurredAt, colour] }), {
      register: true,
    });

    expect(report).toMatchObject({ compatible: true, registered: true });
    expect(report.subjects).toEqual([expect.objectContaining({ state: 'compatible', registeredId: expect.any(Number) })]);
    expect(await versionsOf(subjectOf('ThingHappened'))).toHaveLength(2);
    expect(await latestFieldsOf(subjectOf('ThingHappened'))).toEqual(['thingId', 'occurredAt', 'colour']);
  });

  it('registers nothing again for schemas the registry already has, however it reformats them', async () => {
    const { subjectOf, schemasDir } = aTopic();
    const kind: Field = {
      name: 'kind',
      doc: 'Kind of thing.',
      type: { type: 'enum', name: 'Kind', namespace: 'ru.medbus.it.thing', doc: 'Kinds.', symbols: ['A', 'B'], default: 'A' },
    };
    const dir = schemasDir({ ThingHappened: [thingId, kind, occurredAt] });
    await checkAndRegisterSchemas(registryUrl, dir, { register: true });

    const report = await checkAndRegisterSchemas(registryUrl, dir, { register: true });

    expect(report.subjects).toEqual([expect.objectContaining({ state: 'unchanged' })]);
    expect(report.subjects[0]).not.toHaveProperty('registeredId');
    expect(await versionsOf(subjectOf('ThingHappened'))).toHaveLength(1);
  });

  it('refuses a new field without a default, says why, and registers nothing, not even an unrelated new subject', async () => {
    const { subjectOf, schemasDir } = aTopic();
    await checkAndRegisterSchemas(registryUrl, schemasDir({ ThingHappened: [thingId, occurredAt] }), { register: true });
    const size: Field = { name: 'size', type: 'int', doc: 'Size.' };

    const report = await checkAndRegisterSchemas(
      registryUrl,
      schemasDir({ ThingHappened: [thingId, occurredAt, size], ThingVanished: [thingId, occurredAt] }),
      { register: true },
    );

    expect(report).toMatchObject({ compatible: false, registered: false });
    expect(report.subjects).toEqual([
      expect.objectContaining({
        subject: subjectOf('ThingHappened'),
        state: 'incompatible',
        reasons: [expect.stringContaining('no matching field for default-less ru.medbus.it.thing.ThingHappened.size')],
      }),
      expect.objectContaining({ subject: subjectOf('ThingVanished'), state: 'new' }),
    ]);
    expect(report.subjects.filter((check) => check.registeredId !== undefined)).toEqual([]);
    expect(await versionsOf(subjectOf('ThingHappened'))).toHaveLength(1);
    expect(await latestFieldsOf(subjectOf('ThingHappened'))).toEqual(['thingId', 'occurredAt']);
    expect(await versionsOf(subjectOf('ThingVanished'))).toEqual([]);
  });

  it('refuses a field whose type changed', async () => {
    const { subjectOf, schemasDir } = aTopic();
    await checkAndRegisterSchemas(registryUrl, schemasDir({ ThingHappened: [thingId, occurredAt] }), { register: true });

    const report = await checkAndRegisterSchemas(
      registryUrl,
      schemasDir({ ThingHappened: [{ ...thingId, type: 'int' }, occurredAt] }),
      { register: true },
    );

    expect(report).toMatchObject({ compatible: false, registered: false });
    expect(report.subjects).toEqual([
      expect.objectContaining({ state: 'incompatible', reasons: [expect.stringContaining('cannot read "string" as "int"')] }),
    ]);
    expect(await versionsOf(subjectOf('ThingHappened'))).toHaveLength(1);
  });

  it('only checks when not asked to register', async () => {
    const { subjectOf, schemasDir } = aTopic();

    const report = await checkAndRegisterSchemas(registryUrl, schemasDir({ ThingHappened: [thingId, occurredAt] }), { register: false });

    expect(report).toMatchObject({ compatible: true, registered: false });
    expect(await versionsOf(subjectOf('ThingHappened'))).toEqual([]);
  });
});
