import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from './clock.service';
import { RawPayloadArchive, redactXmlValues } from './raw-payload.service';

const patientOperations = {
  CheckPatient: ['Success', 'IdError', 'IdPat'],
  SetAppointment: ['Success', 'IdError', 'Type'],
};

// A vendor that echoes the patient it was asked about, in elements, attributes, CDATA and error text.
const checkPatientAnswer = `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<CheckPatientResponse xmlns="http://tempuri.org/"><CheckPatientResult xmlns:a="http://schemas.datacontract.org/2004/07/HubService2" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
<a:ErrorList><a:Error><a:ErrorDescription>Пациент Кукушкина Аглая, полис 7700123456789012, тел. +7 916 555-12-34</a:ErrorDescription><a:IdError>0</a:IdError></a:Error></a:ErrorList>
<a:IdHistory i:nil="true"/><a:Success>true</a:Success><a:IdPat>P3-17</a:IdPat>
<!-- checked for Кукушкина --><a:Echo surname="Кукушкина"><a:Name>Аглая</a:Name><a:Snils>112-233-445 95</a:Snils><a:Note><![CDATA[СНИЛС 11223344595]]></a:Note></a:Echo>
</CheckPatientResult></CheckPatientResponse></s:Body></s:Envelope>`;
const seeded = ['Кукушкина', 'Аглая', '7700123456789012', '916 555-12-34', '112-233-445 95', '11223344595'];

describe('RawPayloadArchive', () => {
  let directory: string;
  beforeEach(async () => (directory = await mkdtemp(join(tmpdir(), 'raw-payloads-'))));
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('keeps every fetch in order and each distinct payload once, readable for replay', async () => {
    const archive = new RawPayloadArchive({ directory, retentionMs: 7 * 86_400_000 });
    const at = new Date('2026-03-02T05:00:00Z');
    const first = await archive.store({ operation: 'GetDoctorList', body: '<a/>', fetchedAt: at, accepted: true });
    await archive.store({ operation: 'GetDoctorList', body: '<a/>', fetchedAt: new Date(at.getTime() + 1000), accepted: true });
    await archive.store({ operation: 'GetLPUList', body: '<!DOCTYPE x>', fetchedAt: at, accepted: false, rejection: 'dtd' });

    const fetches = await archive.fetchesOf('2026-03-02');
    expect(fetches.map((f) => [f.operation, f.accepted, f.rejection])).toEqual([
      ['GetDoctorList', true, undefined],
      ['GetDoctorList', true, undefined],
      ['GetLPUList', false, 'dtd'],
    ]);
    expect((await readdir(join(directory, '2026-03-02'))).filter((name) => name.endsWith('.xml'))).toHaveLength(2);
    expect(await archive.read(first)).toBe('<a/>');
  });

  it('stores a CheckPatient answer without the name, SNILS, policy number or phone it echoed, keeping its shape, ids and codes', async () => {
    const archive = new RawPayloadArchive({ directory, retentionMs: 86_400_000, patientOperations });
    const record = await archive.store({ operation: 'CheckPatient', body: checkPatientAnswer, fetchedAt: new Date('2026-03-02T05:00:00Z'), accepted: true });

    const stored = await archive.read(record);
    const everything = stored + (await readFile(join(directory, '2026-03-02', 'index.jsonl'), 'utf8'));
    for (const value of seeded) expect(everything).not.toContain(value);
    expect(stored).toContain('<a:IdPat>P3-17</a:IdPat>');
    expect(stored).toContain('<a:Success>true</a:Success>');
    expect(stored).toContain('<a:IdError>0</a:IdError>');
    expect(stored).toContain('<a:IdHistory i:nil="true"/>');
    expect(stored).toContain('xmlns:a="http://schemas.datacontract.org/2004/07/HubService2"');
    expect(stored).toContain('<a:Name>[REDACTED]</a:Name>');
    expect(record).toMatchObject({ operation: 'CheckPatient', redacted: true });
  });

  it('keeps the values a SetAppointment mapping reads and replaces patient-shaped text even inside them', () => {
    const answer =
      '<r><a:Success>false</a:Success><a:IdError>308</a:IdError><a:Type>Терапевт +7 916 555-12-34</a:Type><a:ErrorDescription>Кукушкина занята</a:ErrorDescription></r>';
    expect(redactXmlValues(answer, new Set(patientOperations.SetAppointment))).toBe(
      '<r><a:Success>false</a:Success><a:IdError>308</a:IdError><a:Type>Терапевт [REDACTED]</a:Type><a:ErrorDescription>[REDACTED]</a:ErrorDescription></r>',
    );
  });

  it('keeps schedule and catalogue answers whole', async () => {
    const archive = new RawPayloadArchive({ directory, retentionMs: 86_400_000, patientOperations });
    const body = '<Docs><Doctor><Name>Иванов Иван Иванович</Name><IdDoc>D0101</IdDoc></Doctor></Docs>';
    const record = await archive.store({ operation: 'GetDoctorList', body, fetchedAt: new Date('2026-03-02T05:00:00Z'), accepted: true });
    expect(await archive.read(record)).toBe(body);
  });

  it('creates its folders 0700 and its files 0600 even under a permissive umask', async () => {
    const previous = process.umask(0);
    try {
      const base = join(directory, 'archive');
      const archive = new RawPayloadArchive({ directory: base, retentionMs: 86_400_000, patientOperations });
      await archive.store({ operation: 'CheckPatient', body: checkPatientAnswer, fetchedAt: new Date('2026-03-02T05:00:00Z'), accepted: true });
      await archive.store({ operation: 'GetLPUList', body: '<a/>', fetchedAt: new Date('2026-03-02T05:00:01Z'), accepted: true });
      const day = join(base, '2026-03-02');
      const modes = async (paths: string[]) => Promise.all(paths.map(async (path) => ((await stat(path)).mode & 0o777).toString(8)));
      expect(await modes([base, day])).toEqual(['700', '700']);
      const files = (await readdir(day)).map((name) => join(day, name));
      expect(files).toHaveLength(3);
      expect(await modes(files)).toEqual(['600', '600', '600']);
    } finally {
      process.umask(previous);
    }
  });

  it('prunes a day once all of it is older than the retention window, and nothing younger', async () => {
    const clock = new ManualClock('2026-03-02T23:00:00Z');
    const archive = new RawPayloadArchive({ directory, retentionMs: 2 * 86_400_000, clock });
    for (const at of ['2026-02-28T23:59:00Z', '2026-03-01T00:00:00Z', '2026-03-02T12:00:00Z']) {
      await archive.store({ operation: 'GetLPUList', body: `<a>${at}</a>`, fetchedAt: new Date(at), accepted: true });
    }

    expect(await archive.prune()).toEqual([]);
    clock.advance(60 * 60_000);
    expect(await archive.prune()).toEqual(['2026-02-28']);
    expect((await readdir(directory)).sort()).toEqual(['2026-03-01', '2026-03-02']);
    clock.advance(86_400_000);
    expect(await archive.prune()).toEqual(['2026-03-01']);
    await archive.store({ operation: 'GetLPUList', body: '<b/>', fetchedAt: clock.now(), accepted: true });
    expect((await readdir(directory)).sort()).toEqual(['2026-03-02', '2026-03-04']);
  });
});
