import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import avro from 'avsc';
import { AllEvents, BookingChannel, EventNamesByTopic, SlotStatus, Topics, type EventOf } from '@medbus/contracts';
import { generateContracts, HEADER, renderContracts } from './generate-contracts';
import { loadSchemaCatalog, SchemaValidationError } from './schema-catalog';

const topics = {
  topics: [{ name: 'test.thing', constant: 'thing', schemaDir: 'test/thing', key: 'Thing id.', doc: 'Things.' }],
};

interface FieldSpec {
  name: string;
  type: unknown;
  doc?: string;
  default?: unknown;
}

function aThingHappened(fields: FieldSpec[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'record',
    name: 'ThingHappened',
    namespace: 'ru.medbus.test.thing',
    doc: 'A thing happened.',
    fields: [{ name: 'thingId', type: 'string', doc: 'Id of the thing.' }, ...fields],
    ...overrides,
  };
}

const dirs: string[] = [];

function aSchemaTree(schemas: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'medbus-codegen-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'topics.json'), JSON.stringify(topics));
  for (const [file, schema] of Object.entries(schemas)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), JSON.stringify(schema, null, 2));
  }
  return dir;
}

function problemsOf(schemasDir: string): string[] {
  try {
    loadSchemaCatalog(schemasDir);
  } catch (error) {
    if (error instanceof SchemaValidationError) return [...error.problems];
    throw error;
  }
  return [];
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('generate-contracts', () => {
  it('finds the generated contracts in libs/contracts up to date with schemas/avro', () => {
    expect(generateContracts({ check: true }).stale).toEqual([]);
  });

  it('refuses a schema with an undocumented field, naming the file and the field', () => {
    const dir = aSchemaTree({
      'test/thing/ThingHappened.avsc': aThingHappened([{ name: 'colour', type: 'string' }]),
    });

    expect(() => loadSchemaCatalog(dir)).toThrow(SchemaValidationError);
    expect(problemsOf(dir)).toEqual([
      'test/thing/ThingHappened.avsc: ThingHappened.colour (field): missing "doc"; every record, enum and field must say what it means',
    ]);
  });

  it('refuses undocumented fields of nested records and undocumented enums too', () => {
    const dir = aSchemaTree({
      'test/thing/ThingHappened.avsc': aThingHappened([
        {
          name: 'detail',
          doc: 'Details.',
          type: { type: 'record', name: 'Detail', doc: 'Detail.', fields: [{ name: 'size', type: 'int' }] },
        },
        { name: 'kind', doc: 'Kind.', type: { type: 'enum', name: 'Kind', symbols: ['A'], default: 'A' } },
      ]),
    });

    expect(problemsOf(dir)).toEqual([
      expect.stringContaining('ThingHappened.detail<Detail>.size (field): missing "doc"'),
      expect.stringContaining('ThingHappened.kind<Kind> (enum Kind): missing "doc"'),
    ]);
  });

  it('refuses record names that are not PascalCase', () => {
    const dir = aSchemaTree({
      'test/thing/ThingHappened.avsc': aThingHappened([
        {
          name: 'detail',
          doc: 'Details.',
          type: { type: 'record', name: 'thing_detail', doc: 'Detail.', fields: [{ name: 'size', type: 'int', doc: 'Size.' }] },
        },
      ]),
    });

    expect(problemsOf(dir)).toEqual([expect.stringContaining('name "thing_detail" must be PascalCase')]);
  });

  it('refuses an enum without a default symbol, which readers would need when it grows', () => {
    const dir = aSchemaTree({
      'test/thing/ThingHappened.avsc': aThingHappened([
        { name: 'kind', doc: 'Kind.', type: { type: 'enum', name: 'Kind', doc: 'Kinds.', symbols: ['A', 'B'] } },
      ]),
    });

    expect(problemsOf(dir)).toEqual([expect.stringContaining('enum Kind needs a "default" symbol')]);
  });

  it('refuses a schema avsc cannot parse, with avsc\'s reason', () => {
    const dir = aSchemaTree({
      'test/thing/ThingHappened.avsc': aThingHappened([{ name: 'size', type: 'int', doc: 'Size.', default: 'big' }]),
    });

    expect(problemsOf(dir)).toEqual([expect.stringMatching(/^test\/thing\/ThingHappened\.avsc: avsc rejects the schema: .*default/)]);
  });

  it('refuses a namespace that is not the folder\'s and a record named unlike its file', () => {
    const dir = aSchemaTree({
      'test/thing/ThingHappened.avsc': aThingHappened([], { namespace: 'ru.medbus.other.thing', name: 'ThingOccurred' }),
    });

    expect(problemsOf(dir)).toEqual([
      expect.stringContaining('record name "ThingOccurred" must match the file name "ThingHappened"'),
      expect.stringContaining('namespace "ru.medbus.other.thing" must be "ru.medbus.test.thing"'),
    ]);
  });

  it('refuses unions other than ["null", T]', () => {
    const dir = aSchemaTree({
      'test/thing/ThingHappened.avsc': aThingHappened([{ name: 'size', type: ['int', 'string'], doc: 'Size.' }]),
    });

    expect(problemsOf(dir)).toEqual([expect.stringContaining('ThingHappened.size: unions must be ["null", T]')]);
  });

  it('refuses a named type that two schemas define differently', () => {
    const kind = (symbols: string[]) => ({ type: 'enum', name: 'Kind', doc: 'Kinds.', symbols, default: 'A' });
    const dir = aSchemaTree({
      'test/thing/ThingHappened.avsc': aThingHappened([{ name: 'kind', doc: 'Kind.', type: kind(['A', 'B']) }]),
      'test/thing/ThingVanished.avsc': aThingHappened([{ name: 'kind', doc: 'Kind.', type: kind(['A']) }], { name: 'ThingVanished' }),
    });

    expect(problemsOf(dir)).toEqual([
      expect.stringContaining('ru.medbus.test.thing.Kind differs from its definition in test/thing/ThingHappened.avsc'),
    ]);
  });

  it('refuses a schema in a folder no topic declares', () => {
    const dir = aSchemaTree({
      'test/thing/ThingHappened.avsc': aThingHappened([]),
      'test/stray/StrayHappened.avsc': aThingHappened([], { name: 'StrayHappened', namespace: 'ru.medbus.test.stray' }),
    });

    expect(problemsOf(dir)).toEqual([
      'test/stray/StrayHappened.avsc: folder test/stray is not the schemaDir of any topic in topics.json',
    ]);
  });

  it('maps nullable, timestamp, long, enum and array fields to TypeScript', () => {
    const dir = aSchemaTree({
      'test/thing/ThingHappened.avsc': aThingHappened([
        { name: 'note', type: ['null', 'string'], doc: 'A note.', default: null },
        { name: 'seenAt', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'When seen.' },
        { name: 'version', type: 'long', doc: 'Version.' },
        {
          name: 'kinds',
          doc: 'Kinds.',
          type: { type: 'array', items: { type: 'enum', name: 'Kind', doc: 'Kinds.', symbols: ['A', 'B'], default: 'A' } },
        },
      ]),
    });

    const types = renderContracts(loadSchemaCatalog(dir)).get('types.ts') ?? '';

    expect(types.startsWith(`${HEADER}\n`)).toBe(true);
    expect(types).toContain('  readonly note: string | null;');
    expect(types).toContain('  /** When seen. (Epoch milliseconds, Avro timestamp-millis.) */\n  readonly seenAt: number;');
    expect(types).toContain('  /** Version. (Avro long, a safe integer: below 2^53.) */\n  readonly version: number;');
    expect(types).toContain('  readonly kinds: readonly Kind[];');
    expect(types).toContain("export const Kind = {\n  A: 'A',\n  B: 'B',\n} as const;\nexport type Kind = (typeof Kind)[keyof typeof Kind];");
    expect(types).not.toMatch(/\benum\s+Kind\b/);
  });

  it('in check mode lists stale, missing and unexpected files and writes nothing', () => {
    const schemasDir = aSchemaTree({ 'test/thing/ThingHappened.avsc': aThingHappened([]) });
    const outDir = mkdtempSync(join(tmpdir(), 'medbus-contracts-'));
    dirs.push(outDir);
    generateContracts({ schemasDir, outDir });
    writeFileSync(join(outDir, 'types.ts'), '// edited by hand\n');
    rmSync(join(outDir, 'topics.ts'));
    writeFileSync(join(outDir, 'extra.ts'), 'export {};\n');

    const { stale } = generateContracts({ schemasDir, outDir, check: true });

    expect(stale).toEqual([
      { file: 'topics.ts', problem: 'missing' },
      { file: 'types.ts', problem: 'differs' },
      { file: 'extra.ts', problem: 'unexpected' },
    ]);
    expect(readFileSync(join(outDir, 'types.ts'), 'utf8')).toBe('// edited by hand\n');
    expect(generateContracts({ schemasDir, outDir }).stale).toHaveLength(3);
    expect(generateContracts({ schemasDir, outDir, check: true }).stale).toEqual([]);
  });
});

describe('the generated contracts', () => {
  it('round-trip a typed SlotPublished through avsc with the schema the registry gets', () => {
    const slot: EventOf<'SlotPublished'> = {
      slotId: '1.2.643.5.1.13.13.12.2.23.1234:A-17',
      localSlotId: 'A-17',
      organisationOid: '1.2.643.5.1.13.13.12.2.23.1234',
      resourceId: '1.2.643.5.1.13.13.12.2.23.1234:D-5',
      localResourceId: 'D-5',
      startsAt: Date.parse('2026-03-02T08:00:00+03:00'),
      endsAt: Date.parse('2026-03-02T08:15:00+03:00'),
      status: SlotStatus.FREE,
      bookingChannels: [BookingChannel.CONTACT_CENTRE, BookingChannel.FEDERAL_PORTAL],
      room: null,
      sourceVersion: 42,
      occurredAt: Date.parse('2026-02-20T10:00:00Z'),
    };
    const type = avro.Type.forSchema(AllEvents.SlotPublished.schema as unknown as avro.Schema);

    expect(type.fromBuffer(type.toBuffer(slot))).toEqual(slot);
  });

  it('put every event on the topic its folder declares, with a TopicRecordNameStrategy subject', () => {
    expect(EventNamesByTopic[Topics.slot]).toEqual(['SlotChanged', 'SlotPublished', 'SlotRemoved']);
    expect(AllEvents.SlotPublished).toMatchObject({
      topic: 'mis.slot',
      fullName: 'ru.medbus.mis.slot.SlotPublished',
      subject: 'mis.slot-ru.medbus.mis.slot.SlotPublished',
    });
    for (const event of Object.values(AllEvents)) expect(event.subject).toBe(`${event.topic}-${event.fullName}`);
  });

  it('let an old reader read a slot status added later as BLOCKED, never as bookable', () => {
    const schema = AllEvents.SlotPublished.schema as unknown as { fields: { name: string; type: unknown }[] };
    const withStatus = (symbols: string[]) => ({
      ...schema,
      fields: schema.fields.map((field) =>
        field.name === 'status' ? { ...field, type: { ...(field.type as object), symbols } } : field,
      ),
    });
    const writer = avro.Type.forSchema(withStatus(['FREE', 'HELD', 'BOOKED', 'BLOCKED', 'WAITLIST']) as avro.Schema);
    const reader = avro.Type.forSchema(AllEvents.SlotPublished.schema as unknown as avro.Schema);
    const written = writer.toBuffer({
      slotId: 'o:1', localSlotId: '1', organisationOid: 'o', resourceId: 'o:r', localResourceId: 'r',
      startsAt: 0, endsAt: 1, status: 'WAITLIST', bookingChannels: [], room: null, sourceVersion: 1, occurredAt: 0,
    });

    expect(reader.fromBuffer(written, reader.createResolver(writer))).toMatchObject({ status: SlotStatus.BLOCKED });
  });
});
