import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawPayloadArchive } from './raw-payload.service';

describe('RawPayloadArchive', () => {
  let directory: string;
  beforeEach(async () => (directory = await mkdtemp(join(tmpdir(), 'raw-payloads-'))));
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('keeps every fetch in order and each distinct payload once, readable for replay', async () => {
    const archive = new RawPayloadArchive(directory);
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
});
