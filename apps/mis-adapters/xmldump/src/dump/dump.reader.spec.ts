import { Readable } from 'node:stream';
import { DumpRejectedError, DumpRejection, type DumpRejectionCode } from './dump.errors';
import { readDump } from './dump.reader';
import type { DumpRecord, ReadDumpOptions } from './dump.types';

const root = `<ScheduleDump xmlns="urn:xmldump:schedule:1" kind="full" seq="42" generated="2026-11-30T02:00:00+03:00" from="2026-11-30" to="2026-12-13">`;

/** A small full dump: Cyrillic text (2-byte characters), a 4-byte character, references, a comment; every optional part present once and absent once. */
function aDump(parts: { root?: string; end?: string; clinic17Tail?: string } = {}): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<!-- nightly dump 😀 -->\n',
    parts.root ?? root,
    '\n  <Clinic code="17" oid="1.2.643.5.1.13.13.12.2.23.1629" tz="Europe/Moscow" active="true">\n',
    '    <Name>ГБУЗ «Городская поликлиника № 17» &amp; филиал &#1044;</Name>\n',
    '    <ShortName>ГП № 17</ShortName>\n',
    '    <District code="3" okato="03401000000">Краснодар</District>\n',
    '    <Address>ул. Красная, 1</Address>\n',
    '    <Doctor code="D1703" snils="12345678901">\n',
    '      <Name>Иванова А. П.</Name>\n',
    '      <Specialty code="27" nsi="109">Терапевт</Specialty>\n',
    '      <Day date="2026-11-30">\n',
    '        <Ticket id="D1703-202611300800" time="08:00" minutes="15" room="204" state="free"/>\n',
    '        <Ticket id="D1703-202611300815" time="08:15" minutes="15" room="204" state="busy"/>\n',
    '      </Day>\n',
    '      <Day date="2026-12-01"><Ticket id="D1703-202612010800" time="08:00" minutes="30" state="closed"/></Day>\n',
    '    </Doctor>\n',
    '    <Doctor code="D1704"><Name>Петров Б. В.</Name><Specialty code="99">Хирург</Specialty></Doctor>\n',
    parts.clinic17Tail ?? '',
    '  </Clinic>\n',
    '  <Clinic code="18" oid="1.2.643.5.1.13.13.12.2.23.1630" tz="Asia/Yekaterinburg" active="false"><Name>ФАП «Лесной»</Name>\n',
    '    <Doctor code="D1801"><Name>Сидорова В. Г.</Name><Specialty code="27" nsi="109">Терапевт</Specialty><Day date="2026-12-13"><Ticket id="T1" time="23:45" minutes="15" state="free"/></Day></Doctor>\n',
    '  </Clinic>\n',
    `  ${parts.end ?? '<End clinics="2" doctors="3" days="3" tickets="4"/>'}\n`,
    '</ScheduleDump>\n',
  ].join('');
}

const expectedRecords: readonly DumpRecord[] = [
  {
    type: 'clinic',
    code: '17',
    oid: '1.2.643.5.1.13.13.12.2.23.1629',
    tz: 'Europe/Moscow',
    active: true,
    name: 'ГБУЗ «Городская поликлиника № 17» & филиал Д',
    shortName: 'ГП № 17',
    district: { code: '3', okato: '03401000000', name: 'Краснодар' },
    address: 'ул. Красная, 1',
  },
  { type: 'doctor', clinic: '17', code: 'D1703', snils: '12345678901', name: 'Иванова А. П.', specialty: { code: '27', nsi: '109', name: 'Терапевт' } },
  {
    type: 'day',
    clinic: '17',
    doctor: 'D1703',
    date: '2026-11-30',
    tickets: [
      { id: 'D1703-202611300800', time: '08:00', minutes: 15, room: '204', state: 'free' },
      { id: 'D1703-202611300815', time: '08:15', minutes: 15, room: '204', state: 'busy' },
    ],
  },
  { type: 'day', clinic: '17', doctor: 'D1703', date: '2026-12-01', tickets: [{ id: 'D1703-202612010800', time: '08:00', minutes: 30, state: 'closed' }] },
  { type: 'doctor', clinic: '17', code: 'D1704', name: 'Петров Б. В.', specialty: { code: '99', name: 'Хирург' } },
  { type: 'clinic', code: '18', oid: '1.2.643.5.1.13.13.12.2.23.1630', tz: 'Asia/Yekaterinburg', active: false, name: 'ФАП «Лесной»' },
  { type: 'doctor', clinic: '18', code: 'D1801', name: 'Сидорова В. Г.', specialty: { code: '27', nsi: '109', name: 'Терапевт' } },
  { type: 'day', clinic: '18', doctor: 'D1801', date: '2026-12-13', tickets: [{ id: 'T1', time: '23:45', minutes: 15, state: 'free' }] },
  {
    type: 'end',
    header: { kind: 'full', seq: 42, generated: '2026-11-30T02:00:00+03:00', from: '2026-11-30', to: '2026-12-13' },
    counts: { clinics: 2, doctors: 3, days: 3, tickets: 4 },
  },
];

