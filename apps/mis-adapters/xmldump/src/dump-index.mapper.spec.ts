import { recorded } from './__fixtures__/recorded';
import { parseDumpIndex, pendingDumps, type DumpIndexEntry } from './dump-index.mapper';

const maxBytes = 64 * 1024;

function entry(kind: DumpIndexEntry['kind'], seq: number, sha256 = `${seq}`.padStart(64, '0')): DumpIndexEntry {
  return { name: `${kind}-${seq}.xml`, kind, seq, size: 100, sha256, generated: '2026-11-30T04:00:00+03:00' };
}

describe('the vendor’s index.xml', () => {
  it('lists the recorded dumps with their size, hash and time, in seq order', () => {
    expect(parseDumpIndex(recorded('dump-index.xml'), maxBytes)).toEqual([
      { name: 'full-1.xml', kind: 'full', seq: 1, size: 15714, sha256: '5450a1a4337eba7a4cb73e990a374e78923ad64fdfe48d2e00dc849453ae3ab7', generated: '2026-11-30T04:33:18+03:00' },
      { name: 'partial-2.xml', kind: 'partial', seq: 2, size: 4419, sha256: 'f1bdb8e967d861133d3849f3971271253eb3d9f607e11f14c4063b232f7366e4', generated: '2026-11-30T04:33:29+03:00' },
    ]);
    expect(parseDumpIndex('<DumpIndex></DumpIndex>', maxBytes)).toEqual([]);
  });

  it.each([
    ['a name that leaves the folder', (xml: string) => xml.replace('name="full-1.xml"', 'name="../full-1.xml"')],
    ['a name that is not its kind and seq', (xml: string) => xml.replace('name="full-1.xml"', 'name="full-7.xml"')],
    ['a hash that is not SHA-256', (xml: string) => xml.replace(/sha256="5450[0-9a-f]+"/, 'sha256="abc"')],
    ['a size that is not a number', (xml: string) => xml.replace('size="15714"', 'size="-1"')],
    ['another root', (xml: string) => xml.replace(/DumpIndex/g, 'Index')],
  ])('refuses an index with %s', (_what, garble) => {
    expect(() => parseDumpIndex(garble(recorded('dump-index.xml').toString('utf8')), maxBytes)).toThrow(expect.objectContaining({ code: 'MIS.RESPONSE_REJECTED', reason: 'invalid_shape' }));
  });

  it('refuses an index with a DTD before parsing it', () => {
    const hostile = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><DumpIndex/>`;
    expect(() => parseDumpIndex(hostile, maxBytes)).toThrow(expect.objectContaining({ reason: 'dtd' }));
  });
});

describe('the dumps to apply', () => {
  const index = [entry('full', 40), entry('partial', 41), entry('partial', 42), entry('partial', 43)];

  it('takes the newest full dump and every partial after it when the full one is new', () => {
    expect(pendingDumps([entry('full', 30), ...index], []).map((d) => d.seq)).toEqual([40, 41, 42, 43]);
  });

  it('takes only the partials not handled yet on top of a full dump handled', () => {
    expect(pendingDumps(index, [entry('full', 40), entry('partial', 41)]).map((d) => d.seq)).toEqual([42, 43]);
    expect(pendingDumps(index, index)).toEqual([]);
  });

  it('reads a dump again when the vendor reused its seq for other content (its numbering started over)', () => {
    expect(pendingDumps(index, [entry('full', 40, 'f'.repeat(64)), entry('partial', 41)]).map((d) => d.seq)).toEqual([40, 41, 42, 43]);
  });

  it('takes the newest full dump and its partials again when reasserting, handled or not', () => {
    expect(pendingDumps(index, index, true).map((d) => d.seq)).toEqual([40, 41, 42, 43]);
  });

  it('takes nothing while the index lists no full dump', () => {
    expect(pendingDumps([entry('partial', 41)], [])).toEqual([]);
  });
});