async function* chunks(...parts: readonly (Buffer | string)[]): AsyncGenerator<Buffer | string> {
  yield* parts;
}

async function readAll(source: AsyncIterable<Buffer | string> | Readable, options?: ReadDumpOptions): Promise<DumpRecord[]> {
  const records: DumpRecord[] = [];
  for await (const record of readDump(source, options)) records.push(record);
  return records;
}

/** Reads until the reader throws; returns the records given before and the error. */
async function rejectionOf(source: AsyncIterable<Buffer | string>, options?: ReadDumpOptions): Promise<{ error: DumpRejectedError; before: DumpRecord[] }> {
  const before: DumpRecord[] = [];
  try {
    for await (const record of readDump(source, options)) before.push(record);
  } catch (error) {
    if (error instanceof DumpRejectedError) return { error, before };
    throw error;
  }
  throw new Error(`the dump was accepted with ${before.length} records`);
}

async function codeOf(text: string | Buffer, options?: ReadDumpOptions): Promise<DumpRejectionCode> {
  return (await rejectionOf(chunks(text), options)).error.code;
}

describe('readDump', () => {
  it('reads a dump into its clinics, doctors and days in document order, then its header and counts', async () => {
    expect(await readAll(chunks(Buffer.from(aDump())))).toEqual(expectedRecords);
  });

  it('reads the same records whatever byte the chunks are cut at, inside a multi-byte character too', async () => {
    const bytes = Buffer.from(aDump());
    for (let cut = 0; cut <= bytes.length; cut++) {
      const records = await readAll(chunks(bytes.subarray(0, cut), bytes.subarray(cut)));
      if (JSON.stringify(records) !== JSON.stringify(expectedRecords)) throw new Error(`cut at byte ${cut} read differently`);
    }
    const oneByteEach = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    expect(await readAll(chunks(...oneByteEach))).toEqual(expectedRecords);
  });

  it('keeps a start tag quoted and a comment open across chunks of one byte', async () => {
    const text = aDump().replace('room="204" state="busy"', `room="2>4 'a'" state='busy'`).replace('</Clinic>', '<!-- a - b > c --></Clinic>');
    const records = await readAll(chunks(...Array.from(Buffer.from(text), (byte) => Buffer.from([byte]))));
    expect(records).toEqual(await readAll(chunks(text)));
    expect(records[2]).toMatchObject({ tickets: [{ room: '204' }, { room: "2>4 'a'", state: 'busy' }] });
  });

  it('reads text chunks and a Readable stream as it reads bytes', async () => {
    const text = aDump();
    expect(await readAll(chunks(...(text.match(/[\s\S]{1,7}/g) ?? [])))).toEqual(expectedRecords);
    expect(await readAll(Readable.from([Buffer.from(text)]))).toEqual(expectedRecords);
  });

  it('reads a partial dump, whose empty Day means the day has no tickets left', async () => {
    const partial = aDump({ root: root.replace('kind="full"', 'kind="partial" base="40"'), clinic17Tail: '<Doctor code="D1705"><Name>Н</Name><Specialty code="1">С</Specialty><Day date="2026-12-02"/></Doctor>\n', end: '<End clinics="2" doctors="4" days="4" tickets="4"/>' });
    const records = await readAll(chunks(partial));
    expect(records).toContainEqual({ type: 'day', clinic: '17', doctor: 'D1705', date: '2026-12-02', tickets: [] });
    expect(records.at(-1)).toMatchObject({ type: 'end', header: { kind: 'partial', seq: 42, base: 40 } });
  });

  it('never completes a dump cut short, at whatever byte it is cut', async () => {
    const bytes = Buffer.from(aDump());
    const whole = bytes.lastIndexOf('</ScheduleDump>') + '</ScheduleDump>'.length;
    for (let cut = 0; cut < whole; cut++) {
      const { error, before } = await rejectionOf(chunks(bytes.subarray(0, cut)));
      if (error.code !== DumpRejection.truncated && error.code !== DumpRejection.malformed) throw new Error(`cut at byte ${cut}: ${error.code}`);
      if (before.some((record) => record.type === 'end')) throw new Error(`cut at byte ${cut} ended the dump`);
    }
    expect(await rejectionOf(chunks(bytes.subarray(0, whole - 1)))).toMatchObject({ error: { code: DumpRejection.truncated, position: whole - 1 } });
  });

  it('refuses a dump whose End counts differ from what it holds, naming the count', async () => {
    for (const [count, wrong] of [
      ['clinics', '<End clinics="3" doctors="3" days="3" tickets="4"/>'],
      ['doctors', '<End clinics="2" doctors="2" days="3" tickets="4"/>'],
      ['days', '<End clinics="2" doctors="3" days="4" tickets="4"/>'],
      ['tickets', '<End clinics="2" doctors="3" days="3" tickets="5"/>'],
    ] as const) {
      const { error } = await rejectionOf(chunks(aDump({ end: wrong })));
      expect(error).toMatchObject({ code: DumpRejection.countsMismatch, details: { attribute: count } });
    }
  });

  it('refuses a dump that closes without End, or has anything but its close after End', async () => {
    expect(await codeOf(aDump({ end: '' }))).toBe(DumpRejection.endMissing);
    expect(await codeOf(aDump().replace('</ScheduleDump>', '<Clinic/></ScheduleDump>'))).toBe(DumpRejection.malformed);
    expect(await codeOf(`${aDump()}<ScheduleDump/>`)).toBe(DumpRejection.malformed);
  });

  it('refuses any DTD before the first record, and one hidden in a unit', async () => {
    const billionLaughs = '<!DOCTYPE ScheduleDump [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n';
    const atStart = await rejectionOf(chunks(aDump().replace('<!-- nightly', `${billionLaughs}<!-- nightly`)));
    expect(atStart).toMatchObject({ error: { code: DumpRejection.hostile }, before: [] });
    expect(await codeOf(aDump().replace('<Ticket id="T1"', '<!ENTITY x SYSTEM "file:///etc/passwd"><Ticket id="T1"'))).toBe(DumpRejection.hostile);
    expect(await codeOf(aDump().replace('Терапевт</Specialty><Day', 'Терапевт</Specialty><!doctype x><Day'))).toBe(DumpRejection.hostile);
  });

  it('refuses a unit larger than the limit, whether it arrives in one chunk or many', async () => {
    const tickets = Array.from({ length: 20_000 }, (_, i) => `<Ticket id="X${i}" time="08:00" minutes="15" state="free"/>`).join('\n');
    const huge = aDump().replace('<Ticket id="T1"', `${tickets}<Ticket id="T1"`);
    expect(Buffer.byteLength(huge)).toBeGreaterThan(1024 * 1024);
    const inOne = await rejectionOf(chunks(huge));
    expect(inOne.error).toMatchObject({ code: DumpRejection.unitTooLarge, details: { element: 'Day' } });
    expect(inOne.error.position).toBe(Buffer.byteLength(huge.slice(0, huge.indexOf('<Day date="2026-12-13"'))));
    expect(await codeOf(aDump(), { maxUnitBytes: 200 })).toBe(DumpRejection.unitTooLarge);
    const withComment = aDump().replace('</Clinic>', `<!--${'x'.repeat(1500)}--></Clinic>`);
    const inMany = await rejectionOf(chunks(...(withComment.match(/[\s\S]{1,50}/g) ?? [])), { maxUnitBytes: 1000 });
    expect(inMany.error).toMatchObject({ code: DumpRejection.unitTooLarge, position: Buffer.byteLength(withComment.slice(0, withComment.indexOf('<!--x'))) });
  });

  it.each([
    ['a date that is not a calendar date', ['date="2026-12-01"', 'date="2026-11-31"'], 'Day', 'date', 'NOT_A_DATE'],
    ['a date not written YYYY-MM-DD', ['date="2026-12-01"', 'date="01.12.2026"'], 'Day', 'date', 'NOT_A_DATE'],
    ['a day outside the horizon', ['date="2026-12-01"', 'date="2026-12-14"'], 'Day', 'date', 'OUTSIDE_HORIZON'],
    ['a time not HH:MM', ['time="08:15"', 'time="8:15"'], 'Ticket', 'time', 'NOT_HH_MM'],
    ['a time past the day', ['time="08:15"', 'time="24:00"'], 'Ticket', 'time', 'NOT_HH_MM'],
    ['zero minutes', ['minutes="30"', 'minutes="0"'], 'Ticket', 'minutes', 'OUT_OF_RANGE'],
    ['negative minutes', ['minutes="30"', 'minutes="-30"'], 'Ticket', 'minutes', 'NOT_AN_INTEGER'],
    ['fractional minutes', ['minutes="30"', 'minutes="7.5"'], 'Ticket', 'minutes', 'NOT_AN_INTEGER'],
    ['an unknown state', ['state="busy"', 'state="reserved"'], 'Ticket', 'state', 'UNKNOWN_VALUE'],
    ['a ticket without id', ['<Ticket id="T1" ', '<Ticket '], 'Ticket', 'id', 'MISSING'],
    ['a repeated ticket id', ['id="D1703-202611300815"', 'id="D1703-202611300800"'], 'Ticket', 'id', 'DUPLICATE'],
    ['an active flag not true or false', ['active="false"', 'active="no"'], 'Clinic', 'active', 'UNKNOWN_VALUE'],
    ['an unknown time zone', ['tz="Asia/Yekaterinburg"', 'tz="Mars/Olympus"'], 'Clinic', 'tz', 'UNKNOWN_TIME_ZONE'],
    ['an oid that is not one', ['oid="1.2.643.5.1.13.13.12.2.23.1630"', 'oid="clinic-18"'], 'Clinic', 'oid', 'NOT_AN_OID'],
    ['a SNILS that is not 11 digits', ['snils="12345678901"', 'snils="123-456-789 01"'], 'Doctor', 'snils', 'NOT_A_SNILS'],
    ['a doctor without a name', ['<Name>Петров Б. В.</Name>', ''], 'Name', undefined, 'MISSING'],
    ['a dump kind the format does not have', ['kind="full"', 'kind="delta"'], 'ScheduleDump', 'kind', 'UNKNOWN_VALUE'],
    ['a seq that is not a number', ['seq="42"', 'seq="forty-two"'], 'ScheduleDump', 'seq', 'NOT_AN_INTEGER'],
    ['a generation time without offset', ['generated="2026-11-30T02:00:00+03:00"', 'generated="2026-11-30T02:00:00"'], 'ScheduleDump', 'generated', 'NOT_A_DATE_TIME'],
    ['a partial dump without base', ['kind="full"', 'kind="partial"'], 'ScheduleDump', 'base', 'MISSING'],
    ['a horizon ending before it starts', ['to="2026-12-13"', 'to="2026-11-29"'], 'ScheduleDump', 'to', 'OUT_OF_RANGE'],
    ['a count that is not a number', ['tickets="4"', 'tickets="four"'], 'End', 'tickets', 'NOT_AN_INTEGER'],
  ] as const)('refuses %s', async (_, [valid, invalid], element, attribute, reason) => {
    const text = aDump();
    const at = text.lastIndexOf(valid);
    const { error } = await rejectionOf(chunks(text.slice(0, at) + invalid + text.slice(at + valid.length)));
    expect(error).toMatchObject({ code: DumpRejection.invalidValue, details: { element, reason, ...(attribute && { attribute }) } });
  });

  it('tells where the refused unit starts in bytes, and never what it holds', async () => {
    const text = aDump().replace('snils="12345678901"', 'snils="1234567890X"');
    const { error, before } = await rejectionOf(chunks(text));
    expect(error.position).toBe(Buffer.byteLength(text.slice(0, text.indexOf('<Doctor code="D1703"'))));
    expect(error.position).not.toBe(text.indexOf('<Doctor code="D1703"'));
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toMatch(/1234567890X|Иванова/);
    expect(before.map((record) => record.type)).toEqual(['clinic']);
  });

  it.each([
    ['another root element', aDump().replace(/ScheduleDump/g, 'Schedule'), DumpRejection.wrongRoot],
    ['another namespace', aDump().replace('urn:xmldump:schedule:1', 'urn:xmldump:schedule:2'), DumpRejection.wrongRoot],
    ['no namespace', aDump().replace(' xmlns="urn:xmldump:schedule:1"', ''), DumpRejection.wrongRoot],
    ['crossed tags in a day', aDump().replace('state="closed"/></Day>', 'state="closed"></Day></Ticket>'), DumpRejection.malformed],
    ['an unquoted attribute', aDump().replace('minutes="30"', 'minutes=30'), DumpRejection.malformed],
    ['a repeated attribute', aDump().replace('minutes="30"', 'minutes="30" minutes="15"'), DumpRejection.malformed],
    ['a < inside an attribute value', aDump().replace('room="204" state="busy"', 'room="<204>" state="busy"'), DumpRejection.malformed],
    ['an undeclared entity', aDump().replace('&amp; филиал', '&nbsp; филиал'), DumpRejection.malformed],
    ['a character XML does not allow', aDump().replace('Хирург', 'Хир\u0001ург'), DumpRejection.malformed],
    ['elements nested deeper than the format ever does', aDump().replace('<Address>', `<Address>${'<b>'.repeat(10)}${'</b>'.repeat(10)}`), DumpRejection.malformed],
    ['a reference to a character XML does not allow', aDump().replace('&#1044;', '&#0;'), DumpRejection.malformed],
    ['text between clinics', aDump().replace('</Clinic>\n  <Clinic', '</Clinic>\n stray <Clinic'), DumpRejection.malformed],
    ['a ticket outside a day', aDump().replace('Хирург</Specialty>', 'Хирург</Specialty><Ticket id="X" time="08:00" minutes="15" state="free"/>'), DumpRejection.malformed],
    ['a day directly under a clinic', aDump().replace('<ShortName>', '<Day date="2026-12-01"/><ShortName>'), DumpRejection.malformed],
    ['a clinic detail after its doctors', aDump().replace('</Doctor>\n  </Clinic>', '</Doctor><Address>x</Address>\n  </Clinic>'), DumpRejection.malformed],
    ['a comment holding --', aDump().replace('<!-- nightly', '<!-- night -- ly'), DumpRejection.malformed],
    ['a second XML declaration', aDump().replace('<!-- nightly', '<?xml version="1.0"?><!-- nightly'), DumpRejection.malformed],
    ['another encoding declared', aDump().replace('encoding="UTF-8"', 'encoding="windows-1251"'), DumpRejection.malformed],
  ])('refuses %s', async (_, text, code) => {
    expect(await codeOf(text)).toBe(code);
  });

  it('refuses bytes that are not UTF-8, and a character cut at the end of the input', async () => {
    const text = Buffer.from(aDump());
    const latin1 = Buffer.concat([text.subarray(0, 300), Buffer.from([0xc0, 0xaf]), text.subarray(300)]);
    expect(await codeOf(latin1)).toBe(DumpRejection.malformed);
    const cutInCharacter = Buffer.concat([text, Buffer.from('ж').subarray(0, 1)]);
    expect(await codeOf(cutInCharacter)).toBe(DumpRejection.truncated);
  });

  it('accepts a byte order mark, comments and processing instructions around its units', async () => {
    const text = `\ufeff${aDump().replace('</Doctor>\n    <Doctor', '</Doctor><!-- between --><?audit x?>\n    <Doctor').replace('</ScheduleDump>\n', '</ScheduleDump>\n<!-- signed -->\n')}`;
    expect(await readAll(chunks(Buffer.from(text)))).toEqual(expectedRecords);
  });

  it('passes an error of its source through as it is, after the records read before it', async () => {
    const bytes = Buffer.from(aDump());
    async function* cutConnection(): AsyncGenerator<Buffer> {
      yield bytes.subarray(0, bytes.indexOf('<Clinic code="18"'));
      throw new Error('socket hang up');
    }
    const before: DumpRecord[] = [];
    await expect(
      (async () => {
        for await (const record of readDump(cutConnection())) before.push(record);
      })(),
    ).rejects.toThrow('socket hang up');
    expect(before).toEqual(expectedRecords.slice(0, 5));
  });
});
